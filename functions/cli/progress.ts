/**
 * A command's output, on the stream each kind belongs to: results (what the command made,
 * its summary) on stdout, so they can be piped or saved; progress, warnings and notes on
 * stderr. Progress on a terminal is a single line redrawn in place; elsewhere (CI, pipes)
 * a line is printed at most every few seconds.
 */
export interface Progress {
  /** Transient progress, stderr. */
  update(text: string): void;
  /** A lasting progress line, stderr. */
  done(text: string): void;
  /** A result line, stdout. */
  result(text: string): void;
  /** A warning or a note, stderr; `quiet` does not silence it. */
  warn(text: string): void;
}

export function progressOn(
  stream: NodeJS.WriteStream = process.stderr,
  quiet = false,
  out: NodeJS.WritableStream = process.stdout,
): Progress {
  // Off a terminal, the first line waits a few seconds too: short work prints only its result.
  let lastPrint = stream.isTTY ? 0 : Date.now();
  let drawn = false;
  /** Clears a redrawn progress line before anything lasting is printed, on either stream. */
  const clear = () => {
    if (stream.isTTY && drawn) stream.write('\r\u001b[2K');
    drawn = false;
  };
  const warn = (text: string) => {
    clear();
    stream.write(`${text}\n`);
  };
  if (quiet) return { update: () => {}, done: () => {}, result: () => {}, warn };
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
      clear();
      stream.write(`${text}\n`);
    },
    result(text) {
      clear();
      out.write(`${text}\n`);
    },
    warn,
  };
}

/** `[#######.......]  45%` */
export function bar(fraction: number, width = 24): string {
  const clamped = Math.max(0, Math.min(1, fraction));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}%`;
}

export { formatCount } from '../domain/text.ts';
