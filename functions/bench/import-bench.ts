/**
 * One import measurement in its own process (so peak memory is the import's alone): the
 * import use case reads a segment file from the local S3 and writes the local DynamoDB,
 * exactly as the handler does. Prints one JSON line.
 */

import { importDependencies } from '../composition.ts';
import type { LocalConfig } from '../config.ts';
import { importSegment } from '../usecases/import-segment.ts';

const [configJson, key] = process.argv.slice(2) as [string, string];
const config = JSON.parse(configJson) as LocalConfig;
const deps = importDependencies(config, {
  log: { info: () => {}, warn: () => {} },
  deliverLocally: async () => undefined,
});
const started = performance.now();
const outcome = await importSegment(deps, { keys: [key], remainingMs: () => Number.POSITIVE_INFINITY });
const seconds = (performance.now() - started) / 1000;
if (outcome.kind !== 'imported') throw new Error(`import ended as ${outcome.kind}`);
process.stdout.write(
  `${JSON.stringify({
    seconds,
    rows: outcome.record.rows,
    imported: outcome.record.imported,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
