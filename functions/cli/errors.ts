/**
 * A command line that cannot be run as written: exit 2 with the message. `showUsage`
 * when the command line itself is wrong (a missing option), so the usage follows the message;
 * not when the line is right and what it names is not (a missing file, a stopped stack).
 */
export class UsageError extends Error {
  readonly showUsage: boolean;

  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super(message);
    this.name = 'UsageError';
    this.showUsage = options.showUsage ?? false;
  }
}
