/** The shard processes' environment: glibc's huge-page tunable added, never replacing what was set. */
import { describe, expect, it } from 'vitest';
import { withHugePages } from '../../functions/local/huge-pages.ts';

describe('withHugePages', () => {
  it.each([
    ['nothing set', undefined, 'glibc.malloc.hugetlb=1'],
    ['another tunable', 'glibc.malloc.arena_max=2', 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1'],
    ['huge pages turned off', 'glibc.malloc.hugetlb=0', 'glibc.malloc.hugetlb=0'],
    [
      'explicit huge pages among others',
      'glibc.malloc.hugetlb=2:glibc.malloc.arena_max=2',
      'glibc.malloc.hugetlb=2:glibc.malloc.arena_max=2',
    ],
  ])('with %s gives GLIBC_TUNABLES=%s', (_, tunables, expected) => {
    // Prepare
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin',
      ...(tunables === undefined ? {} : { GLIBC_TUNABLES: tunables }),
    };

    // Act
    const result = withHugePages(env);

    // Assess
    expect(result.GLIBC_TUNABLES).toBe(expected);
    expect(result.PATH, 'the rest of the environment kept').toBe('/usr/bin');
    expect(env.GLIBC_TUNABLES, 'the given environment unchanged').toBe(tunables);
  });
});
