/** China's marketing-SMS rules (`smsRules: "cn-marketing"`) and the default texts: each rule by example. */
import { describe, expect, it } from 'vitest';
import {
  CampaignFileError,
  type CampaignInput,
  DEFAULT_BANNED_WORDS,
  parseCampaign,
} from '../../functions/domain/campaign.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import {
  defaultSms,
  deliveredSms,
  OPT_OUT_PATTERN,
  placeholdersIn,
  registrableForm,
  renderSms,
  smsParts,
  TEMPLATE_PLACEHOLDERS,
  templateFingerprint,
  templatesFor,
  WAVE_KINDS,
} from '../../functions/domain/messages.ts';
import { planCampaign } from '../../functions/domain/planner.ts';
import { PLAYBOOK_GROUPS } from '../../functions/domain/segments.ts';
import { SIGNATURE_NAME_LENGTH } from '../../functions/domain/sms-rules.ts';
import type { PlanWarning } from '../../functions/domain/timeline.ts';
import { messageValues, waveTemplates } from '../../functions/usecases/send-wave.ts';
import { waveMessages } from '../../functions/usecases/wave-messages.ts';
import { brokenPlaybookRules } from '../support/playbook-rules.ts';

const NOW = Date.parse('2026-10-20T12:00:00+08:00');
const SIGNATURE = '【示例旗舰店】';
const FIXED = { signature: SIGNATURE, optOut: '回T退订' };

/** Customers of one group each (recent buyers, or dormant ones), mobile, with a +86 number unless told. */
function customers(count: number, overrides: Partial<Customer> = {}): CustomerSet {
  const set = new CustomerSet();
  for (let index = 0; index < count; index += 1) {
    set.upsert(
      {
        customerId: `C${String(index).padStart(5, '0')}`,
        phone: '+8613800138000',
        name: '王芳',
        device: 'mobile',
        d11Years: [],
        lastOrderAt: NOW - 10 * 86_400_000,
        orderCount: 1,
        totalSpend: 100,
        optOutSms: false,
        optOutEmail: false,
        segment: 'customers',
        ...overrides,
      },
      0,
    );
  }
  return set;
}

/** The fingerprints of every text a campaign would send these groups: what a marketer registers. */
function registered(input: CampaignInput, groups: readonly string[]): Record<string, string> {
  const campaign = parseCampaign({ ...input, smsRules: 'none' });
  const fingerprints: Record<string, string> = {};
  campaign.waves.forEach((wave, position) => {
    for (const group of groups) {
      const template = waveTemplates(campaign, wave, group).sms;
      const fixed = {
        signature: campaign.signature,
        optOut: campaign.providerSuffix ? '' : campaign.optOutText,
        coupon: wave.coupon ?? campaign.coupon,
      };
      fingerprints[`SMS_${position}_${group}`] = templateFingerprint(registrableForm(template, fixed));
    }
  });
  return fingerprints;
}

