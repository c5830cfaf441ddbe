/** The lifecycle store on the local DynamoDB: one conditional write per change, versions reserved once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLifecycleStore } from '../../functions/adapters/dynamo/lifecycle-store.ts';
import { clientsFor } from '../../functions/composition.ts';
import { parseCampaign } from '../../functions/domain/campaign.ts';
import { decide, type Lifecycle } from '../../functions/domain/campaign-lifecycle.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { systemClock } from '../../functions/ports/clock.ts';
import type { StoredVersion } from '../../functions/ports/lifecycle-store.ts';

let stack: LocalStack;
let store: DynamoLifecycleStore;

beforeAll(async () => {
  stack = await startEphemeralStack({ dataBucket: 'campaign-data', clock: systemClock });
  store = new DynamoLifecycleStore(clientsFor(stack.config).documents, stack.config.tables.campaigns);
});

afterAll(async () => {
  await stack.stop();
});

const NOW = Date.parse('2026-10-25T10:00:00+08:00');

function planned(campaignId: string): Lifecycle {
  const decision = decide(
    undefined,
    { kind: 'plan', version: 1 },
    { campaignId, now: NOW, actor: 'marketer', waveIds: ['midnight'] },
  );
  if (!decision.ok) throw new Error(decision.refusal.message);
  return decision.next;
}

describe('the lifecycle store', () => {
  it('saves a lifecycle once per revision: the second writer of the same revision loses', async () => {
    // Prepare
    const first = planned('race');
    await store.saveLifecycle(first, 0);
    const pause = (actor: string) =>
      decide(first, { kind: 'cancel', reason: actor }, { campaignId: 'race', now: NOW, actor, waveIds: [] });

    // Act
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((actor) => {
        const decision = pause(actor);
        if (!decision.ok) throw new Error(decision.refusal.message);
        return store.saveLifecycle(decision.next, first.revision);
      }),
    );

    // Assess
    expect(outcomes.filter(Boolean), 'exactly one writer of revision 1 may win').toHaveLength(1);
    const stored = await store.getLifecycle('race');
    expect(stored?.revision).toBe(2);
    expect(stored?.audit.map((entry) => entry.action)).toEqual(['plan', 'cancel']);
  });

  it('refuses a second lifecycle for a new campaign (revision 0 means none yet)', async () => {
    // Act
    const outcomes = [await store.saveLifecycle(planned('new'), 0), await store.saveLifecycle(planned('new'), 0)];

    // Assess
    expect(outcomes).toEqual([true, false]);
  });

  it('reserves a version number once, hides it until planned, and never overwrites a planned one', async () => {
    // Prepare
    const campaign = parseCampaign({
      id: 'v',
      midnight: '2026-11-11T00:00',
      waves: [{ id: 'midnight', sms: 'midnight' }],
    });
    const version: StoredVersion = {
      campaignId: 'v',
      version: 1,
      campaign,
      timeline: { campaignId: 'v' } as StoredVersion['timeline'],
      plannedAt: '2026-10-25T02:00:00.000Z',
      plannedBy: 'marketer',
      cost: { sms: { messages: 1, parts: 1, cny: 0.05 }, email: { messages: 0, cny: 0 }, totalCny: 0.05, lines: [] },
    };

    // Act
    const reservations = await Promise.all([1, 1, 1].map((n) => store.reserveVersion('v', n, version.plannedAt)));
    const whileReserved = await store.getVersion('v', 1);
    await store.saveVersion(version);
    const again = store.saveVersion({ ...version, plannedBy: 'someone else' });

    // Assess
    expect(reservations.filter(Boolean)).toHaveLength(1);
    expect(whileReserved).toBeUndefined();
    await expect(again).rejects.toThrow();
    expect(await store.getVersion('v', 1)).toEqual(version);
    expect(await store.listVersions('v')).toEqual([
      { campaignId: 'v', version: 1, plannedAt: version.plannedAt, plannedBy: 'marketer', cost: version.cost },
    ]);
  });
});
