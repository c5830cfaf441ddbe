/**
 * The `campaign` CLI run in-process as a user runs it, what it prints captured and also
 * handed to vitest (which shows it only when the test fails), so a passing run stays quiet.
 */
import { readFile } from 'node:fs/promises';
import { vi } from 'vitest';
import { main } from '../../functions/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `campaign ...args`. The messages are Chinese by default; these runs ask for English
 * (`--lang en`) because most tests read English words; `{ lang: 'zh' }` runs as a marketer does.
 */
export async function runCli(args: string[], options: { lang?: 'zh' | 'en' } = {}): Promise<CliRun> {
  const lang = options.lang ?? 'en';
  let stdout = '';
  let stderr = '';
  const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    console.error(String(chunk).trimEnd());
    return true;
  });
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    console.log(String(chunk).trimEnd());
    return true;
  });
  try {
    return { code: await main(lang === 'en' ? [...args, '--lang', 'en'] : args), stdout, stderr };
  } finally {
    errSpy.mockRestore();
    outSpy.mockRestore();
  }
}

/** A JSON Lines file the CLI wrote, one value per line. */
export async function jsonLines<T>(path: string): Promise<T[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