function refusals(act: () => unknown): string[] {
  try {
    act();
  } catch (error) {
    if (error instanceof CampaignFileError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

const WARMUP: CampaignInput = {
  id: 'rules',
  midnight: '2026-11-11T00:00',
  waves: [{ id: 'warmup', kind: 'warmup', sms: '2026-11-05T12:00', audience: ['*'] }],
};

function codes(warnings: readonly PlanWarning[] | undefined): string[] {
  return (warnings ?? []).map((warning) => warning.code);
}

describe('the default texts', () => {
  const every = WAVE_KINDS.flatMap((kind) =>
    [undefined, ...PLAYBOOK_GROUPS].flatMap((group) =>
      [false, true].map((coupon) => ({ kind, group, coupon, sms: defaultSms(kind, { group, coupon }) })),
    ),
  );

  it('pass every cn-marketing rule: signature first, an opt-out, no banned word, only known placeholders', () => {
    // Prepare / Act
    const broken = every.flatMap(({ kind, group, coupon, sms }) => {
      const form = registrableForm(sms, { ...FIXED, coupon: coupon ? '满300减50券' : undefined });
      const problems: string[] = [];
      if (!form.startsWith(SIGNATURE)) problems.push('signature not first');
      if (!OPT_OUT_PATTERN.test(form)) problems.push('no opt-out');
      const banned = DEFAULT_BANNED_WORDS.filter((word) => form.includes(word));
      if (banned.length > 0) problems.push(`banned ${banned.join(',')}`);
      const unknown = placeholdersIn(form).filter((p) => !TEMPLATE_PLACEHOLDERS.includes(p));
      if (unknown.length > 0) problems.push(`unknown {${unknown.join('},{')}}`);
      if (!coupon && sms.includes('{coupon}')) problems.push('{coupon} without a coupon');
      return problems.map((problem) => `${kind}/${group ?? '-'}/${coupon ? 'coupon' : 'plain'}: ${problem}`);
    });

    // Assess
    expect(broken).toEqual([]);
  });

  it('promise nothing that is not true for every recipient (no first hour, no coupon unless set)', () => {
    // Prepare
    const claims = [/前1小时|第一小时|仅限.*小时/, /券|红包/];

    // Act
    const broken = every.filter(
      ({ sms, coupon }) => claims[0]?.test(sms) || (!coupon && claims[1]?.test(sms.replace('{coupon}', ''))),
    );

    // Assess
    expect(broken.map(({ kind, group }) => `${kind}/${group}`)).toEqual([]);
    for (const kind of WAVE_KINDS) {
      const email = templatesFor(kind, {});
      expect(`${email.emailSubject}${email.emailBody}`, `${kind} email`).not.toMatch(claims[0] as RegExp);
    }
  });

  it('differ by wave kind and by playbook group: presale and warm-up never read the same', () => {
    // Prepare / Act
    const differing = PLAYBOOK_GROUPS.filter(
      (group) => defaultSms('presale', { group }) !== defaultSms('warmup', { group }),
    );
    const warmupTexts = new Set(PLAYBOOK_GROUPS.map((group) => defaultSms('warmup', { group })));
    const emails = new Set(WAVE_KINDS.map((kind) => templatesFor(kind, {}).emailSubject));

    // Assess
    expect(differing).toEqual([...PLAYBOOK_GROUPS]);
    expect(warmupTexts.size, 'each group its own warm-up text').toBe(PLAYBOOK_GROUPS.length);
    expect(emails.size, 'each kind its own email subject').toBe(WAVE_KINDS.length);
    expect(defaultSms('tonight', { group: 'd11-loyal' })).toContain('今晚零点');
    expect(defaultSms('warmup', { group: 'dormant-deep', coupon: true })).toContain('{coupon}');
  });
});

describe('cn-marketing refusals, by JSON path', () => {
  it('is the default for +86 audiences, and refuses an unregistered text naming its fingerprint', () => {
    // Prepare
    const campaign = parseCampaign(WARMUP);
    const fingerprint = registered(WARMUP, ['recent']).SMS_0_recent;

    // Act
    const problems = refusals(() => planCampaign({ campaign, customers: customers(3), now: NOW }));

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^waves\[0\]\.templates\.sms: the default text for group recent is not a registered/);
    expect(problems[0]).toContain(`"registeredTemplates": {"<its template id>": "${fingerprint}"}`);
    expect(problems[0]).toContain('【示例旗舰店】{name}，双11即将开抢，');
  });

  it('plans once every text is registered, and applies no rule to an audience without +86 numbers', () => {
    // Prepare
    const ok = parseCampaign({ ...WARMUP, registeredTemplates: registered(WARMUP, ['recent']) });
    const abroad = parseCampaign(WARMUP);

    // Act
    const planned = planCampaign({ campaign: ok, customers: customers(3), now: NOW });
    const hongKong = planCampaign({ campaign: abroad, customers: customers(3, { phone: '+85291234567' }), now: NOW });

    // Assess
    expect(planned.timeline.summary.touches.sms).toBe(3);
    expect(hongKong.timeline.summary.touches.sms).toBe(3);
    expect(brokenPlaybookRules(ok, customers(3), planned, NOW)).toEqual([]);
  });

  it('refuses a text changed after registration, and a template id that is not registered', () => {
    // Prepare
    const own: CampaignInput = {
      ...WARMUP,
      waves: [
        {
          id: 'warmup',
          sms: '2026-11-05T12:00',
          templates: { templateId: 'SMS_1', sms: '{signature}{name}，双11好物先加购 {link} {optOut}' },
        },
      ],
    };
    const registeredText = templateFingerprint('【示例旗舰店】{name}，双11好物先收藏 {link} 回T退订');
    const changed = parseCampaign({ ...own, registeredTemplates: { SMS_1: registeredText } });
    const unknownId = parseCampaign({ ...own, registeredTemplates: { SMS_2: registeredText } });

    // Act
    const changedProblems = refusals(() => planCampaign({ campaign: changed, customers: customers(2), now: NOW }));
    const unknownProblems = refusals(() => planCampaign({ campaign: unknownId, customers: customers(2), now: NOW }));

    // Assess
    expect(changedProblems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^waves\\[0\\]\\.templates\\.sms: changed since it was registered as template SMS_1 \\(fingerprint ${registeredText}, now [0-9a-f]{16}\\)`,
        ),
      ),
    ]);
    expect(unknownProblems).toEqual([
      expect.stringMatching(
        /^waves\[0\]\.templates\.templateId: names template SMS_1, which is not in "registeredTemplates"/,
      ),
    ]);
  });

  it('refuses a signature that is not at the very start, and one outside 2 to 12 characters', () => {
    // Prepare
    const late = parseCampaign({
      ...WARMUP,
      waves: [
        {
          id: 'late',
          sms: '2026-11-05T12:00',
          templates: { sms: '{name}，双11好物先加购 {link} {optOut}{signature}' },
        },
      ],
    });
    const short = parseCampaign({ ...WARMUP, signature: '【店】', smsRules: 'cn-marketing' });
    const long = parseCampaign({ ...WARMUP, signature: `【${'店'.repeat(SIGNATURE_NAME_LENGTH.max + 1)}】` });

    // Act
    const lateProblems = refusals(() => planCampaign({ campaign: late, customers: customers(1), now: NOW }));
    const shortProblems = refusals(() =>
      planCampaign({ campaign: short, customers: customers(1, { phone: '+85291234567' }), now: NOW }),
    );
    const longProblems = refusals(() => planCampaign({ campaign: long, customers: customers(1), now: NOW }));

    // Assess
    expect(lateProblems[0]).toMatch(
      /^waves\[0\]\.templates\.sms: the text must start with the store signature 【示例旗舰店】/,
    );
    expect(shortProblems[0], 'cn-marketing set explicitly applies to any audience').toMatch(
      /^signature: has 1 characters inside 【】; China's carriers take a registered signature of 2 to 12/,
    );
    expect(longProblems[0]).toMatch(/^signature: has 13 characters/);
  });

  it('accepts 拒收请回复R as the opt-out, refuses a text without one, and takes the provider’s appended text instead', () => {
    // Prepare
    const noOptOut = { sms: '{signature}{name}，双11好物先加购 {link} 退订' };
    const withR = parseCampaign({ ...WARMUP, optOutText: '拒收请回复R' });
    const missing = parseCampaign({
      ...WARMUP,
      waves: [{ id: 'w', sms: '2026-11-05T12:00', templates: { ...noOptOut, sms: `${noOptOut.sms}{optOut}` } }],
      optOutText: '回T退订',
    });
    const literal = {
      ...WARMUP,
      waves: [{ id: 'w', sms: '2026-11-05T12:00', templates: { sms: '{signature}{name}，好物先加购 {link}{optOut}' } }],
    };
    const suffixed = parseCampaign({ ...literal, providerSuffix: '拒收请回复R' });

    // Act
    const rProblems = refusals(() => planCampaign({ campaign: withR, customers: customers(1), now: NOW }));
    const suffixProblems = refusals(() => planCampaign({ campaign: suffixed, customers: customers(1), now: NOW }));
    const parseProblems = refusals(() => parseCampaign({ ...literal, providerSuffix: '谢谢' }));

    // Assess
    expect(OPT_OUT_PATTERN.test('拒收请回复R')).toBe(true);
    expect(rProblems.join('\n'), '拒收请回复R is an opt-out').not.toMatch(/opt-out/);
    expect(missing.optOutText).toBe('回T退订');
    expect(suffixProblems.join('\n'), 'the provider’s text is the opt-out').not.toMatch(/opt-out/);
    expect(parseProblems).toEqual(['providerSuffix: must be the opt-out text your provider appends, e.g. 拒收请回复R']);
  });

  it('refuses a text with no opt-out at all', () => {
    // Prepare
    const campaign = parseCampaign({ ...WARMUP, smsRules: 'cn-marketing' });
    const bare = { ...campaign, optOutText: '回T' };

    // Act
    const problems = refusals(() => planCampaign({ campaign: bare, customers: customers(1), now: NOW }));

    // Assess
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^waves\[0\]\.templates\.sms: the default text for group recent must carry an opt-out instruction/,
      ),
    );
  });

  it('refuses {coupon} without a coupon, on the campaign file itself', () => {
    // Prepare
    const input: CampaignInput = {
      ...WARMUP,
      waves: [
        { id: 'w', sms: '2026-11-05T12:00', templates: { sms: '{signature}{name}，送您{coupon} {link} {optOut}' } },
      ],
    };

    // Act
    const problems = refusals(() => parseCampaign(input));
    const withCoupon = parseCampaign({ ...input, coupon: '满300减50券' });

    // Assess
    expect(problems).toEqual([
      'waves[0].templates.sms: uses {coupon} but no coupon is set: set "coupon" on the wave or the campaign (e.g. 满300减50券)',
    ]);
    const wave = withCoupon.waves[0];
    if (!wave) throw new Error('no wave');
    expect(renderSms(waveTemplates(withCoupon, wave).sms, messageValues(withCoupon, wave, { device: 'mobile' }))).toBe(
      '【示例旗舰店】亲，送您满300减50券 https://s.example.cn/d11 回T退订',
    );
  });

  it('takes tonight only on the day before the midnight push, and no kind on the midnight push', () => {
    // Prepare
    const input = (sms: string, kind: 'tonight'): CampaignInput => ({ ...WARMUP, waves: [{ id: 'w', kind, sms }] });

    // Act
    const early = refusals(() => parseCampaign(input('2026-11-09T20:00', 'tonight')));
    const evening = refusals(() => parseCampaign(input('2026-11-10T20:00', 'tonight')));
    const onMidnight = refusals(() =>
      parseCampaign({ ...WARMUP, waves: [{ id: 'm', sms: 'midnight', kind: 'warmup' }] }),
    );

    // Assess
    expect(early).toEqual(['waves[0].kind: tonight (今晚零点开抢) must send on the day before the midnight push']);
    expect(evening).toEqual([]);
    expect(onMidnight).toEqual(['waves[0].kind: does not apply to the midnight push, whose kind is midnight']);
  });
});

describe('cn-marketing warnings', () => {
  it('warns once that carriers may hold night promotions, only under the rules', () => {
    // Prepare
    const input: CampaignInput = {
      ...WARMUP,
      waves: [...WARMUP.waves, { id: 'midnight', sms: 'midnight', audience: ['*'] }],
    };
    const ruled = parseCampaign({ ...input, registeredTemplates: registered(input, ['recent']) });
    const none = parseCampaign({ ...input, smsRules: 'none' });

    // Act
    const warned = planCampaign({ campaign: ruled, customers: customers(2), now: NOW }).timeline.warningDetails;
    const quiet = planCampaign({ campaign: none, customers: customers(2), now: NOW }).timeline.warningDetails;

    // Assess
    expect(warned?.filter((w) => w.code === 'sms-night-promotion')).toEqual([
      { code: 'sms-night-promotion', waves: ['midnight'], start: '08:00', end: '22:00' },
    ]);
    expect(codes(quiet)).not.toContain('sms-night-promotion');
  });

  it('warns of banned content from the default list, and from the campaign’s own list', () => {
    // Prepare
    const text = { sms: '{signature}{name}，加微信抽奖，双11好物先加购 {link} {optOut}' };
    const input: CampaignInput = { ...WARMUP, waves: [{ id: 'w', sms: '2026-11-05T12:00', templates: text }] };
    const registration = registered(input, ['recent']);
    const byDefault = parseCampaign({ ...input, registeredTemplates: registration });
    const own = parseCampaign({ ...input, registeredTemplates: registration, bannedWords: ['好物'] });

    // Act
    const defaultWarnings = planCampaign({ campaign: byDefault, customers: customers(1), now: NOW }).timeline
      .warningDetails;
    const ownWarnings = planCampaign({ campaign: own, customers: customers(1), now: NOW }).timeline.warningDetails;

    // Assess
    expect(defaultWarnings).toContainEqual({ code: 'sms-banned-words', wave: 'w', words: ['加微信', '抽奖'] });
    expect(ownWarnings).toContainEqual({ code: 'sms-banned-words', wave: 'w', words: ['好物'] });
  });
});

describe('parts follow the text each customer reads', () => {
  it('counts each group’s own default text, and the provider’s appended text, in the plan’s parts', () => {
    // Prepare: recent buyers and dormant ones read different warm-up texts; a long name pushes
    // the longer one over one part only with the provider's suffix.
    const set = customers(2, { name: '欧阳娜娜娜娜娜娜' });
    set.upsert({ ...set.get(1), customerId: 'D00001', lastOrderAt: NOW - 200 * 86_400_000 }, 0);
    const input: CampaignInput = { ...WARMUP, providerSuffix: '拒收请回复R', smsRules: 'none' };
    const campaign = parseCampaign(input);
    const wave = campaign.waves[0];
    if (!wave) throw new Error('no wave');
    const expected = ['recent', 'recent', 'dormant-deep'].reduce((sum, group) => {
      const text = renderSms(waveTemplates(campaign, wave, group).sms, messageValues(campaign, wave, set.get(0)));
      return sum + smsParts(deliveredSms(text, '拒收请回复R'));
    }, 0);

    // Act
    const plan = planCampaign({ campaign, customers: set, now: NOW });

    // Assess
    expect(expected, 'the dormant text is two parts, the recent one one').toBe(4);
    expect(plan.timeline.summary.smsParts).toBe(expected);
    expect(brokenPlaybookRules(campaign, set, plan, NOW)).toEqual([]);
    expect(plan.timeline.waves[0]?.smsExample?.text.endsWith('拒收请回复R')).toBe(true);
  });

  it('shows the console the wave’s care text as its own variant, per link and name', () => {
    // Prepare
    const campaign = parseCampaign({
      id: 'care-console',
      midnight: '2026-11-11T00:00',
      smsRules: 'none',
      waves: [
        {
          id: 'warmup',
          sms: '2026-11-05T12:00',
          care: { sms: '{signature}{name}，感谢您近期的购买 {link} {optOut}' },
        },
      ],
    });

    // Act
    const messages = waveMessages(campaign, campaign.waves[0] as NonNullable<(typeof campaign.waves)[0]>);

    // Assess
    const care = messages.sms.filter((sms) => sms.care === true);
    expect(care.flatMap((sms) => sms.variants)).toEqual([
      'care:mobile/name',
      'care:mobile/fallback-name',
      'care:pc/name',
      'care:pc/fallback-name',
    ]);
    expect(care[0]?.text).toBe('【示例旗舰店】王小明，感谢您近期的购买 https://s.example.cn/d11 回T退订');
    expect(messages.sms.filter((sms) => sms.care !== true).length, 'the promotions are still shown').toBeGreaterThan(0);
  });

  it('shows the console each group’s text with the provider’s suffix in its parts, and the PC link to PC-only customers', () => {
    // Prepare
    const campaign = parseCampaign({
      ...WARMUP,
      providerSuffix: '拒收请回复R',
      waves: [{ id: 'w', kind: 'warmup', sms: '2026-11-05T12:00', audience: ['recent', 'dormant-deep'] }],
    });
    const wave = campaign.waves[0];
    if (!wave) throw new Error('no wave');

    // Act
    const messages = waveMessages(campaign, wave);

    // Assess
    expect(messages.sms.map((sms) => `${sms.group} ${sms.variants.join(',')}`)).toEqual([
      'recent mobile/name',
      'recent pc/name',
      'dormant-deep mobile/name',
      'dormant-deep pc/name',
    ]);
    for (const sms of messages.sms) {
      expect(sms.text.endsWith('拒收请回复R'), sms.text).toBe(true);
      expect(sms.text, 'no opt-out of our own beside the provider’s').not.toContain('回T退订');
      expect(sms.providerSuffix).toBe('拒收请回复R');
      expect(sms.parts).toBe(smsParts(sms.text));
      expect(sms.text).toContain(
        sms.variants[0]?.startsWith('pc') ? 'https://shop.example.com' : 'https://s.example.cn/d11',
      );
    }
    const plain = waveMessages({ ...campaign, providerSuffix: undefined }, wave);
    expect(plain.sms[0]?.characters).toBeLessThan(messages.sms[0]?.characters ?? 0);
  });
});
