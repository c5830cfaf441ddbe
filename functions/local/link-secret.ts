/**
 * The link key of `npm start`: generated on the first start and kept in the data dir
 * (git-ignored, readable by its owner only), so the links in mail sent before a restart
 * still work after it. Never printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LINK_SECRET_FILE = 'link-secret';

export async function persistentLinkSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, LINK_SECRET_FILE);
  try {
    const kept = (await readFile(path, 'utf8')).trim();
    if (kept.length >= 16) return kept;
    throw new Error(`${path} holds no usable link key (under 16 characters): delete it to make a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // `wx`: a second start racing this one keeps the first one's key.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readFile(path, 'utf8')).trim();
  }
}
