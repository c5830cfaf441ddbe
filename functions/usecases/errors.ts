/**
 * The refusals of the marketer's actions (plan, approve, pause, resume, cancel, test send,
 * read), one typed error for all of them. The code says what kind of refusal it is and
 * decides the HTTP status in one place (handlers/http.ts); the details name what the
 * caller needs to put it right: the state, the current version, the sends, the fields.
 */

import type { Role } from '../contract.ts';
import type { CampaignFileError } from '../domain/campaign.ts';
import type { CampaignState, LifecycleRefusal } from '../domain/campaign-lifecycle.ts';

export const CAMPAIGN_ERROR_CODES = [
  'unknown-campaign',
  'wrong-state',
  'stale-version',
  'past-window',
  'send-started',
  'plan-conflict',
  'unknown-wave',
  'not-test-recipient',
  'invalid-request',
  'unauthenticated',
  'forbidden',
] as const;
export type CampaignErrorCode = (typeof CAMPAIGN_ERROR_CODES)[number];

/** One problem of a request body or campaign file, by its JSON path (`waves[2].sms`). */
export interface FieldProblem {
  path: string;
  message: string;
}

export interface CampaignErrorDetails {
  /** wrong-state: the state the campaign is in. */
  state?: CampaignState;
  /** stale-version: the version to approve instead. */
  currentVersion?: number;
  /** send-started: the sends a version would change, left as they are. */
  sendIds?: string[];
  /** unknown-wave. */
  waveId?: string;
  /** invalid-request: every problem, each by its path. */
  fields?: FieldProblem[];
  /** forbidden: the role the action needs. */
  requiredRole?: Role;
}

export class CampaignError extends Error {
  constructor(
    readonly code: CampaignErrorCode,
    message: string,
    readonly details: CampaignErrorDetails = {},
  ) {
    super(message);
    this.name = 'CampaignError';
  }
}

/** The state machine's refusal as the error the caller sees. */
export function refusalError(refusal: LifecycleRefusal): CampaignError {
  switch (refusal.code) {
    case 'unknown-campaign':
      return new CampaignError('unknown-campaign', refusal.message);
    case 'wrong-state':
      return new CampaignError('wrong-state', refusal.message, { state: refusal.state });
    case 'stale-version':
      return new CampaignError('stale-version', refusal.message, { currentVersion: refusal.current });
    case 'past-window':
      return new CampaignError('past-window', refusal.message);
    case 'unknown-wave':
      return new CampaignError('unknown-wave', refusal.message, { waveId: refusal.waveId });
  }
}

export function invalidRequest(fields: FieldProblem[]): CampaignError {
  return new CampaignError('invalid-request', fields.map((field) => `${field.path}: ${field.message}`).join('; '), {
    fields,
  });
}

/** A campaign file's problems (each by its JSON path) as an invalid request. */
export function invalidCampaign(error: CampaignFileError): CampaignError {
  return invalidRequest(error.problems);
}

export function unknownCampaign(campaignId: string): CampaignError {
  return new CampaignError('unknown-campaign', `no campaign ${campaignId}: plan it first (upload or PUT)`);
}
