/**
 * A sharded plan is the single-process plan: for generated stores and campaigns, split into
 * 2, 3 or 8 shards at generated cut points (empty shards included), the shards' phase 1
 * columns, written and read back as the files the passes exchange, give the same timeline,
 * the same members of every send, the same control groups and byte for byte the same
 * touches.jsonl; every playbook cap holds on the sharded plan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Campaign, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import {
  decodeShardPart,
  encodeColumns,
  type ShardSummary,
  summaryOf,
} from '../../functions/domain/planner/shards/shard-part.ts';
import { IdColumn, touchLines, touchLinesSize } from '../../functions/domain/planner/shards/touch-lines.ts';
import { type Plan, planCampaign } from '../../functions/domain/planner.ts';
import { planFromParts, shardPartOf } from '../../functions/usecases/plan-shards.ts';
import { campaignArbitrary, customerSetOf, customersArbitrary, NOW } from '../support/planner-arbitraries.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

/** Where the customer list is cut into `count` shards: sorted fractions, so shards may be empty. */
const cutsArbitrary = (count: number) =>
  fc
    .array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: count - 1, maxLength: count - 1 })
    .map((cuts) => cuts.sort((a, b) => a - b));

function shardsOf(customers: readonly Customer[], cuts: readonly number[]): Customer[][] {
  const bounds = [0, ...cuts.map((cut) => Math.floor(cut * customers.length)), customers.length];
  return bounds.slice(1).map((end, shard) => customers.slice(bounds[shard] as number, end));
}

/** touches.jsonl as the single-process writer spells each line (the file's contract). */
function expectedTouches(plan: Plan, idOf: (index: number) => string): string {
  let text = '';
  plan.timeline.sends.forEach((send, position) => {
    for (const index of plan.members[position] ?? []) {
      text += `${JSON.stringify({ customerId: idOf(index), waveId: send.waveId, channel: send.channel, sendId: send.id, at: send.at })}\n`;
    }
  });
  return text;
}

type Outcome = { plan: Plan } | { error: string };

