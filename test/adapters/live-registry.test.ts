/**
 * The webhook's cached view of the campaigns with order rules: one read per TTL per
 * container, dropped at once by a write in the same process (also one that races a read),
 * never keeping a failed read; and through the real stores, an approval or a pause in this
 * process is seen by the next event with the clock standing still.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLifecycleStore } from '../../functions/adapters/dynamo/lifecycle-store.ts';
import { LiveRegistry, REGISTRY_TTL_MS, registryChanged } from '../../functions/adapters/dynamo/live-registry.ts';
import { DynamoTriggerStore } from '../../functions/adapters/dynamo/trigger-store.ts';
import { clientsFor } from '../../functions/composition.ts';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import type { Lifecycle, LifecycleControl } from '../../functions/domain/campaign-lifecycle.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { systemClock } from '../../functions/ports/clock.ts';
import type { RegisteredCampaign } from '../../functions/ports/trigger-store.ts';
import { payReminderCampaign } from '../support/trigger-campaign.ts';

const NOW = Date.parse('2026-11-10T12:00:00Z');
const CAMPAIGN = parseCampaign(payReminderCampaign('d11-live'));
const ENTRY: RegisteredCampaign = { campaignId: 'd11-live', version: 1, campaign: CAMPAIGN };
const RUNNING: LifecycleControl = {
  state: 'running',
  approvedVersion: 1,
  pausedWaves: [],
  cancelledWaves: [],
  revision: 2,
};

/** Stores that count their reads and answer what the test puts in them. */
function countingStores() {
  const reads = { registry: 0, control: 0 };
  const state = { entries: [ENTRY], control: RUNNING as LifecycleControl | undefined, fail: false };
  const triggers = {
    registered: async () => {
      reads.registry += 1;
      if (state.fail) throw new Error('throttled');
      return [...state.entries];
    },
  };
  const lifecycle = {
    getControl: async () => {
      reads.control += 1;
      return state.control;
    },
  };
  return { reads, state, triggers, lifecycle };
}

describe('LiveRegistry', () => {
  it('reads the registry and a control item once within the TTL, and again after it', async () => {
    // Prepare
    const { reads, triggers, lifecycle } = countingStores();
    let now = NOW;
    const live = new LiveRegistry(triggers, lifecycle, () => now);

    // Act
    for (let event = 0; event < 50; event += 1) {
      await live.registered();
      await live.getControl('d11-live');
    }
    const withinTtl = { ...reads };
    now += REGISTRY_TTL_MS;
    await live.registered();
    await live.getControl('d11-live');

    // Assess
    expect(withinTtl, '50 events inside the TTL should read each item once').toEqual({ registry: 1, control: 1 });
    expect(reads, 'the first event after the TTL should read both again').toEqual({ registry: 2, control: 2 });
  });

  it('is dropped by a write in this process, also one that lands while a read is out', async () => {
    // Prepare
    const { reads, state, triggers, lifecycle } = countingStores();
    const live = new LiveRegistry(triggers, lifecycle, () => NOW);
    await live.registered();

    // Act: a pause saved, then a read that started before a registration finished
    state.control = { ...RUNNING, state: 'paused', revision: 3 };
    registryChanged();
    const paused = await live.getControl('d11-live');
    const racing = live.registered();
    state.entries = [ENTRY, { ...ENTRY, campaignId: 'd11-second' }];
    registryChanged();
    const raced = await racing;
    const after = await live.registered();

    // Assess
    expect(paused?.state, 'a pause saved in this process should be seen at once').toBe('paused');
    expect(raced.length, 'the racing read answers what it read').toBe(1);
    expect(
      after.map((entry) => entry.campaignId),
      'a read that raced a write should not be kept',
    ).toEqual(['d11-live', 'd11-second']);
    expect(reads.registry, 'one read before, the racing one, one after').toBe(3);
  });

  it('does not keep a failed read', async () => {
    // Prepare
    const { reads, state, triggers, lifecycle } = countingStores();
    const live = new LiveRegistry(triggers, lifecycle, () => NOW);
    state.fail = true;

    // Act
    const failed = await live.registered().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    state.fail = false;
    const next = await live.registered();

    // Assess
    expect(failed, 'the failure should reach the event that asked').toBe('throttled');
    expect(next, 'the next event should read again and get the registry').toEqual([ENTRY]);
    expect(reads.registry).toBe(2);
  });
});

describe('LiveRegistry over the real stores', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startEphemeralStack({ dataBucket: 'live-registry', clock: systemClock });
  });
  afterAll(async () => stack?.stop());

  it('sees an approval and a pause made in this process with the clock standing still', async () => {
    // Prepare
    const { documents } = clientsFor(stack.config);
    const triggers = new DynamoTriggerStore(documents, stack.config.tables.campaigns);
    const lifecycles = new DynamoLifecycleStore(documents, stack.config.tables.campaigns);
    const live = new LiveRegistry(triggers, lifecycles, () => NOW);
    const before = await live.registered();
    const lifecycle: Lifecycle = {
      campaignId: 'd11-live',
      state: 'approved',
      latestVersion: 1,
      approvedVersion: 1,
      pausedWaves: [],
      cancelledWaves: [],
      revision: 1,
      audit: [],
    };

    // Act
    await lifecycles.saveLifecycle(lifecycle, 0);
    await triggers.register(ENTRY);
    const approved = await live.registered();
    const approvedState = (await live.getControl('d11-live'))?.state;
    await lifecycles.saveLifecycle({ ...lifecycle, state: 'paused', revision: 2 }, 1);
    const pausedState = (await live.getControl('d11-live'))?.state;

    // Assess
    expect(before, 'nothing is registered at first').toEqual([]);
    expect(
      approved.map((entry) => entry.campaignId),
      'the registration should be seen by the next event',
    ).toEqual(['d11-live']);
    expect(approvedState).toBe('approved');
    expect(pausedState, 'the pause should be seen by the next event').toBe('paused');
  });
});
