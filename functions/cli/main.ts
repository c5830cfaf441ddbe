/**
 * The `campaign` command line. Exit codes: 0 success, 2 invalid input (the message on
 * stderr names the field, path or line), 1 anything unexpected. Results go to stdout;
 * progress, warnings and errors to stderr. `--help` (or `-h`) on any command prints its
 * help on stdout and exits 0.
 */
import { CampaignFileError } from '../domain/campaign.ts';
import type { Lang } from '../domain/i18n.ts';
import { SegmentFileError } from '../domain/segment-reader.ts';
import { CONTROL_COMMANDS } from './control-commands.ts';
import { UsageError } from './errors.ts';
import { type CommandHelp, renderHelp, usageHint } from './help.ts';
import { API_DESCRIPTION_ZH, type CliCommand, COMMAND_TEXTS_ZH, HELP_WORDS } from './help-zh.ts';
import { campaignMessage, cliLang, cliTexts, LANG_ENV, setCliLang, takeLang } from './messages.ts';

interface Command {
  help: CommandHelp;
  run: (args: string[]) => Promise<number>;
}

/**
 * The local commands' modules, loaded when one of them runs: `campaign plan` does not load
 * the AWS SDK and the local stack that import and simulate use, nor exceljs before a
 * workbook is read (together seconds of start-up on every run).
 */
const LOCAL_COMMANDS: Record<Exclude<CliCommand, keyof typeof CONTROL_COMMANDS>, () => Promise<Command>> = {
  plan: async () => {
    const { PLAN_HELP, runPlan } = await import('./plan-command.ts');
    return { help: PLAN_HELP, run: runPlan };
  },
  sample: async () => {
    const { SAMPLE_HELP, runSample } = await import('./sample-command.ts');
    return { help: SAMPLE_HELP, run: runSample };
  },
  import: async () => {
    const { IMPORT_HELP, runImport } = await import('./import-command.ts');
    return { help: IMPORT_HELP, run: runImport };
  },
  simulate: async () => {
    const { SIMULATE_HELP, runSimulate } = await import('./simulate-command.ts');
    return { help: SIMULATE_HELP, run: runSimulate };
  },
};

/** Every command in the order the overview lists them. */
const COMMAND_NAMES = [...Object.keys(LOCAL_COMMANDS), ...Object.keys(CONTROL_COMMANDS)] as CliCommand[];

const isCommand = (name: string): name is CliCommand => COMMAND_NAMES.includes(name as CliCommand);

function commandOf(name: CliCommand): Promise<Command> {
  if (Object.hasOwn(CONTROL_COMMANDS, name))
    return Promise.resolve(CONTROL_COMMANDS[name as keyof typeof CONTROL_COMMANDS]);
  return LOCAL_COMMANDS[name as keyof typeof LOCAL_COMMANDS]();
}

/** A command's help in the run's language (the Chinese of a command that calls the API ends with how it does). */
async function helpOf(name: CliCommand): Promise<string> {
  const zh = COMMAND_TEXTS_ZH[name];
  const api = Object.hasOwn(CONTROL_COMMANDS, name) ? API_DESCRIPTION_ZH : [];
  const { help } = await commandOf(name);
  return renderHelp(help, cliLang(), { summary: zh.summary, description: [...zh.description, ...api] });
}

