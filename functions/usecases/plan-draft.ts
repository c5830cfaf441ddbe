/**
 * Planning makes a draft, never a schedule: a campaign (an uploaded file or a PUT) is
 * planned from the customers in the store into a new version with its touches, its cost
 * and its diff against the approved version, and the lifecycle records the plan. Nothing
 * is sent from it until it is approved (approve-campaign.ts).
 *
 * Safe to repeat and to race: the version number is claimed by a conditional write before
 * any touch is written (two plans at once get two numbers), a version's touches live under
 * keys of their own, and a repeated delivery of one upload (same key and sequencer) finds
 * the version it made instead of making another.
 */
import { type Campaign, CampaignFileError, parseCampaign } from '../domain/campaign.ts';
import { decide, type Lifecycle } from '../domain/campaign-lifecycle.ts';
import type { CustomerSet } from '../domain/customer-set.ts';
import { warningText } from '../domain/i18n.ts';
import { type CostEstimate, diffPlans, estimateCost, type PlanDiff } from '../domain/plan-review.ts';
import { isCareTouch, type Plan, planCampaign } from '../domain/planner.ts';
import type { PlanWarning, Timeline } from '../domain/timeline.ts';
import { withTrackingBase } from '../domain/tracked-link.ts';
import type { Touch, TouchStore } from '../ports/campaign-store.ts';
import type { LifecycleStore, StoredVersion } from '../ports/lifecycle-store.ts';
import { CampaignError, type FieldProblem, invalidCampaign, invalidRequest, refusalError } from './errors.ts';
import { columnsKeyFor } from './import-segment.ts';
import { controlSendId, shardsFor } from './plan-campaign.ts';

/** Attempts at a version number, or at recording the plan, before giving up as a conflict. */
const MAX_ATTEMPTS = 20;

export interface PlanDraftDeps {
  loadCustomers(campaign: Campaign): Promise<CustomerSet>;
  lifecycle: LifecycleStore;
  touches: Pick<TouchStore, 'writeTouches'>;
  /**
   * The product's public base (the HTTP API, or PUBLIC_BASE_URL): the tracked links' base of a
   * campaign that names none. Filled into the version's campaign, so the plan counts SMS parts
   * with the very links its sends carry. None: the messages carry the wave's links untracked.
   */
  linkBase?: () => string | undefined;
}

export interface PlanDraftRequest {
  /** The campaign file: its text, or the parsed JSON. */
  campaign: unknown;
  actor: string;
  /** The planning instant, epoch ms. */
  now: number;
  /** The upload it came from (`<key>@<sequencer>`): a second delivery of it plans nothing new. */
  source?: string;
  /** The id the caller addressed (`PUT /campaigns/{id}`): the file's `id` must be it. */
  campaignId?: string;
}

export interface PlanDraftResult {
  campaign: Campaign;
  version: number;
  timeline: Timeline;
  cost: CostEstimate;
  diff?: PlanDiff;
  warnings: string[];
  lifecycle: Lifecycle;
  /** True when this was a repeated delivery of an upload already planned. */
  replayed: boolean;
}

