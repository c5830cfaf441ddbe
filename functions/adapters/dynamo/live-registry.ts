/**
 * What the order webhook asks on every event: which campaigns have order rules, and is each
 * one live. On a festival night that is hundreds of events a second asking the same question,
 * and each answer was a Query, a parse of every registered campaign and a read of its control
 * item: measured on the embedded stack, a quarter of the webhook's time with no campaign
 * registered at all.
 *
 * So it is kept per container for at most REGISTRY_TTL_MS, and any write through this
 * process's stores (an approval registers, a pause, resume or cancel saves the lifecycle)
 * drops it at once: in one process (the embedded stack, the tests) it is never stale. On AWS
 * a campaign approved or paused in another container is seen by every webhook container
 * within the TTL. The check reads both again, uncached, when it fires, so a paused campaign's
 * extra checks are dropped (`trigger:not-live`); what the TTL can cost is the reminders of
 * orders placed in the first seconds after an approval, inside the trigger's window.
 */
import type { LifecycleControl } from '../../domain/campaign-lifecycle.ts';
import type { LifecycleStore } from '../../ports/lifecycle-store.ts';
import type { RegisteredCampaign, TriggerStore } from '../../ports/trigger-store.ts';

export const REGISTRY_TTL_MS = 5_000;

/**
 * Bumped by every registry or lifecycle write in this process, after it is written (see the
 * stores). A read keeps the generation it started in, so one that raced a write is read again.
 */
let generation = 0;
export function registryChanged(): void {
  generation += 1;
}

interface Kept<T> {
  value: Promise<T>;
  generation: number;
  until: number;
}

export class LiveRegistry {
  private registry: Kept<RegisteredCampaign[]> | undefined;
  private readonly controls = new Map<string, Kept<LifecycleControl | undefined>>();

  constructor(
    private readonly triggers: Pick<TriggerStore, 'registered'>,
    private readonly lifecycle: Pick<LifecycleStore, 'getControl'>,
    private readonly now: () => number = Date.now,
  ) {}

  registered(): Promise<RegisteredCampaign[]> {
    this.registry = this.fresh(this.registry, () => this.triggers.registered());
    return this.registry.value;
  }

  getControl(campaignId: string): Promise<LifecycleControl | undefined> {
    const kept = this.fresh(this.controls.get(campaignId), () => this.lifecycle.getControl(campaignId));
    this.controls.set(campaignId, kept);
    return kept.value;
  }

  private fresh<T>(kept: Kept<T> | undefined, read: () => Promise<T>): Kept<T> {
    const now = this.now();
    if (kept && kept.generation === generation && now < kept.until) return kept;
    const value = read();
    const entry = { value, generation, until: now + REGISTRY_TTL_MS };
    // A failed read is not kept: the next event asks again.
    value.catch(() => {
      entry.until = 0;
    });
    return entry;
  }
}
