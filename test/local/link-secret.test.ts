import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LINK_SECRET_FILE, persistentLinkSecret } from '../../functions/local/link-secret.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'link-secret-test-'));
  dirs.push(dir);
  return dir;
}

describe("npm start's link key", () => {
  it('is generated once, kept owner-only in the data dir, and the same after a restart', async () => {
    // Prepare
    const dataDir = join(await freshDir(), '.local-data');

    // Act
    const first = await persistentLinkSecret(dataDir);
    const afterRestart = await persistentLinkSecret(dataDir);

    // Assess
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(afterRestart).toBe(first);
    expect((await readFile(join(dataDir, LINK_SECRET_FILE), 'utf8')).trim()).toBe(first);
    expect((await stat(join(dataDir, LINK_SECRET_FILE))).mode & 0o077, 'readable by its owner only').toBe(0);
  });

  it('is a different one in another data dir, and two starts at once agree on one', async () => {
    // Prepare
    const [a, b] = [await freshDir(), await freshDir()];

    // Act
    const racing = await Promise.all([persistentLinkSecret(a), persistentLinkSecret(a)]);
    const other = await persistentLinkSecret(b);

    // Assess
    expect(racing[0]).toBe(racing[1]);
    expect(other).not.toBe(racing[0]);
  });

  it('refuses a kept file that holds no usable key, naming it', async () => {
    // Prepare
    const dataDir = await freshDir();
    await writeFile(join(dataDir, LINK_SECRET_FILE), 'short\n');

    // Act / Assess
    await expect(persistentLinkSecret(dataDir)).rejects.toThrow(/link-secret holds no usable link key/);
  });
});
