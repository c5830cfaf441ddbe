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
}

/** Every command takes these two. */
export const COMMON_OPTIONS: OptionHelp[] = [
  {
    flag: '--quiet',
    text: 'print no progress and no summary; warnings and errors still go to stderr',
    default: 'off',
  },
  { flag: '-h, --help', text: 'print this help on stdout and exit 0' },
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
    `${w.usage}: ${help.usage}`,
    '',
  ];
  lines.push(...(chinese ? zh.description : help.description), '', `${w.options}:`);
  for (const option of help.options) {
    const [first = '', ...rest] = option.text.split('\n');
    lines.push(`${INDENT}${option.flag.padEnd(width)}  ${first}`);
    for (const line of rest) lines.push(`${INDENT}${' '.repeat(width)}  ${line}`);
    const note = option.required
      ? `${w.required}${option.required === true ? '' : `, ${option.required}`}`
      : option.default !== undefined
        ? `${w.default}: ${option.default}`
        : undefined;
    if (note) lines.push(`${INDENT}${' '.repeat(width)}  (${note})`);
  }
  if (help.outputs.length > 0) lines.push('', `${w.writes}:`, ...help.outputs.map((line) => `${INDENT}${line}`));
  lines.push('', `${w.exitCodes}:`, ...help.exitCodes.map((line) => `${INDENT}${line}`));
  lines.push('', `${help.examples.length > 1 ? w.examples : w.example}:`);
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
  return `${w.usage}: ${help.usage}\n${w.moreHelp(help.name)}\n`;
}
