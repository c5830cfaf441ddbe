/**
 * What a marketer's request can be refused for, typed, so one place maps each code to its
 * HTTP status (unknown campaign 404, wrong state 409, bad request 400, ...). A message says
 * which field, state or version is wrong, and never carries personal data unmasked.
 */

export type CampaignErrorCode =
  | 'invalid-request'
  | 'unknown-campaign'
  | 'unknown-wave'
  | 'wrong-state'
  | 'stale-version'
  | 'past-window'
  | 'not-test-recipient';

export class CampaignError extends Error {
  constructor(
    readonly code: CampaignErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CampaignError';
  }
}
