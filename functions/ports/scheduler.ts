/** One-time schedules that invoke the send handler (EventBridge Scheduler on AWS). */

export interface SendSchedule {
  /** Unique within the group; 1-64 of [0-9a-zA-Z-_.]. */
  name: string;
  /** The campaign's schedule group. */
  group: string;
  /** When the schedule fires, epoch ms (whole minutes on AWS: it fires within that minute). */
  fireAt: number;
  /** The campaign time zone the `at()` expression is written in. */
  timeZone: string;
  /** The payload the send handler receives. */
  payload: Record<string, unknown>;
}

export interface Scheduler {
  /** Creates the campaign's schedule group if it does not exist yet. */
  ensureGroup(group: string): Promise<void>;
  /** Creates the schedule or updates it in place (same name): re-planning never duplicates. */
  upsert(schedule: SendSchedule): Promise<void>;
  delete(group: string, name: string): Promise<void>;
  /** Names of the schedules in a group. */
  list(group: string): Promise<string[]>;
}
