/**
 * Plan a campaign from the customers in the store and schedule every send (the
 * plan Lambda). Re-planning is idempotent: schedules keep their names (updated, never
 * duplicated), schedules of sends that disappeared are deleted, and a send that has
 * started is never changed: a plan that would change one is refused whole.
 */

import { scheduleGroup } from '../contract.ts';
import { type Campaign, parseCampaign } from '../domain/campaign.ts';
import type { CustomerSet } from '../domain/customer-set.ts';
import { type Plan, planCampaign } from '../domain/planner.ts';
import type { CampaignStore, StoredSend, Touch, TouchStore } from '../ports/campaign-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Scheduler } from '../ports/scheduler.ts';

/** How long before its second a send is staged: Scheduler fires within the minute of its time. */
export const STAGING_LEAD_MS = 2 * 60_000;
/** Touches per shard: one worker message, one partition key of the touches table. */
export const TOUCHES_PER_SHARD = 1_000;

export interface PlanCampaignDeps {
  loadCustomers(campaign: Campaign): Promise<CustomerSet>;
  campaigns: CampaignStore;
  touches: TouchStore;
  scheduler: Scheduler;
  /** Read again when the schedules are written: planning many customers takes minutes. */
  clock: Pick<Clock, 'now'>;
}

export interface PlanCampaignResult {
  campaign: Campaign;
  plan: Plan;
  customers: CustomerSet;
  version: number;
  scheduled: number;
  removed: string[];
}

export class SendStartedError extends Error {
  constructor(readonly sendIds: string[]) {
    super(`the plan would change sends that have started: ${sendIds.join(', ')}; they are left as they are`);
    this.name = 'SendStartedError';
  }
}

export class PlanConflictError extends Error {
  constructor(campaignId: string) {
    super(`campaign ${campaignId} was planned by someone else at the same time; plan again`);
    this.name = 'PlanConflictError';
  }
}

/** Where a wave's control group is kept: beside its sends, never scheduled. */
export const controlSendId = (waveId: string) => `${waveId}.control`;
export const shardsFor = (touches: number) => Math.max(1, Math.ceil(touches / TOUCHES_PER_SHARD));

/**
 * The minute a send's schedule fires in: at least one minute before its second, whatever
 * the jitter. A send planned less than the staging lead ahead fires at the next whole
 * minute after `now`, never in the past (Scheduler would refuse or drop an `at()` gone by);
 * its worker then sends as soon as it has staged, at or after the send's second.
 */
export function fireAtFor(sendAt: number, now: number): number {
  const withLead = Math.floor((sendAt - STAGING_LEAD_MS) / 60_000) * 60_000;
  const nextMinute = (Math.floor(now / 60_000) + 1) * 60_000;
  return Math.max(withLead, nextMinute);
}

export async function planAndSchedule(
  deps: PlanCampaignDeps,
  request: { campaign: unknown; now: number },
): Promise<PlanCampaignResult> {
  const campaign = parseCampaign(request.campaign);
  const customers = await deps.loadCustomers(campaign);
  const plan = planCampaign({ campaign, customers, now: request.now });
  const previous = await deps.campaigns.getPlan(campaign.id);
  const existing = await deps.campaigns.getSends(campaign.id);

  // A started send is frozen: the new plan may keep it exactly, never change it.
  const planned = new Map(plan.timeline.sends.map((send, position) => [send.id, { send, position }]));
  const started = existing.filter((send) => send.state !== 'scheduled');
  const changed = started.filter((send) => {
    const next = planned.get(send.id)?.send;
    return !next || next.at !== send.at || next.customers !== send.customers;
  });
  if (changed.length > 0) throw new SendStartedError(changed.map((send) => send.id));
  const frozen = new Set(started.map((send) => send.id));

  const version = (previous?.version ?? 0) + 1;
  const sends: StoredSend[] = [];
  for (const [position, send] of plan.timeline.sends.entries()) {
    if (frozen.has(send.id)) continue;
    const members = plan.members[position] ?? new Int32Array();
    const shards = shardsFor(members.length);
    const touches: Touch[] = [];
    for (const index of members) {
      const customer = customers.customers[index];
      if (!customer) continue;
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
      touches.push(touch);
    }
    await deps.touches.writeTouches(campaign.id, version, shards, touches);
    sends.push({ ...send, campaignId: campaign.id, version, shards, state: 'scheduled' });
  }
  // The control groups: stored like touches (never sent) so the report can follow them.
  for (const [waveId, members] of plan.control) {
    const held: Touch[] = [];
    for (const index of members) {
      const customer = customers.customers[index];
      if (!customer) continue;
      held.push({
        customerId: customer.customerId,
        waveId,
        channel: 'sms',
        sendId: controlSendId(waveId),
        address: customer.phone ?? customer.email ?? '',
        device: customer.device,
        status: 'control',
      });
    }
    await deps.touches.writeTouches(campaign.id, version, shardsFor(held.length), held);
  }
  await deps.campaigns.putSends(sends);
  const saved = await deps.campaigns.savePlan(
    { campaignId: campaign.id, version, campaign, timeline: plan.timeline, plannedAt: plan.timeline.plannedAt },
    previous?.version ?? 0,
  );
  if (!saved) throw new PlanConflictError(campaign.id);

  const group = scheduleGroup(campaign.id);
  await deps.scheduler.ensureGroup(group);
  for (const send of sends) {
    await deps.scheduler.upsert({
      name: send.id,
      group,
      fireAt: fireAtFor(Date.parse(send.at), deps.clock.now()),
      timeZone: campaign.timezone,
      payload: { campaignId: campaign.id, sendId: send.id, version },
    });
  }
  const keep = new Set([...sends.map((send) => send.id), ...frozen]);
  const removed = (await deps.scheduler.list(group)).filter((name) => !keep.has(name));
  for (const name of removed) await deps.scheduler.delete(group, name);
  const gone = existing.filter((send) => !keep.has(send.id)).map((send) => send.id);
  await deps.campaigns.deleteSends(campaign.id, gone);
  return { campaign, plan, customers, version, scheduled: sends.length, removed };
}