function attempt(make: () => Plan): Outcome {
  try {
    return { plan: make() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** The passes as the handlers run them, the files in between encoded and decoded. */
function shardedPlan(campaign: Campaign, shards: readonly Customer[][]) {
  const sets = shards.map((list) => customerSetOf(list));
  const parts = sets.map((set) => {
    const part = shardPartOf(campaign, set, NOW);
    const summary = JSON.parse(JSON.stringify(summaryOf(part))) as ShardSummary;
    return decodeShardPart(encodeColumns(part), summary);
  });
  const ids = new IdColumn(...sets.map((set) => set.idsJsonLines()));
  return { sets, ids, ...planFromParts(campaign, NOW, parts) };
}

const budgetArbitrary = fc.option(fc.constantFrom(0.05, 0.3, 1, 5, 1000), { nil: undefined });

describe('sharded planning', () => {
  for (const count of [2, 3, 8]) {
    it(`in ${count} shards gives the single-process plan, byte for byte, and every cap holds`, () => {
      fc.assert(
        fc.property(
          campaignArbitrary,
          budgetArbitrary,
          customersArbitrary,
          cutsArbitrary(count),
          (input, budget, customerList, cuts) => {
            // Prepare
            const campaign = parseCampaign({ ...input, ...(budget !== undefined ? { budget } : {}) });
            const whole = customerSetOf(customerList);
            const shards = shardsOf(customerList, cuts);

            // Act
            const single = attempt(() => planCampaign({ campaign, customers: whole, now: NOW }));
            let sharded: ReturnType<typeof shardedPlan> | undefined;
            const outcome = attempt(() => {
              sharded = shardedPlan(campaign, shards);
              return sharded.plan;
            });

            // Assess
            if ('error' in single) {
              expect(outcome, 'the sharded plan refuses as the single-process one does').toEqual(single);
              return;
            }
            if ('error' in outcome || !sharded) throw new Error(`the sharded plan failed: ${JSON.stringify(outcome)}`);
            const { plan, offsets, ids } = sharded;
            expect(JSON.stringify(plan.timeline, null, 2), 'timeline.json').toBe(
              JSON.stringify(single.plan.timeline, null, 2),
            );
            expect(
              plan.members.map((members) => [...members]),
              'members of each send',
            ).toEqual(single.plan.members.map((members) => [...members]));
            expect(
              [...plan.control].map(([wave, members]) => [wave, [...members]]),
              'control groups',
            ).toEqual([...single.plan.control].map(([wave, members]) => [wave, [...members]]));
            expect(plan.groups.codes).toEqual(single.plan.groups.codes);
            expect([...plan.groups.ofCustomer]).toEqual([...single.plan.groups.ofCustomer]);
            expect(
              [...plan.care].map(([wave, flags]) => [wave, [...flags]]),
              "who reads each wave's care text",
            ).toEqual([...single.plan.care].map(([wave, flags]) => [wave, [...flags]]));
            const read = new IdColumn(...sharded.sets.map((set) => set.idsJsonLines().bytes));
            expect([...read.starts], "the first passes' line starts against the ids files read line by line").toEqual([
              ...ids.starts,
            ]);
            expect(offsets).toEqual(shards.map((_, shard) => shards.slice(0, shard).reduce((n, s) => n + s.length, 0)));
            // touches.jsonl in second-pass ranges (as many as shards), concatenated.
            const all = Int32Array.from(plan.members.flatMap((members) => [...members]));
            let text = '';
            for (let part = 0; part < count; part += 1) {
              const from = Math.floor((all.length * part) / count);
              const to = Math.floor((all.length * (part + 1)) / count);
              const lines = touchLines(plan.timeline.sends, from, all.subarray(from, to), ids);
              expect(touchLinesSize(plan.timeline.sends, from, all.subarray(from, to), ids), 'part size').toBe(
                lines.length,
              );
              text += new TextDecoder().decode(lines);
            }
            expect(text, 'touches.jsonl').toBe(expectedTouches(single.plan, (index) => whole.idOf(index)));
            expect(brokenPlaybookRules(campaign, whole, plan, NOW)).toEqual([]);
          },
        ),
        { numRuns: count === 8 ? 150 : 200 },
      );
    });
  }

  it('reads a shard part back exactly as it was written, also from inside a larger buffer, aligned or not', () => {
    fc.assert(
      fc.property(campaignArbitrary, customersArbitrary, fc.constantFrom(0, 8, 3), (input, customerList, shift) => {
        // Prepare: the file's bytes at `shift` in a buffer with bytes of something else after them.
        const campaign = parseCampaign(input);
        const part = shardPartOf(campaign, customerSetOf(customerList), NOW);
        const file = encodeColumns(part);
        const larger = new Uint8Array(shift + file.length + 64).fill(0xee);
        larger.set(file, shift);

        // Act
        const back = decodeShardPart(
          larger.subarray(shift, shift + file.length),
          JSON.parse(JSON.stringify(summaryOf(part))) as ShardSummary,
        );

        // Assess
        expect([...back.candidates.masks]).toEqual([...part.candidates.masks]);
        expect([...back.candidates.care]).toEqual([...part.candidates.care]);
        expect([...back.candidates.values]).toEqual([...part.candidates.values]);
        expect([...back.candidates.secondTouch]).toEqual([...part.candidates.secondTouch]);
        expect([...back.candidates.groups]).toEqual([...part.candidates.groups]);
        expect([...back.candidates.subGroups]).toEqual([...part.candidates.subGroups]);
        expect([...back.nameUnits]).toEqual([...part.nameUnits]);
        expect([...back.devices]).toEqual([...part.devices]);
        expect(back.candidates.control.map((c) => [...c])).toEqual(part.candidates.control.map((c) => [...c]));
        expect(summaryOf(back)).toEqual(summaryOf(part));
      }),
      { numRuns: 100 },
    );
  });
});

describe('a shard columns file', () => {
  it('cut short is refused, even where the buffer it was read into goes on', () => {
    fc.assert(
      fc.property(campaignArbitrary, customersArbitrary, fc.integer({ min: 1, max: 64 }), (input, customers, cut) => {
        // Prepare: the file without its last `cut` bytes, at the start of a larger buffer.
        const part = shardPartOf(parseCampaign(input), customerSetOf(customers), NOW);
        const file = encodeColumns(part);
        const larger = new Uint8Array(file.length * 2 + 64);
        larger.set(file);

        // Act
        const read = () => decodeShardPart(larger.subarray(0, Math.max(0, file.length - cut)), summaryOf(part));

        // Assess: padding (at most 7 bytes) may go, a column may not.
        const padding =
          file.length -
          (16 +
            part.candidates.masks.length * 29 +
            part.candidates.control.reduce((sum, members) => sum + 4 + members.length * 4, 0));
        if (cut <= padding) expect(read).not.toThrow();
        else expect(read).toThrow(/cut short|not a plan shard/);
      }),
      { numRuns: 100 },
    );
  });
});

describe('IdColumn', () => {
  it('refuses line starts that do not end where their ids file ends', () => {
    // Prepare: a file of two ids and the starts of a file of one.
    const bytes = new TextEncoder().encode('"a"\n"b"\n');

    // Act
    const make = () => new IdColumn({ bytes, starts: Uint32Array.from([0, 4]) });

    // Assess
    expect(make, 'ids were looked up through starts of another file').toThrow(/line starts that end at 4/);
    expect(new IdColumn({ bytes, starts: Uint32Array.from([0, 4, 8]) }).size).toBe(2);
  });
});
