/**
 * A command line that cannot be run as written: exit 2 with the message. `showUsage`
 * when the command line itself is wrong (a missing option), so the usage follows the message;
 * not when the line is right and what it names is not (a missing file, a stopped stack).
 * Written in both languages where it is thrown (`zh` is required, so an error without its
 * Chinese does not compile); `message` is the English, the CLI prints the run's language.
 */
export class UsageError extends Error {
  readonly showUsage: boolean;
  readonly zh: string;

  constructor(message: string, options: { zh: string; showUsage?: boolean }) {
    super(message);
    this.name = 'UsageError';
    this.zh = options.zh;
    this.showUsage = options.showUsage ?? false;
  }

  /** The text in the run's language. */
  textIn(lang: 'zh' | 'en'): string {
    return lang === 'zh' ? this.zh : this.message;
  }
}