export async function planDraft(deps: PlanDraftDeps, request: PlanDraftRequest): Promise<PlanDraftResult> {
  const campaign = withTrackingBase(parseRequested(request), deps.linkBase?.());
  const current = await deps.lifecycle.getLifecycle(campaign.id);
  if (current && request.source) {
    const latest = await deps.lifecycle.getVersion(campaign.id, current.latestVersion);
    if (latest?.source === request.source) return { ...resultOf(latest), lifecycle: current, replayed: true };
  }
  // Refused before the customers are read: a cancelled or completed campaign plans nothing.
  const early = decide(
    current,
    { kind: 'plan', version: (current?.latestVersion ?? 0) + 1 },
    context(request, campaign),
  );
  if (!early.ok) throw refusalError(early.refusal);

  const customers = await deps.loadCustomers(campaign);
  const plan = planWithRules(campaign, customers, request.now);
  if (Object.keys(campaign.columns).length > 0)
    plan.timeline = withWarning(plan.timeline, columnsNotUsedHere(campaign.id));
  const plannedAt = new Date(request.now).toISOString();
  const version = await reserveNext(deps.lifecycle, campaign.id, current?.latestVersion ?? 0, plannedAt);
  await writeTouches(deps.touches, campaign.id, version, plan, customers);

  const cost = estimateCost(plan.timeline, campaign.prices);
  const approved =
    current?.approvedVersion !== undefined
      ? await deps.lifecycle.getVersion(campaign.id, current.approvedVersion)
      : undefined;
  const diff = approved ? diffPlans(approved, { timeline: plan.timeline, cost }) : undefined;
  const stored: StoredVersion = {
    campaignId: campaign.id,
    version,
    campaign,
    timeline: plan.timeline,
    plannedAt,
    plannedBy: request.actor,
    cost,
    ...(diff ? { diff } : {}),
    ...(request.source ? { source: request.source } : {}),
  };
  await deps.lifecycle.saveVersion(stored);
  const lifecycle = await recordPlan(deps.lifecycle, request, campaign, version);
  return { ...resultOf(stored), lifecycle, replayed: false };
}

/**
 * A campaign planned from the store plans customers already imported: its `columns` read no
 * file here. Said, so that a marketer who wrote the mapping only there learns where uploads take it.
 */
function columnsNotUsedHere(campaignId: string): PlanWarning {
  return { code: 'columns-not-used', columnsKey: columnsKeyFor(campaignId) };
}

/**
 * The timeline with one more warning at the end of both lists, which stay the same length and order;
 * `warningDetails` sits right after `warnings` in the file, as the planner writes it.
 */
function withWarning(timeline: Timeline, warning: PlanWarning): Timeline {
  const warnings = [...timeline.warnings, warningText(warning, 'en', timeline.timezone)];
  const warningDetails = [...(timeline.warningDetails ?? []), warning];
  const entries = Object.entries(timeline).filter(([key]) => key !== 'warningDetails');
  return Object.fromEntries(
    entries.flatMap(([key, value]) =>
      key === 'warnings'
        ? [
            ['warnings', warnings],
            ['warningDetails', warningDetails],
          ]
        : [[key, value]],
    ),
  ) as unknown as Timeline;
}

/** The plan, or the SMS rules' refusals (found with the customers) as the campaign file's problems. */
function planWithRules(campaign: Campaign, customers: CustomerSet, now: number): Plan {
  try {
    return planCampaign({ campaign, customers, now });
  } catch (error) {
    if (error instanceof CampaignFileError) throw invalidCampaign(error);
    throw error;
  }
}

