/** Time, injected: real on AWS and for `npm start`, virtual for `campaign simulate` and tests. */
export interface Clock {
  now(): number;
  /** Resolves at `instant` (never before it). */
  sleepUntil(instant: number): Promise<void>;
  /**
   * Work in flight beside a sleeper (a message's database write while another message of the
   * same worker waits for its second): a discrete virtual clock moves on only once it is
   * done, so no other worker's step overlaps it. Real clocks have no use for it.
   */
  hold?<T>(work: Promise<T>): Promise<T>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleepUntil: async (instant) => {
    for (let wait = instant - Date.now(); wait > 0; wait = instant - Date.now()) {
      // Timers may fire a little early; loop until the instant has really come.
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 2_147_000_000)));
    }
  },
};
