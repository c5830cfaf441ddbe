/** Each planner phase alone: candidates, allocation, layout, summary, on small pinned inputs. */
import { describe, expect, it } from 'vitest';
import { type CampaignInput, campaignYear, midnightInstant, parseCampaign } from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { parseClock } from '../../functions/domain/local-time.ts';
import {
  allocateTouches,
  demoteLeastValuable,
  multiSmsCount,
  reachedCount,
  secondTouchOrder,
  valueOrder,
} from '../../functions/domain/planner/allocation.ts';
import { controlDraw, findCandidates } from '../../functions/domain/planner/candidates.ts';
import { DropTally } from '../../functions/domain/planner/drops.ts';
import {
  type LayoutContext,
  layOutAll,
  nameLengths,
  overflowDrops,
  plannedSends,
  withoutOverflow,
} from '../../functions/domain/planner/layout.ts';
import { summarise, trackedLinkWarnings } from '../../functions/domain/planner/summary.ts';
import { EMAIL, prepareWaves, SMS, slotOf } from '../../functions/domain/planner/waves.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const DAY = 86_400_000;

function setOf(list: Array<Partial<Customer>>): CustomerSet {
  const set = new CustomerSet();
  list.forEach((overrides, index) => {
    set.upsert(
      {
        customerId: `C${index}`,
        phone: '+8613800138000',
        email: `c${index}@qq.com`,
        name: '王芳',
        device: 'mobile',
        d11Years: [],
        segment: 'customers',
        ...overrides,
      },
      0,
    );
  });
  return set;
}

function campaignOf(waves: CampaignInput['waves'], settings: Partial<CampaignInput> = {}) {
  return parseCampaign({ id: 'phases', midnight: '2026-11-11T00:00', ...settings, waves });
}

const TWO_WAVES: CampaignInput['waves'] = [
  { id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], email: true },
  { id: 'midnight', sms: 'midnight', audience: ['*'] },
];