function parseRequested(request: PlanDraftRequest): Campaign {
  const problems: FieldProblem[] = [];
  const value = typeof request.campaign === 'string' ? safeJson(request.campaign) : request.campaign;
  if (request.campaignId !== undefined && isObject(value) && value.id !== request.campaignId) {
    problems.push({ path: 'id', message: `must be the campaign id of the address, "${request.campaignId}"` });
  }
  try {
    const campaign = parseCampaign(request.campaign);
    if (problems.length > 0) throw invalidRequest(problems);
    return campaign;
  } catch (error) {
    if (!(error instanceof CampaignFileError)) throw error;
    const byPath = problems.filter((problem) => !error.problems.some((p) => p.path === problem.path));
    throw invalidRequest([...byPath, ...error.problems]);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function context(request: PlanDraftRequest, campaign: Campaign) {
  return {
    campaignId: campaign.id,
    now: request.now,
    actor: request.actor,
    waveIds: campaign.waves.map((wave) => wave.id),
  };
}

function resultOf(stored: StoredVersion): Omit<PlanDraftResult, 'lifecycle' | 'replayed'> {
  return {
    campaign: stored.campaign,
    version: stored.version,
    timeline: stored.timeline,
    cost: stored.cost,
    ...(stored.diff ? { diff: stored.diff } : {}),
    warnings: stored.timeline.warnings,
  };
}

/** The next free version number after `latest`: taken numbers (a plan running beside this one) are skipped. */
async function reserveNext(lifecycle: LifecycleStore, campaignId: string, latest: number, at: string): Promise<number> {
  for (let version = latest + 1; version <= latest + MAX_ATTEMPTS; version += 1) {
    if (await lifecycle.reserveVersion(campaignId, version, at)) return version;
  }
  throw new CampaignError(
    'plan-conflict',
    `campaign ${campaignId} is being planned by others at the same time (${MAX_ATTEMPTS} version numbers taken); plan again`,
  );
}

/** The version's touches, one shard set per send, and its control groups (stored, never sent). */
async function writeTouches(
  touches: Pick<TouchStore, 'writeTouches'>,
  campaignId: string,
  version: number,
  plan: Plan,
  customers: CustomerSet,
): Promise<void> {
  for (const [position, send] of plan.timeline.sends.entries()) {
    const members = plan.members[position] ?? new Int32Array();
    const planned: Touch[] = [];
    for (const index of members) {
      if (index >= customers.size) continue;
      const customer = customers.get(index);
      const address = send.channel === 'sms' ? customer.phone : customer.email;
      if (!address) continue;
      const touch: Touch = {
        customerId: customer.customerId,
        waveId: send.waveId,
        channel: send.channel,
        sendId: send.id,
        address,
        device: customer.device,
        status: 'planned',
      };
      if (customer.name) touch.name = customer.name;
      if (customer.tier) touch.tier = customer.tier;
      Object.assign(touch, groupFields(plan, customers, index));
      if (isCareTouch(plan, send.waveId, index)) touch.variant = 'care';
      planned.push(touch);
    }
    // The shard count follows the send's customers, which is how approval counts them too.
    await touches.writeTouches(campaignId, version, shardsFor(members.length), planned);
  }
  for (const [waveId, members] of plan.control) {
    const held: Touch[] = [];
    for (const index of members) {
      if (index >= customers.size) continue;
      const customer = customers.get(index);
      held.push({
        customerId: customer.customerId,
        waveId,
        channel: 'sms',
        sendId: controlSendId(waveId),
        address: customer.phone ?? customer.email ?? '',
        device: customer.device,
        ...(customer.tier ? { tier: customer.tier } : {}),
        ...groupFields(plan, customers, index),
        status: 'control',
      });
    }
    await touches.writeTouches(campaignId, version, shardsFor(held.length), held);
  }
}

/** The customer's group in the plan and labels, as recorded on each of its touches (sent or held out). */
function groupFields(plan: Plan, customers: CustomerSet, index: number): Pick<Touch, 'group' | 'labels'> {
  const group = plan.groups.codes[plan.groups.ofCustomer[index] ?? -1];
  const labels = customers.labelsOf(index);
  return { ...(group !== undefined ? { group } : {}), ...(labels.length > 0 ? { labels: [...labels] } : {}) };
}

/** `plan` on the lifecycle: decided again on a fresh read whenever someone changed it first. */
async function recordPlan(
  store: LifecycleStore,
  request: PlanDraftRequest,
  campaign: Campaign,
  version: number,
): Promise<Lifecycle> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await store.getLifecycle(campaign.id);
    const decision = decide(current, { kind: 'plan', version }, context(request, campaign));
    if (!decision.ok) throw refusalError(decision.refusal);
    if (await store.saveLifecycle(decision.next, current?.revision ?? 0)) return decision.next;
  }
  throw new CampaignError(
    'plan-conflict',
    `version ${version} of ${campaign.id} is planned, but the campaign kept changing while it was recorded; plan again`,
  );
}
