/**
 * The plan Lambda: a campaign file uploaded under `campaigns/` (EventBridge on AWS, s3rver
 * locally), or a direct invocation `{ campaign: {...} }`. Plans from the customers in
 * DynamoDB, stores the plan and schedules every send; writes the timeline (JSON and the
 * page) and any refusal to `reports/<key>.plan.json` so the marketer sees why.
 */
import { z } from 'zod';
import { S3ObjectStorage } from '../adapters/s3-object-storage.ts';
import { clientsFor, planDependencies } from '../composition.ts';
import { loadConfig } from '../config.ts';
import { PREFIX, SERVICE } from '../contract.ts';
import { CampaignFileError } from '../domain/campaign.ts';
import { observability } from '../observability.ts';
import {
  type PlanCampaignResult,
  PlanConflictError,
  planAndSchedule,
  SendStartedError,
} from '../usecases/plan-campaign.ts';
import { renderTimelinePage } from '../views/timeline-page.ts';
import { keyCandidates } from './import-segment.ts';

const observed = observability(SERVICE.planCampaign);
const { logger } = observed;

const objectKey = z.object({ key: z.string().min(1) });
const planEvent = z.union([
  z.object({ Records: z.array(z.object({ s3: z.object({ object: objectKey }) })).min(1) }),
  z.object({ 'detail-type': z.literal('Object Created'), detail: z.object({ object: objectKey }) }),
  z.object({ campaign: z.record(z.string(), z.unknown()) }),
]);

export type PlanHandlerResult =
  | { status: 'planned'; campaignId: string; version: number; sends: number; warnings: string[] }
  | { status: 'refused'; problems: string[] }
  | { status: 'ignored'; reason: string };

async function readCampaignFile(
  storage: S3ObjectStorage,
  candidates: string[],
): Promise<{ key: string; text: string } | undefined> {
  for (const key of candidates) {
    if (!key.startsWith(PREFIX.campaigns)) continue;
    const head = await storage.head(key);
    if (!head) continue;
    const chunks: Uint8Array[] = [];
    for await (const chunk of storage.read(key)) chunks.push(chunk);
    return { key, text: Buffer.concat(chunks).toString('utf8') };
  }
  return undefined;
}

async function handle(event: unknown): Promise<PlanHandlerResult> {
  const parsed = planEvent.safeParse(event);
  if (!parsed.success) return { status: 'ignored', reason: 'not a campaign event' };
  const config = loadConfig();
  const storage = new S3ObjectStorage(clientsFor(config).s3, config.dataBucket);
  let source: { key?: string; campaign: unknown };
  if ('campaign' in parsed.data) source = { campaign: parsed.data.campaign };
  else {
    const raw =
      'Records' in parsed.data ? (parsed.data.Records[0]?.s3.object.key ?? '') : parsed.data.detail.object.key;
    const file = await readCampaignFile(storage, keyCandidates(raw, true));
    if (!file) return { status: 'ignored', reason: `no campaign file at ${raw}` };
    source = { key: file.key, campaign: file.text };
  }
  const deps = planDependencies(config);
  const reportKey = source.key ? `reports/${source.key}.plan.json` : undefined;
  let result: PlanCampaignResult;
  try {
    result = await planAndSchedule(deps, { campaign: source.campaign, now: deps.clock.now() });
  } catch (error) {
    // Bad input is the marketer's to fix: explained, never retried.
    const problems =
      error instanceof CampaignFileError
        ? error.problems.map((p) => `${p.path}: ${p.message}`)
        : error instanceof SendStartedError || error instanceof PlanConflictError
          ? [error.message]
          : undefined;
    if (!problems) throw error;
    logger.warn('campaign refused', { key: source.key, problems });
    if (reportKey)
      await storage.put(reportKey, JSON.stringify({ status: 'refused', problems }, null, 2), 'application/json');
    return { status: 'refused', problems };
  }
  const { timeline } = result.plan;
  if (source.key) {
    await storage.put(`reports/${source.key}.timeline.html`, renderTimelinePage(timeline), 'text/html; charset=utf-8');
    await storage.put(
      reportKey as string,
      JSON.stringify({ status: 'planned', version: result.version, timeline }, null, 2),
      'application/json',
    );
  }
  logger.info('campaign planned', { campaignId: result.campaign.id, version: result.version, sends: result.scheduled });
  return {
    status: 'planned',
    campaignId: result.campaign.id,
    version: result.version,
    sends: result.scheduled,
    warnings: timeline.warnings,
  };
}

/** The Lambda entry point: `handle` with the invocation's context on its logs and trace. */
export const handler = observed.handler(handle);
