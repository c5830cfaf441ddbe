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
  const prepared = await preparePlan(deps, request);
  return prepared.replay ?? planInProcess(deps, request, prepared);
}

/** A request checked before any customer is read: its campaign, the lifecycle as it stands. */
export interface PreparedPlan {
  campaign: Campaign;
  current: Lifecycle | undefined;
  /** A repeated delivery of an upload already planned: its version, nothing to plan. */
  replay?: PlanDraftResult;
}

/**
 * The campaign a request asks to plan, validated (each problem by its path), on its
 * tracked-link base; an upload planned already answered by its version; refused before the
 * customers are read when the lifecycle takes no plan (a cancelled or completed campaign).
 */
export async function preparePlan(
  deps: Pick<PlanDraftDeps, 'linkBase' | 'lifecycle'>,
  request: PlanDraftRequest,
): Promise<PreparedPlan> {
  const campaign = withTrackingBase(parseRequested(request), deps.linkBase?.());
  const current = await deps.lifecycle.getLifecycle(campaign.id);
  if (current && request.source) {
    const latest = await deps.lifecycle.getVersion(campaign.id, current.latestVersion);
    if (latest?.source === request.source)
      return { campaign, current, replay: { ...resultOf(latest), lifecycle: current, replayed: true } };
  }
  const early = decide(
    current,
    { kind: 'plan', version: (current?.latestVersion ?? 0) + 1 },
    context(request, campaign),
  );
  if (!early.ok) throw refusalError(early.refusal);
  return { campaign, current };
}

/** A prepared request planned in this process from the customers in the store, stored as a draft. */
export async function planInProcess(
  deps: PlanDraftDeps,
  request: PlanDraftRequest,
  { campaign, current }: PreparedPlan,
): Promise<PlanDraftResult> {
  const customers = await deps.loadCustomers(campaign);
  const plan = planWithRules(campaign, customers, request.now);
  const stored = await storeDraft(deps, {
    campaign,
    plan,
    actor: request.actor,
    now: request.now,
    current,
    fromStore: true,
    customerRuns: async function* () {
      yield { offset: 0, customers };
    },
    ...(request.source ? { source: request.source } : {}),
  });
  return { ...stored, replayed: false };
}

/** A plan made (in one process, or by the sharded plan's passes) and what storing it as a draft needs. */
export interface DraftToStore {
  campaign: Campaign;
  plan: Plan;
  actor: string;
  /** The planning instant, epoch ms. */
  now: number;
  /** The lifecycle as read before planning: its approved version is what the diff is against. */
  current: Lifecycle | undefined;
  /** Planned from the customers in the store (not a file): the campaign's `columns` read nothing. */
  fromStore: boolean;
  /**
   * The plan's customers in runs: run `customers` holds the plan's customer indices
   * [offset, offset + customers.size). One run in one process; one per shard, read one at a
   * time, for a sharded plan, so no process holds every customer.
   */
  customerRuns: () => AsyncIterable<{ offset: number; customers: CustomerSet }>;
  source?: string;
  /** The version number already claimed (the sharded plan's, claimed when it started); none: the next free one. */
  version?: number;
}

/**
 * Stores a plan as a draft version: the version number claimed (conditional write), the
 * touches written under it (keyed by version, send and customer: a rewrite puts the same
 * items), then the version with its timeline, cost and diff, then `plan` on the lifecycle.
 */
export async function storeDraft(
  deps: Pick<PlanDraftDeps, 'lifecycle' | 'touches'>,
  draft: DraftToStore,
): Promise<Omit<PlanDraftResult, 'replayed'>> {
  const { campaign, plan, current } = draft;
  if (draft.fromStore && Object.keys(campaign.columns).length > 0)
    plan.timeline = withWarning(plan.timeline, columnsNotUsedHere(campaign.id));
  const plannedAt = new Date(draft.now).toISOString();
  const version =
    draft.version ?? (await reserveNext(deps.lifecycle, campaign.id, current?.latestVersion ?? 0, plannedAt));
  for await (const run of draft.customerRuns())
    await writeTouches(deps.touches, campaign.id, version, plan, run.customers, run.offset);

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
    plannedBy: draft.actor,
    cost,
    ...(diff ? { diff } : {}),
    ...(draft.source ? { source: draft.source } : {}),
  };
  await deps.lifecycle.saveVersion(stored);
  const lifecycle = await recordPlan(deps.lifecycle, draft, campaign, version);
  return { ...resultOf(stored), lifecycle };
}

