/**
 * The Powertools log lines written while a test runs. The tests run with POWERTOOLS_DEV=true
 * (vitest.config.ts), so the loggers write through the global console, one JSON document
 * per call; this reads them back instead of letting them through.
 */
import { vi } from 'vitest';

export type LogLine = Record<string, unknown> & { level: string; message: string; service: string };

const METHODS = ['debug', 'info', 'warn', 'error'] as const;

export function captureLogLines(): { lines: LogLine[]; raw: string[]; restore(): void } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const spies = METHODS.map((method) =>
    vi.spyOn(console, method).mockImplementation((text: unknown) => {
      raw.push(String(text));
      try {
        lines.push(JSON.parse(String(text)) as LogLine);
      } catch {
        // Not a Powertools line (an SDK notice, say): kept in raw only.
      }
    }),
  );
  const restore = () => {
    for (const spy of spies) spy.mockRestore();
  };
  return { lines, raw, restore };
}
