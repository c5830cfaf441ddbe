/**
 * Remembers which keys were seen, in 8 bytes a key: a 53-bit hash in an open-addressing
 * table. A Set of a million id strings costs about 60 MB; this costs 16 MB, so an import's
 * memory stays nearly flat with file size while it still counts repeated customer_ids.
 * Two different keys share a hash with odds of about n^2 / 2^54 (1 in 30 million for a
 * million keys): good enough to count repeats, never used to decide what is written.
 */
export class SeenKeys {
  private table = new Float64Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a key; returns true when it had been seen before. */
  add(key: string): boolean {
    // 0 marks an empty slot, so hashes are shifted to start at 1.
    const hash = cyrb53(key) + 1;
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    return this.insert(this.table, hash);
  }

  private insert(table: Float64Array, hash: number): boolean {
    const mask = table.length - 1;
    let slot = hash % table.length;
    for (;;) {
      const value = table[slot] as number;
      if (value === 0) {
        table[slot] = hash;
        this.count += 1;
        return false;
      }
      if (value === hash) return true;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.count = 0;
    for (const hash of old) if (hash !== 0) this.insert(this.table, hash);
  }
}

/** cyrb53 (public domain): a fast 53-bit string hash with good spread. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
