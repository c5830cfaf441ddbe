/**
 * The local SMS provider: an adapter of the SmsSender port that records every message it
 * accepts and ENFORCES a rate like an SNS account quota. In each clock second
 * (floor(now / 1000)) it accepts at most `ratePerSecond` messages and refuses the rest with
 * the same ThrottledError the SNS adapter raises, so the sender's pacing and back-off run
 * here exactly as on AWS. Like SNS it refuses a number that is not E.164 (and, if told,
 * an opted-out one) for good.
 */
import { RejectedMessageError, type SmsMessage, type SmsSender, ThrottledError } from '../../ports/sms.ts';

export interface SinkMessage {
  messageId: string;
  phone: string;
  text: string;
  tags: SmsMessage['tags'];
  /** The registered template id the sender named, as a provider would receive it. */
  templateId?: string;
  /** clock.now() when accepted, epoch ms. */
  at: number;
}

export interface SinkSummary {
  /** Messages accepted. */
  count: number;
  /** Sends refused with ThrottledError. */
  throttled: number;
  /** Sends refused for good (RejectedMessageError). */
  rejected: number;
  /** Accepted messages per clock second (epoch seconds), in time order. */
  perSecond: { second: number; count: number }[];
  /** The most accepted in any one second (0 when none). */
  maxPerSecond: number;
  firstAt: number | undefined;
  lastAt: number | undefined;
}

export interface LocalSmsSinkOptions {
  /** Messages accepted per clock second; undefined = unlimited. */
  ratePerSecond: number | undefined;
  clock: { now(): number };
  /** Numbers the "provider" knows opted out: refused like SNS OptedOut. */
  isOptedOut?: (phone: string) => boolean;
}

const E164 = /^\+[1-9]\d{6,14}$/;

export class LocalSmsSink implements SmsSender {
  private readonly records: SinkMessage[] = [];
  /** Accepted per clock second: a map, so a clock that steps back cannot reopen a full second. */
  private readonly acceptedPerSecond = new Map<number, number>();
  private throttledCount = 0;
  private rejectedCount = 0;
  /** Never reset: message ids stay unique for the sink's life, across clear(). */
  private sequence = 0;

  constructor(private readonly options: LocalSmsSinkOptions) {
    const rate = options.ratePerSecond;
    if (rate !== undefined && !(Number.isInteger(rate) && rate > 0)) {
      throw new RangeError(`ratePerSecond must be a positive integer or undefined, not ${rate}`);
    }
  }

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    if (!E164.test(message.phone)) {
      this.rejectedCount += 1;
      throw new RejectedMessageError(`InvalidParameter: PhoneNumber is not E.164: ${message.phone}`);
    }
    if (message.text === '') {
      this.rejectedCount += 1;
      throw new RejectedMessageError('InvalidParameter: empty message');
    }
    if (this.options.isOptedOut?.(message.phone)) {
      this.rejectedCount += 1;
      throw new RejectedMessageError(`OptedOut: ${message.phone} opted out`);
    }
    // Check and record in one synchronous step: concurrent sends cannot both take the last slot.
    const now = this.options.clock.now();
    const second = Math.floor(now / 1000);
    const accepted = this.acceptedPerSecond.get(second) ?? 0;
    const rate = this.options.ratePerSecond;
    if (rate !== undefined && accepted >= rate) {
      this.throttledCount += 1;
      throw new ThrottledError(`local SMS sink: ${rate} msg/s reached in second ${second}`);
    }
    this.acceptedPerSecond.set(second, accepted + 1);
    this.sequence += 1;
    const messageId = `local-sms-${String(this.sequence).padStart(6, '0')}`;
    const record: SinkMessage = {
      messageId,
      phone: message.phone,
      text: message.text,
      tags: { ...message.tags },
      at: now,
    };
    if (message.templateId !== undefined) record.templateId = message.templateId;
    this.records.push(record);
    return { messageId };
  }

  /** Accepted messages, in the order they were accepted. */
  messages(): readonly SinkMessage[] {
    return this.records;
  }

  /** Forgets the messages and counts (message ids keep counting up). */
  clear(): void {
    this.records.length = 0;
    this.acceptedPerSecond.clear();
    this.throttledCount = 0;
    this.rejectedCount = 0;
  }

  summary(): SinkSummary {
    const perSecond = [...this.acceptedPerSecond]
      .map(([second, count]) => ({ second, count }))
      .sort((a, b) => a.second - b.second);
    let firstAt: number | undefined;
    let lastAt: number | undefined;
    for (const record of this.records) {
      if (firstAt === undefined || record.at < firstAt) firstAt = record.at;
      if (lastAt === undefined || record.at > lastAt) lastAt = record.at;
    }
    return {
      count: this.records.length,
      throttled: this.throttledCount,
      rejected: this.rejectedCount,
      perSecond,
      maxPerSecond: perSecond.reduce((max, entry) => Math.max(max, entry.count), 0),
      firstAt,
      lastAt,
    };
  }
}
