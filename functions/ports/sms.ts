/** Sending one SMS (SNS on AWS; the local SMS sink here). */

/** What ties a message back to its send; `test` marks a test send's message (never part of the plan). */
export interface MessageTags {
  campaignId: string;
  waveId: string;
  sendId: string;
  customerId: string;
  test?: true;
}

export interface SmsMessage {
  /** E.164. */
  phone: string;
  text: string;
  /** Carried to the provider for tracing and to the sink's record. */
  tags: MessageTags;
  /**
   * The id the provider registered this text under (the campaign's `registeredTemplates`),
   * when it is a registered text: regulated destinations refuse a marketing SMS without one.
   */
  templateId?: string;
}

export interface SmsSender {
  /** Hands one message to the provider; resolves with its message id. */
  send(message: SmsMessage): Promise<{ messageId: string }>;
}

/** The provider refused for rate: retry after a pause (the sender backs off). */
export class ThrottledError extends Error {
  constructor(message = 'throttled by the provider') {
    super(message);
    this.name = 'ThrottledError';
  }
}

/** The provider refused this message for good (invalid number, opted out, ...): never retried. */
export class RejectedMessageError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RejectedMessageError';
  }
}