describe('candidates', () => {
  it('marks the touches each customer could get and counts the rest by reason', () => {
    // Prepare: a full customer, one without a phone, one opted out of email.
    const campaign = campaignOf(TWO_WAVES);
    const waves = prepareWaves(campaign, NOW);
    const customers = setOf([{}, { phone: undefined }, { optOutEmail: true }]);

    // Act
    const result = findCandidates({ campaign, customers, waves, now: NOW, campaignYear: campaignYear(campaign) });

    // Assess
    const all = (1 << slotOf(0, SMS)) | (1 << slotOf(0, EMAIL)) | (1 << slotOf(1, SMS));
    expect([...result.masks], 'candidate masks').toEqual([all, all & ~(1 << 0) & ~(1 << 2), all & ~(1 << 1)]);
    expect(result.drops.of(slotOf(0, SMS)).get('no-phone')).toBe(1);
    expect(result.drops.of(slotOf(1, SMS)).get('no-phone')).toBe(1);
    expect(result.drops.of(slotOf(0, EMAIL)).get('opt-out')).toBe(1);
    expect(result.audienceSizes).toEqual([3, 3]);
    expect(result.groups.length).toBe(3);
  });

  it("holds the control group out of the wave, by each customer's stable draw", () => {
    // Prepare: a 50% control share over twenty customers.
    const campaign = campaignOf([{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'], controlShare: 0.5 }]);
    const waves = prepareWaves(campaign, NOW);
    const customers = setOf(Array.from({ length: 20 }, () => ({})));
    const held = Array.from({ length: 20 }, (_, i) => i).filter((i) => controlDraw('phases', `C${i}`) < 0.5);

    // Act
    const result = findCandidates({ campaign, customers, waves, now: NOW, campaignYear: 2026 });

    // Assess
    expect(held.length, 'the draw splits the set').toBeGreaterThan(0);
    expect([...(result.control[0] ?? [])]).toEqual(held);
    expect([...result.masks].map((mask, i) => (mask === 0 ? i : -1)).filter((i) => i >= 0)).toEqual(held);
    expect(result.drops.of(slotOf(0, SMS)).get('control')).toBe(held.length);
  });

  it('gives each customer its primary group', () => {
    // Prepare
    const campaign = campaignOf(TWO_WAVES);
    const waves = prepareWaves(campaign, NOW);
    const customers = setOf([{ unpaidOrder: true }, { lastOrderAt: NOW - 400 * DAY }]);

    // Act
    const result = findCandidates({ campaign, customers, waves, now: NOW, campaignYear: 2026 });

    // Assess
    expect([...result.groups].map((g) => PLAYBOOK_GROUPS[g])).toEqual(['unpaid', 'churned']);
    expect(result.groupSizes.get('unpaid')).toBe(1);
  });
});

describe('allocation', () => {
  it('plans the midnight push first and keeps a second SMS for the share with most benefit', () => {
    // Prepare: ten customers who could all get both SMS; a 20% share.
    const campaign = campaignOf(TWO_WAVES, { caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 0.2 } });
    const waves = prepareWaves(campaign, NOW);
    const bothSms = (1 << slotOf(0, SMS)) | (1 << slotOf(1, SMS));
    const masks = new Uint32Array(10).fill(bothSms);
    const multiOrder = secondTouchOrder(Float64Array.from({ length: 10 }, (_, i) => i / 10));

    // Act
    const { planned, drops } = allocateTouches({ campaign, waves, masks, multiOrder });

    // Assess: the two most valuable (indices 9 and 8) get both; everyone gets the midnight push.
    expect([...planned].map((mask, i) => (mask === bothSms ? i : -1)).filter((i) => i >= 0)).toEqual([8, 9]);
    expect([...planned].every((mask) => (mask & (1 << slotOf(1, SMS))) !== 0)).toBe(true);
    expect(drops.of(slotOf(0, SMS)).get('cap:multi-sms')).toBe(8);
    expect(multiSmsCount(planned, waves)).toBe(2);
    expect(reachedCount(planned)).toBe(10);
  });

  it('refuses touches past the touch cap, naming the cap', () => {
    // Prepare: one touch allowed; SMS and email in the warm-up, SMS at midnight.
    const campaign = campaignOf(TWO_WAVES, { caps: { touches: 1, smsPerMonth: 2, multiSmsShare: 1 } });
    const waves = prepareWaves(campaign, NOW);
    const masks = Uint32Array.of((1 << slotOf(0, SMS)) | (1 << slotOf(0, EMAIL)) | (1 << slotOf(1, SMS)));

    // Act
    const { planned, drops } = allocateTouches({ campaign, waves, masks, multiOrder: Int32Array.of(0) });

    // Assess
    expect(planned[0]).toBe(1 << slotOf(1, SMS));
    expect(drops.of(slotOf(0, SMS)).get('cap:touches')).toBe(1);
    expect(drops.of(slotOf(0, EMAIL)).get('cap:touches')).toBe(1);
  });

  it('demotes the second SMS of least benefit, never the midnight push', () => {
    // Prepare
    const campaign = campaignOf(TWO_WAVES);
    const waves = prepareWaves(campaign, NOW);
    const bothSms = (1 << slotOf(0, SMS)) | (1 << slotOf(1, SMS));
    const planned = Uint32Array.of(bothSms, bothSms, bothSms);

    // Act: customer 2 gains least from a second SMS.
    const demoted = demoteLeastValuable({
      waves,
      multiOrder: Int32Array.of(0, 1, 2),
      planned,
      sendable: planned,
      excess: 1,
    });

    // Assess
    expect([...demoted.planned]).toEqual([bothSms, bothSms, 1 << slotOf(1, SMS)]);
    expect([...planned], 'the input is left as it was').toEqual([bothSms, bothSms, bothSms]);
    expect(demoted.drops.of(slotOf(0, SMS)).get('cap:multi-sms')).toBe(1);
  });

  it('orders by value, ties in file order', () => {
    expect([...valueOrder(Float64Array.of(0.2, 0.9, 0.2, 1))]).toEqual([3, 1, 0, 2]);
  });

  it('ranks for a second SMS only the customers whose group allows one', () => {
    expect([...secondTouchOrder(Float64Array.of(0.2, -1, 0.2, 0.7, -1))]).toEqual([3, 0, 2]);
  });

  it('gives nobody outside the allowed groups a second SMS, whatever the share', () => {
    // Prepare: a share of 1, but customer 1's group is not allowed (benefit -1).
    const campaign = campaignOf(TWO_WAVES, { caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 1 } });
    const waves = prepareWaves(campaign, NOW);
    const bothSms = (1 << slotOf(0, SMS)) | (1 << slotOf(1, SMS));
    const masks = Uint32Array.of(bothSms, bothSms);

    // Act
    const { planned, drops } = allocateTouches({
      campaign,
      waves,
      masks,
      multiOrder: secondTouchOrder(Float64Array.of(0.1, -1)),
    });

    // Assess
    expect([...planned]).toEqual([bothSms, 1 << slotOf(1, SMS)]);
    expect(drops.of(slotOf(0, SMS)).get('cap:multi-sms')).toBe(1);
  });
});

describe('layout', () => {
  function contextFor(campaign: ReturnType<typeof campaignOf>, customers: CustomerSet): LayoutContext {
    const waves = prepareWaves(campaign, NOW);
    const quiet = { start: parseClock('22:00'), end: parseClock('09:00'), timeZone: campaign.timezone };
    const order = valueOrder(new Float64Array(customers.size));
    return { campaign, customers, waves, order, quiet, nameUnits: nameLengths(customers) };
  }

  it('splits a wave into even groups of at most groupSize, back to back at the rate', () => {
    // Prepare: 5 customers, groups of at most 2, 1 SMS part a second.
    const campaign = campaignOf([{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] }], {
      groupSize: 2,
      smsRatePerSecond: 1,
    });
    const customers = setOf([{}, {}, {}, {}, {}]);
    const context = contextFor(campaign, customers);
    const planned = new Uint32Array(5).fill(1);

    // Act
    const layouts = layOutAll(context, planned);
    const { sends } = plannedSends(campaign, context.waves, layouts, midnightInstant(campaign), context.quiet);

    // Assess: 5 split as 2, 2, 1 (even, at most 2), each group after the one before.
    expect(sends.map((s) => [s.send.id, s.send.customers])).toEqual([
      ['warmup.sms.g1', 2],
      ['warmup.sms.g2', 2],
      ['warmup.sms.g3', 1],
    ]);
    expect(sends.map((s) => s.send.at)).toEqual([
      '2026-11-05T12:00:00+08:00',
      '2026-11-05T12:00:02+08:00',
      '2026-11-05T12:00:04+08:00',
    ]);
    expect(overflowDrops(2, layouts).of(0).size).toBe(0);
  });

  it('cuts from the least valuable what cannot be sent before the next wave', () => {
    // Prepare: one SMS a minute, one minute before the next wave: only one customer fits.
    const campaign = campaignOf(
      [
        { id: 'first', sms: '2026-11-05T12:00', audience: ['*'] },
        { id: 'second', sms: '2026-11-05T12:01', audience: ['*'] },
      ],
      { smsRatePerSecond: 1 / 60, caps: { touches: 3, smsPerMonth: 3, multiSmsShare: 1 } },
    );
    const customers = setOf([{}, {}, {}]);
    const context = contextFor(campaign, customers);
    const planned = new Uint32Array(3).fill(1 << slotOf(0, SMS));

    // Act
    const layouts = layOutAll(context, planned);

    // Assess
    expect([...withoutOverflow(planned, layouts)]).toEqual([1, 0, 0]);
    expect(overflowDrops(4, layouts).of(slotOf(0, SMS)).get('no-window')).toBe(2);
  });
});

