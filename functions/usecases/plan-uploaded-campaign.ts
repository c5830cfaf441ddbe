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
import { CampaignError } from './errors.ts';
import { type PlanDraftDeps, planDraft } from './plan-draft.ts';

export interface PlanUploadDeps extends PlanDraftDeps {
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
  const reportKey = key ? `${PREFIX.reports}${key}.plan.json` : undefined;
  try {
    const source = key && 'sequencer' in request && request.sequencer ? `${key}@${request.sequencer}` : undefined;
    const result = await planDraft(deps, {
      campaign,
      actor: request.actor,
      now: request.now,
      ...(source ? { source } : {}),
    });
    const planned: PlanUploadResult = {
      status: 'planned',
      campaignId: result.campaign.id,
      version: result.version,
      sends: result.timeline.sends.length,
      warnings: result.warnings,
      cost: result.cost,
      ...(result.diff ? { diff: result.diff } : {}),
    };
    if (key && reportKey) {
      for (const page of bilingualPages(`${PREFIX.reports}${key}.timeline`, (lang, otherHref) =>
        renderTimelinePage(result.timeline, { lang, otherHref }),
      ))
        await deps.storage.put(page.path, page.html, 'text/html; charset=utf-8');
      await deps.storage.put(
        reportKey,
        JSON.stringify({ ...planned, state: result.lifecycle.state, timeline: result.timeline }, null, 2),
        'application/json',
      );
    }
    return planned;
  } catch (error) {
    // Refusals are the marketer's to fix: explained beside the file, never retried.
    if (!(error instanceof CampaignError)) throw error;
    const problems = error.details.fields?.map((field) => `${field.path}: ${field.message}`) ?? [error.message];
    const refused: PlanUploadResult = { status: 'refused', code: error.code, problems };
    if (reportKey) await deps.storage.put(reportKey, JSON.stringify(refused, null, 2), 'application/json');
    return refused;
  }
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