/**
 * The lifecycle once `version` (already stored) is recorded as planned: recorded now unless
 * an earlier attempt did (a retried step that stored the version, then stopped).
 */
export async function ensureRecorded(
  lifecycle: LifecycleStore,
  stored: StoredVersion,
  actor: string,
  now: number,
): Promise<Omit<PlanDraftResult, 'replayed'>> {
  const current = await lifecycle.getLifecycle(stored.campaignId);
  // By its own audit entry, not by the latest number: a plan beside this one may have taken a higher one.
  const recorded = current?.audit.some((entry) => entry.action === 'plan' && entry.version === stored.version)
    ? current
    : await recordPlan(lifecycle, { actor, now }, stored.campaign, stored.version);
  return { ...resultOf(stored), lifecycle: recorded };
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

function context(request: Pick<PlanDraftRequest, 'actor' | 'now'>, campaign: Campaign) {
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
export async function reserveNext(
  lifecycle: LifecycleStore,
  campaignId: string,
  latest: number,
  at: string,
): Promise<number> {
  for (let version = latest + 1; version <= latest + MAX_ATTEMPTS; version += 1) {
    if (await lifecycle.reserveVersion(campaignId, version, at)) return version;
  }
  throw new CampaignError(
    'plan-conflict',
    `campaign ${campaignId} is being planned by others at the same time (${MAX_ATTEMPTS} version numbers taken); plan again`,
  );
}

/**
 * The touches of the plan's customers [offset, offset + customers.size), one shard set per
 * send, and their control groups (stored, never sent). Called once per run of customers: a
 * send's shard count is its whole membership's, so every run puts its touches where approval
 * looks for them.
 */
export async function writeTouches(
  touches: Pick<TouchStore, 'writeTouches'>,
  campaignId: string,
  version: number,
  plan: Plan,
  customers: CustomerSet,
  offset: number,
): Promise<void> {
  const local = (index: number) => {
    const at = index - offset;
    return at >= 0 && at < customers.size ? at : -1;
  };
  for (const [position, send] of plan.timeline.sends.entries()) {
    const members = plan.members[position] ?? new Int32Array();
    const planned: Touch[] = [];
    for (const index of members) {
      const at = local(index);
      if (at < 0) continue;
      const customer = customers.get(at);
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
      Object.assign(touch, groupFields(plan, customers, index, at));
      if (isCareTouch(plan, send.waveId, index)) touch.variant = 'care';
      planned.push(touch);
    }
    // The shard count follows the send's customers, which is how approval counts them too.
    await touches.writeTouches(campaignId, version, shardsFor(members.length), planned);
  }
  for (const [waveId, members] of plan.control) {
    const held: Touch[] = [];
    for (const index of members) {
      const at = local(index);
      if (at < 0) continue;
      const customer = customers.get(at);
      held.push({
        customerId: customer.customerId,
        waveId,
        channel: 'sms',
        sendId: controlSendId(waveId),
        address: customer.phone ?? customer.email ?? '',
        device: customer.device,
        ...(customer.tier ? { tier: customer.tier } : {}),
        ...groupFields(plan, customers, index, at),
        status: 'control',
      });
    }
    await touches.writeTouches(campaignId, version, shardsFor(members.length), held);
  }
}

/** The customer's group in the plan and labels, as recorded on each of its touches (sent or held out). */
function groupFields(plan: Plan, customers: CustomerSet, index: number, at: number): Pick<Touch, 'group' | 'labels'> {
  const group = plan.groups.codes[plan.groups.ofCustomer[index] ?? -1];
  const labels = customers.labelsOf(at);
  return { ...(group !== undefined ? { group } : {}), ...(labels.length > 0 ? { labels: [...labels] } : {}) };
}

/** `plan` on the lifecycle: decided again on a fresh read whenever someone changed it first. */
async function recordPlan(
  store: LifecycleStore,
  request: Pick<PlanDraftRequest, 'actor' | 'now'>,
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
