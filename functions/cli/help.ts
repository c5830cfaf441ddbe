/**
 * What `campaign <command> --help` prints: what the command does, every option with its
 * default, what it writes, its exit codes and an example. One structure per command, so
 * every help reads the same way and a test can check that no option is left out.
 */

import type { Lang } from '../domain/i18n.ts';
import { HELP_WORDS } from './help-zh.ts';

export interface OptionHelp {
  /** `--out DIR`, `--quiet`. */
  flag: string;
  /** What it means; lines break where the text has `\n`. */
  text: string;
  /** The default in words, or `required` (with how often, when it may repeat). */
  default?: string;
  required?: true | string;
  /** The same in Chinese (the CLI's default language): required, so an option without it does not compile. */
  zh: { text: string; default?: string; required?: string };
}

export interface CommandHelp {
  /** `campaign plan` */
  name: string;
  /** One line: what the command does. */
  summary: string;
  usage: string;
  /** A few lines on what it does, before the options. */
  description: string[];
  options: OptionHelp[];
  /** What it writes, where. */
  outputs: string[];
  exitCodes: string[];
  /** Whole command lines; a long one breaks with `\n` and is indented after the break. */
  examples: string[];
  /** What it writes and its exit codes, in Chinese: required, like every option's `zh`. */
  zh: { outputs: string[]; exitCodes: string[] };
}

/** Every command takes these two. */
export const COMMON_OPTIONS: OptionHelp[] = [
  {
    flag: '--quiet',
    text: 'print no progress and no summary; warnings and errors still go to stderr',
    default: 'off',
    zh: { text: '不打印进度和摘要；提醒和错误仍写到 stderr', default: '关' },
  },
  { flag: '-h, --help', text: 'print this help on stdout and exit 0', zh: { text: '在 stdout 打印本说明并以 0 退出' } },
];

const INDENT = '  ';

/** A command's help in `lang`: in Chinese its summary and description from `zh`, and every heading. */
export function renderHelp(
  help: CommandHelp,
  lang: Lang = 'en',
  zh?: { summary: string; description: readonly string[] },
): string {
  const w = HELP_WORDS[lang];
  const chinese = lang === 'zh' && zh !== undefined;
  const width = Math.max(...help.options.map((option) => option.flag.length));
  const lines: string[] = [
    `${help.name}${lang === 'zh' ? ' — ' : ': '}${chinese ? zh.summary : help.summary}`,
    '',
    `${w.usage}${w.colon}${help.usage}`,
    '',
  ];
  lines.push(...(chinese ? zh.description : help.description), '', `${w.options}${w.colon.trim()}`);
  for (const option of help.options) {
    const words = lang === 'zh' ? option.zh : option;
    const [first = '', ...rest] = words.text.split('\n');
    lines.push(`${INDENT}${option.flag.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`${INDENT}${' '.repeat(width)}  ${line}`);
    const how = lang === 'zh' ? option.zh.required : option.required;
    const fallback = lang === 'zh' ? option.zh.default : option.default;
    const note = option.required
      ? `${w.required}${how === true || how === undefined ? '' : `${w.comma}${how}`}`
      : option.default !== undefined
        ? `${w.default}${w.colon}${fallback ?? option.default}`
        : undefined;
    if (note) lines.push(`${INDENT}${' '.repeat(width)}  ${w.parens(note)}`);
  }
  const outputs = lang === 'zh' ? help.zh.outputs : help.outputs;
  const exitCodes = lang === 'zh' ? help.zh.exitCodes : help.exitCodes;
  if (outputs.length > 0) lines.push('', `${w.writes}${w.colon.trim()}`, ...outputs.map((line) => `${INDENT}${line}`));
  lines.push('', `${w.exitCodes}${w.colon.trim()}`, ...exitCodes.map((line) => `${INDENT}${line}`));
  lines.push('', `${help.examples.length > 1 ? w.examples : w.example}${w.colon.trim()}`);
  for (const example of help.examples) {
    const [first = '', ...rest] = example.split('\n');
    lines.push(`${INDENT}${first}${rest.length > 0 ? ' \\' : ''}`);
    rest.forEach((line, index) => {
      lines.push(`${INDENT}${INDENT}${line}${index < rest.length - 1 ? ' \\' : ''}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

/** The short form that follows a wrong command line on stderr. */
export function usageHint(help: Pick<CommandHelp, 'name' | 'usage'>, lang: Lang = 'en'): string {
  const w = HELP_WORDS[lang];
  return `${w.usage}${w.colon}${help.usage}\n${w.moreHelp(help.name)}\n`;
}
