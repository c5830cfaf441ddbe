/** Phone numbers that opted out at the provider (SNS keeps its own list: 回T退订 replies). */
export interface SmsOptOuts {
  /** Every opted-out number, E.164; read once before a wave, not per message. */
  list(): Promise<Set<string>>;
}

/** One number's SMS opt-out, asked when one message is due (a triggered reminder), not a whole list. */
export interface SmsOptOutCheck {
  isOptedOut(phone: string): Promise<boolean>;
}
