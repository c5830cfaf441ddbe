/** Phone numbers that opted out at the provider (SNS keeps its own list: 回T退订 replies). */
export interface SmsOptOuts {
  /** Every opted-out number, E.164; read once before a wave, not per message. */
  list(): Promise<Set<string>>;
}