describe('summary', () => {
  it('counts the planned touches, the drops by reason and the warnings in reading order', () => {
    // Prepare: one wave with a label nobody has; two customers, one planned.
    const campaign = campaignOf([{ id: 'warmup', sms: '2026-11-05T12:00', audience: ['*', 'nobody'] }]);
    const waves = prepareWaves(campaign, NOW);
    const customers = setOf([{}, { phone: undefined }]);
    const drops = new DropTally(2);
    drops.add(slotOf(0, SMS), 'no-phone');
    const planned = Uint32Array.of(1, 0);
    const context: LayoutContext = {
      campaign,
      customers,
      waves,
      order: Int32Array.of(0, 1),
      quiet: { start: parseClock('22:00'), end: parseClock('09:00'), timeZone: campaign.timezone },
      nameUnits: nameLengths(customers),
    };
    const layouts = layOutAll(context, planned);
    const { sends, waveEnds, warnings } = plannedSends(
      campaign,
      waves,
      layouts,
      midnightInstant(campaign),
      context.quiet,
    );

    // Act
    const timeline = summarise({
      campaign,
      customers,
      now: NOW,
      midnight: midnightInstant(campaign),
      waves,
      audienceSizes: [2],
      control: [new Int32Array(0)],
      groupSizes: new Map([['churned', 2]]),
      groups: Uint8Array.of(8, 8),
      subGroupSizes: new Map([['churned:new-low', 2]]),
      reachable: { sms: 1, any: 1 },
      tiersSeen: new Set(),
      layouts,
      sends: sends.map((s) => s.send),
      waveEnds,
      layoutWarnings: warnings,
      drops,
      planned,
    });

    // Assess
    expect(timeline.summary.reached).toBe(1);
    expect(timeline.summary.touches).toEqual({ sms: 1, email: 0 });
    expect(timeline.waves[0]?.planned).toEqual({ sms: 1, email: 0 });
    expect(timeline.dropped).toEqual({ 'no-phone': 1 });
    expect(timeline.summary.subGroups).toEqual({ 'churned:new-low': 2 });
    expect(timeline.warningDetails?.map((w) => w.code)).toEqual(['unknown-audience']);
  });
});

