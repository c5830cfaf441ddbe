/**
 * The `campaign` command line. Exit codes: 0 success, 2 invalid input (the message on
 * stderr names the field, path or line), 1 anything unexpected.
 */
import { CampaignFileError } from '../domain/campaign.ts';
import { SegmentFileError } from '../domain/segment-reader.ts';
import { UsageError } from './errors.ts';
import { IMPORT_USAGE, runImport } from './import-command.ts';
import { PLAN_USAGE, runPlan } from './plan-command.ts';
import { runSample, SAMPLE_USAGE } from './sample-command.ts';
import { runSimulate, SIMULATE_USAGE } from './simulate-command.ts';

const COMMANDS: Record<string, { usage: string; run: (args: string[]) => Promise<number> }> = {
  plan: { usage: PLAN_USAGE, run: runPlan },
  sample: { usage: SAMPLE_USAGE, run: runSample },
  import: { usage: IMPORT_USAGE, run: runImport },
  simulate: { usage: SIMULATE_USAGE, run: runSimulate },
};

function usage(): string {
  return `usage:\n${Object.values(COMMANDS)
    .map((command) => `  ${command.usage}`)
    .join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`campaign: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CampaignFileError) {
      process.stderr.write(`campaign ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof SegmentFileError || error instanceof UsageError) {
      process.stderr.write(`campaign ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`campaign ${name}: ${error.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`campaign ${name}: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
