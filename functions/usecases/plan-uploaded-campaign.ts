/**
 * A campaign file uploaded under `campaigns/` (or handed to the plan function directly)
 * becomes a draft version, and the marketer finds the answer beside the file:
 * `reports/<key>.plan.json` (planned: the version, its diff, cost and warnings; refused:
 * every problem, each by its JSON path or state) and `reports/<key>.timeline.html`.
 */
import { PREFIX } from '../contract.ts';
import type { CostEstimate, PlanDiff } from '../domain/plan-review.ts';
import type { ObjectStorage } from '../ports/object-storage.ts';
import { bilingualPages } from '../views/page-files.ts';
import { renderTimelinePage } from '../views/timeline-page.ts';
import { CampaignError, type FieldProblem } from './errors.ts';
import type { PlanDraftResult } from './plan-draft.ts';
import { type PlanRequestDeps, planRequested } from './plan-request.ts';

export interface PlanUploadDeps extends PlanRequestDeps {
  storage: ObjectStorage;
}

export type PlanUploadRequest = {
  actor: string;
  now: number;
} & (
  | {
      /** The key as the event names it, and its decoded forms: the first that exists is read. */
      keys: string[];
      /** The upload's event sequencer: a second delivery of the same upload plans nothing new. */
      sequencer?: string;
    }
  | { campaign: unknown }
);

export type PlanUploadResult =
  | {
      status: 'planned';
      campaignId: string;
      version: number;
      /** Sends in the draft; none is scheduled until the version is approved. */
      sends: number;
      warnings: string[];
      cost: CostEstimate;
      diff?: PlanDiff;
    }
  /** A campaign from the sharded-plan threshold on: the run stores `version`, then rewrites the report. */
  | { status: 'planning'; campaignId: string; version: number; shards: number; customers: number }
  | { status: 'refused'; code: CampaignError['code']; problems: string[] }
  | { status: 'ignored'; reason: string };

export async function planUploadedCampaign(
  deps: PlanUploadDeps,
  request: PlanUploadRequest,
): Promise<PlanUploadResult> {
  let key: string | undefined;
  let campaign: unknown;
  if ('campaign' in request) campaign = request.campaign;
  else {
    const file = await readCampaignFile(deps.storage, request.keys);
    if (!file) return { status: 'ignored', reason: `no campaign file at ${request.keys[0] ?? '(no key)'}` };
    key = file.key;
    campaign = file.text;
  }
  const reportKey = key ? planReportKey(key) : undefined;
  try {
    const source = key && 'sequencer' in request && request.sequencer ? `${key}@${request.sequencer}` : undefined;
    const outcome = await planRequested(deps, {
      campaign,
      actor: request.actor,
      now: request.now,
      ...(source ? { source } : {}),
    });
    if (outcome.kind === 'planning') {
      const { kind: _kind, executionArn: _arn, ...run } = outcome;
      const planning: PlanUploadResult = { status: 'planning', ...run };
      if (reportKey) await deps.storage.put(reportKey, JSON.stringify(planning, null, 2), 'application/json');
      return planning;
    }
    const planned = plannedResult(outcome.draft);
    if (key) await writePlanReport(deps.storage, key, outcome.draft);
    return planned;
  } catch (error) {
    // Refusals are the marketer's to fix: explained beside the file, never retried.
    if (!(error instanceof CampaignError)) throw error;
    const refused: PlanUploadResult = error.details.fields
      ? refusedUpload(error.details.fields, error.code)
      : { status: 'refused', code: error.code, problems: [error.message] };
    if (reportKey) await deps.storage.put(reportKey, JSON.stringify(refused, null, 2), 'application/json');
    return refused;
  }
}

/** Where a campaign file's answer lives: `reports/<key>.plan.json`. */
export const planReportKey = (key: string) => `${PREFIX.reports}${key}.plan.json`;

/** The answer beside a refused file: its problems, each by field. */
export function refusedUpload(
  fields: readonly FieldProblem[],
  code: CampaignError['code'] = 'invalid-request',
): Extract<PlanUploadResult, { status: 'refused' }> {
  return { status: 'refused', code, problems: fields.map((field) => `${field.path}: ${field.message}`) };
}

function plannedResult(result: Omit<PlanDraftResult, 'replayed'>): PlanUploadResult {
  return {
    status: 'planned',
    campaignId: result.campaign.id,
    version: result.version,
    sends: result.timeline.sends.length,
    warnings: result.warnings,
    cost: result.cost,
    ...(result.diff ? { diff: result.diff } : {}),
  };
}

/**
 * `reports/<key>.plan.json` and `reports/<key>.timeline.html` (and its English twin) of a
 * campaign file planned into a draft: by the plan function, or by the sharded plan's finish
 * for an upload it planned.
 */
export async function writePlanReport(
  storage: Pick<ObjectStorage, 'put'>,
  key: string,
  result: Omit<PlanDraftResult, 'replayed'>,
): Promise<void> {
  for (const page of bilingualPages(`${PREFIX.reports}${key}.timeline`, (lang, otherHref) =>
    renderTimelinePage(result.timeline, { lang, otherHref }),
  ))
    await storage.put(page.path, page.html, 'text/html; charset=utf-8');
  await storage.put(
    planReportKey(key),
    JSON.stringify({ ...plannedResult(result), state: result.lifecycle.state, timeline: result.timeline }, null, 2),
    'application/json',
  );
}

async function readCampaignFile(
  storage: ObjectStorage,
  candidates: string[],
): Promise<{ key: string; text: string } | undefined> {
  for (const key of candidates) {
    if (!key.startsWith(PREFIX.campaigns)) continue;
    if (!(await storage.head(key))) continue;
    const chunks: Uint8Array[] = [];
    for await (const chunk of storage.read(key)) chunks.push(chunk);
    return { key, text: Buffer.concat(chunks).toString('utf8') };
  }
  return undefined;
}
