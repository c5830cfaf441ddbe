/** The local stand-in for the SNS opt-out list: a set of E.164 numbers, given or added to. */
import type { SmsOptOutCheck, SmsOptOuts } from '../../ports/opt-outs.ts';

export class LocalSmsOptOuts implements SmsOptOuts, SmsOptOutCheck {
  private readonly numbers: Set<string>;

  constructor(numbers: Iterable<string> = []) {
    this.numbers = new Set(numbers);
  }

  /** The customer replied 回T退订 (STOP). */
  optOut(phone: string): void {
    this.numbers.add(phone);
  }

  has(phone: string): boolean {
    return this.numbers.has(phone);
  }

  async isOptedOut(phone: string): Promise<boolean> {
    return this.numbers.has(phone);
  }

  /** A copy: later opt-outs do not change a list already read. */
  async list(): Promise<Set<string>> {
    return new Set(this.numbers);
  }
}
