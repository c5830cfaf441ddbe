/**
 * How a planned version becomes sends and schedules, shared by planning (which writes a
 * version's touches, spread over its shards) and approval (which stores the version's sends
 * with the same shard counts and schedules them).
 */

/** How long before its second a send is staged: Scheduler fires within the minute of its time. */
export const STAGING_LEAD_MS = 2 * 60_000;
/** Touches per shard: one worker message, one partition key of the touches table. */
export const TOUCHES_PER_SHARD = 1_000;

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
