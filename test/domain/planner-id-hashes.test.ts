/**
 * The shards' id hashes: equal ids hash equal, each shard's hashes are sorted, and the merge
 * finds a hash in two shards (or twice in one) and nothing where all differ.
 */
import { describe, expect, it } from 'vitest';
import { anyHashShared, idHash, sortedIdHashes } from '../../functions/domain/planner/shards/id-hashes.ts';

const encoder = new TextEncoder();

/** JSON lines of ids as a first pass keeps them: the bytes and where each line starts. */
function jsonLines(ids: string[]) {
  const bytes = encoder.encode(ids.map((id) => `${JSON.stringify(id)}\n`).join(''));
  const starts = new Uint32Array(ids.length + 1);
  let at = 0;
  ids.forEach((id, line) => {
    at += encoder.encode(`${JSON.stringify(id)}\n`).length;
    starts[line + 1] = at;
  });
  return { bytes, starts };
}

const ids = (from: number, count: number) => Array.from({ length: count }, (_, n) => `C${from + n}`);

describe('the id hashes', () => {
  it('hash an id the same in any file, without its newline, as exact integers under 2^52', () => {
    // Prepare
    const alone = jsonLines(['C42']);
    const among = jsonLines(['C1', 'C42', 'C7']);

    // Act
    const hashAlone = idHash(alone.bytes, 0, (alone.starts[1] as number) - 1);
    const hashAmong = idHash(among.bytes, among.starts[1] as number, (among.starts[2] as number) - 1);

    // Assess
    expect(hashAmong, 'the same id in another file').toBe(hashAlone);
    expect(Number.isInteger(hashAlone) && hashAlone >= 0 && hashAlone < 2 ** 52, `${hashAlone}`).toBe(true);
  });

  it('are sorted, one per id, and all different over 200,000 ids', () => {
    // Act
    const hashes = sortedIdHashes(jsonLines(ids(0, 200_000)));

    // Assess
    expect(hashes.length).toBe(200_000);
    let unsorted = 0;
    let equal = 0;
    for (let at = 1; at < hashes.length; at += 1) {
      if ((hashes[at] as number) < (hashes[at - 1] as number)) unsorted += 1;
      if (hashes[at] === hashes[at - 1]) equal += 1;
    }
    expect(unsorted, 'hashes out of order').toBe(0);
    expect(equal, 'two of these ids sharing a hash (about one chance in 200,000)').toBe(0);
  });

  it('say no hash is shared by shards of different customers', () => {
    // Prepare
    const shards = [ids(0, 5000), ids(5000, 3000), ids(8000, 1), []].map((shard) => sortedIdHashes(jsonLines(shard)));

    // Act / Assess
    expect(anyHashShared(shards)).toBe(false);
    expect(anyHashShared([]), 'no shards').toBe(false);
  });

  it('find a customer in two shards wherever it sorts, and a hash twice in one shard', () => {
    // Prepare
    const first = ids(0, 5000);
    const second = ids(5000, 5000);

    // Act / Assess
    for (const repeated of ['C0', 'C2500', 'C4999']) {
      const shards = [first, [...second, repeated]].map((shard) => sortedIdHashes(jsonLines(shard)));
      expect(anyHashShared(shards), `${repeated} in both shards`).toBe(true);
      expect(anyHashShared([...shards].reverse()), `${repeated}, shards the other way round`).toBe(true);
    }
    expect(anyHashShared([Float64Array.of(1, 2, 2, 3)]), 'twice in one').toBe(true);
    expect(anyHashShared([Float64Array.of(1, 5), Float64Array.of(2, 6), Float64Array.of(3, 5)]), 'last shard').toBe(
      true,
    );
  });
});