describe('the tracked link in the SMS parts', () => {
  const wavesWith = (padding: number, links: CampaignInput['links']) =>
    prepareWaves(
      campaignOf(
        [
          {
            id: 'presale',
            sms: '2026-11-05T12:00',
            audience: ['*'],
            templates: { sms: `{signature}{name}您好，预售开启${'好'.repeat(padding)} {link} {optOut}` },
          },
          { id: 'midnight', sms: 'midnight', audience: ['*'] },
        ],
        { links },
      ),
      NOW,
    );
  const presaleWarnings = (padding: number, links: CampaignInput['links']) =>
    trackedLinkWarnings(wavesWith(padding, links)).filter((warning) => 'wave' in warning && warning.wave === 'presale');
  const TRACKED = {
    mobile: 'https://s.cn/a',
    pc: 'https://s.cn/b',
    trackingBase: 'https://t.example.cn',
  };

  it('warns for the wave whose SMS the tracked link pushes over a part boundary, and only then', () => {
    // Prepare: the shortest padding at which tracking costs the presale SMS a part.
    const paddings = Array.from({ length: 80 }, (_, padding) => padding);
    const first = paddings.find((padding) => presaleWarnings(padding, TRACKED).length > 0) ?? 0;

    // Act
    const warned = presaleWarnings(first, TRACKED);
    const justBelow = presaleWarnings(first - 1, TRACKED);
    const untracked = trackedLinkWarnings(wavesWith(first, { mobile: TRACKED.mobile, pc: TRACKED.pc }));

    // Assess
    expect(first, 'the text fits one part with no padding').toBeGreaterThan(0);
    expect(warned).toEqual([{ code: 'tracked-link-parts', wave: 'presale', plainParts: 1, trackedParts: 2 }]);
    expect(justBelow, 'one character shorter, both fit one part').toEqual([]);
    expect(untracked, 'no tracking, no warning').toEqual([]);
  });
});
