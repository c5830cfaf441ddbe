/**
 * Progress on stderr for long work (reading files, planning, simulating). On a terminal a
 * single line is redrawn; elsewhere (CI, pipes) a line is printed at most every few seconds.
 */
export interface Progress {
  update(text: string): void;
  done(text: string): void;
}

export function progressOn(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { update: () => {}, done: () => {} };
  // Off a terminal, the first line waits a few seconds too: short work prints only its result.
  let lastPrint = stream.isTTY ? 0 : Date.now();
  let drawn = false;
  return {
    update(text) {
      const now = Date.now();
      if (stream.isTTY) {
        if (now - lastPrint < 100) return;
        stream.write(`\r\u001b[2K${text}`);
        drawn = true;
      } else {
        if (now - lastPrint < 5000) return;
        stream.write(`${text}\n`);
      }
      lastPrint = now;
    },
    done(text) {
      if (stream.isTTY && drawn) stream.write('\r\u001b[2K');
      drawn = false;
      stream.write(`${text}\n`);
    },
  };
}

/** `[#######.......]  45%` */
export function bar(fraction: number, width = 24): string {
  const clamped = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}%`;
}

export { formatCount } from '../domain/text.ts';