async function overview(): Promise<string> {
  const lang = cliLang();
  const w = HELP_WORDS[lang].overview;
  const names = COMMAND_NAMES;
  const width = Math.max(...names.map((name) => name.length));
  // English summaries are in the commands' help, so the overview in English loads every command.
  const english = new Map<CliCommand, string>();
  if (lang !== 'zh') for (const name of names) english.set(name, (await commandOf(name)).help.summary);
  const summary = (name: CliCommand): string =>
    lang === 'zh' ? COMMAND_TEXTS_ZH[name].summary : (english.get(name) as string);
  return [
    w.title,
    '',
    `${HELP_WORDS[lang].usage}${HELP_WORDS[lang].colon}campaign <command> [options]`,
    // Under the first line's command: "用法：" is as wide as six Latin letters, "usage: " seven.
    `${' '.repeat(lang === 'zh' ? 6 : 7)}campaign <command> --help`,
    '',
    `${w.commands}${HELP_WORDS[lang].colon.trim()}`,
    ...names.map((name) => `  ${name.padEnd(width)}  ${summary(name)}`),
    '',
    ...w.lines(LANG_ENV),
    '',
    `${HELP_WORDS[lang].examples}${HELP_WORDS[lang].colon.trim()}`,
    '  campaign sample --customers 50000 --now 2026-10-20T12:00:00+08:00 --out out/customers.csv',
    '  campaign plan --campaign functions/sample/d11-2026.campaign.json \\',
    '    --customers out/customers.csv --now 2026-10-20T12:00:00+08:00 --out out/plan',
    '  campaign status d11-2026',
    '  campaign test-send d11-2026 --wave presale --to +8613800138000 --to me@store.cn',
    '',
  ].join('\n');
}

const MAIN_TEXTS: Record<Lang, { giveCommand: string; unknownCommand: (name: string) => string }> = {
  zh: { giveCommand: '请给出一个命令', unknownCommand: (name) => `没有 "${name}" 这个命令` },
  en: { giveCommand: 'give a command', unknownCommand: (name) => `unknown command "${name}"` },
};

/**
 * node:util parseArgs's refusals, in the run's language: an unknown option, an option without
 * its value or with one it does not take, a stray argument. Its own English stays for the rest.
 */
export function argsProblem(error: TypeError, lang: Lang): string {
  if (lang === 'en') return error.message;
  const code = (error as { code?: string }).code;
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `没有 ${quoted} 这个选项（--help 列出所有选项）`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `多余的参数 "${quoted}"：这个命令不接受它`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = quoted.split(' ')[0] ?? quoted;
    return /does not take an argument/.test(error.message) ? `${flag} 不带值` : `${flag} 缺少它的值（${quoted}）`;
  }
  return error.message;
}

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h';
}

export async function main(argv: string[]): Promise<number> {
  let name: string | undefined;
  let args: string[];
  try {
    const taken = takeLang(argv);
    setCliLang(taken.lang);
    [name, ...args] = taken.args;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The language itself is what is wrong: say it in both.
    process.stderr.write(`campaign: ${error.zh}\ncampaign: ${error.message}\n`);
    return 2;
  }
  if (name === undefined) {
    process.stderr.write(`campaign: ${MAIN_TEXTS[cliLang()].giveCommand}\n${await overview()}`);
    return 2;
  }
  if (isHelp(name) || name === 'help') {
    const topic = name === 'help' ? args[0] : undefined;
    if (topic === undefined) {
      process.stdout.write(await overview());
      return 0;
    }
    if (!isCommand(topic)) {
      process.stderr.write(`campaign: ${MAIN_TEXTS[cliLang()].unknownCommand(topic)}\n${await overview()}`);
      return 2;
    }
    process.stdout.write(await helpOf(topic));
    return 0;
  }
  if (!isCommand(name)) {
    process.stderr.write(`campaign: ${MAIN_TEXTS[cliLang()].unknownCommand(name)}\n${await overview()}`);
    return 2;
  }
  const command = await commandOf(name);
  if (args.some(isHelp)) {
    process.stdout.write(await helpOf(name));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CampaignFileError) {
      const lines = error.problems.map((p) => `  ${p.path}: ${campaignMessage(p.message)}`);
      process.stderr.write(
        `campaign ${name}: ${cliTexts().campaignInvalid(error.problems.length)}\n${lines.join('\n')}\n`,
      );
      return 2;
    }
    if (error instanceof SegmentFileError) {
      process.stderr.write(`campaign ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError) {
      process.stderr.write(
        `campaign ${name}: ${error.textIn(cliLang())}\n${error.showUsage ? usageHint(command.help, cliLang()) : ''}`,
      );
      return 2;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`campaign ${name}: ${argsProblem(error, cliLang())}\n${usageHint(command.help, cliLang())}`);
      return 2;
    }
    process.stderr.write(`campaign ${name}: ${cliTexts().unexpected}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
