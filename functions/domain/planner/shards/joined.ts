/** Typed arrays end to end in one new array of the same kind (the shards' parts, in shard order). */
export function joined<T extends Uint8Array | Int32Array>(parts: readonly T[], make: (length: number) => T): T {
  const all = make(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
}
