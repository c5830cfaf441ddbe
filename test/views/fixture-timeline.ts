import type { Channel, PlannedSend, Timeline } from '../../functions/domain/timeline.ts';

/**
 * A realistic plan for d11-2026 in Asia/Shanghai: groups of at most 30,000, SMS at 20/s,
 * email at 14/s. The presale SMS is 2 parts long, so its third group runs into quiet hours
 * at 22:00 and continues (slice 2) at 09:00 the next morning. The midnight push is
 * 180,000 customers = 6 groups of 30,000, 1,500 s each, back to back.
 */

interface SendExtra {
  slice?: number;
  smsParts?: number;
  midnight?: boolean;
  stopOnPurchase?: boolean;
}

function send(
  waveId: string,
  channel: Channel,
  group: number,
  at: string,
  customers: number,
  estimatedSeconds: number,
  extra: SendExtra = {},
): PlannedSend {
  const slice = extra.slice ?? 1;
  const out: PlannedSend = {
    id: `${waveId}-${channel}-g${group}${slice > 1 ? `-s${slice}` : ''}`,
    waveId,
    channel,
    group,
    at,
    customers,
    estimatedSeconds,
    slice,
  };
  if (channel === 'sms') out.smsParts = extra.smsParts ?? customers;
  if (extra.midnight) out.midnight = true;
  if (extra.stopOnPurchase) out.stopOnPurchase = true;
  return out;
}

export const fixtureTimeline: Timeline = {
  campaignId: 'd11-2026',
  timezone: 'Asia/Shanghai',
  plannedAt: '2026-10-20T10:00:00+08:00',
  midnight: '2026-11-11T00:00:00+08:00',
  quietHours: { start: '22:00', end: '09:00' },
  caps: { touches: 3, smsPerMonth: 2, multiSmsShare: 0.3 },
  groupSize: 30_000,
  smsRatePerSecond: 20,
  emailRatePerSecond: 14,
  sends: [
    send('presale', 'email', 1, '2026-10-22T14:00:00+08:00', 25_200, 1_800),
    send('presale', 'email', 2, '2026-10-22T14:30:00+08:00', 25_200, 1_800),
    send('presale', 'email', 3, '2026-10-22T15:00:00+08:00', 25_200, 1_800),
    send('presale', 'email', 4, '2026-10-22T15:30:00+08:00', 25_200, 1_800),
    send('presale', 'sms', 1, '2026-10-24T20:00:00+08:00', 27_000, 2_700, { smsParts: 54_000 }),
    send('presale', 'sms', 2, '2026-10-24T20:45:00+08:00', 27_000, 2_700, { smsParts: 54_000 }),
    send('presale', 'sms', 3, '2026-10-24T21:30:00+08:00', 18_000, 1_800, { smsParts: 36_000 }),
    send('presale', 'sms', 3, '2026-10-25T09:00:00+08:00', 9_000, 900, { smsParts: 18_000, slice: 2 }),
    send('presale', 'sms', 4, '2026-10-25T09:15:00+08:00', 27_000, 2_700, { smsParts: 54_000 }),
    send('warmup', 'email', 1, '2026-11-03T10:00:00+08:00', 30_000, 2_143),
    send('warmup', 'email', 2, '2026-11-03T10:35:43+08:00', 30_000, 2_143),
    send('warmup', 'email', 3, '2026-11-03T11:11:26+08:00', 30_000, 2_143),
    send('warmup', 'email', 4, '2026-11-03T11:47:09+08:00', 30_000, 2_143),
    send('warmup', 'sms', 1, '2026-11-05T12:00:00+08:00', 30_000, 1_500),
    send('warmup', 'sms', 2, '2026-11-05T12:25:00+08:00', 30_000, 1_500),
    send('midnight', 'email', 1, '2026-11-08T18:00:00+08:00', 30_000, 2_143),
    send('midnight', 'email', 2, '2026-11-08T18:35:43+08:00', 30_000, 2_143),
    send('midnight', 'email', 3, '2026-11-08T19:11:26+08:00', 30_000, 2_143),
    send('midnight', 'email', 4, '2026-11-08T19:47:09+08:00', 30_000, 2_143),
    send('unpaid', 'sms', 1, '2026-11-09T20:00:00+08:00', 10_800, 540, { stopOnPurchase: true }),
    send('midnight', 'sms', 1, '2026-11-11T00:00:00+08:00', 30_000, 1_500, { midnight: true }),
    send('midnight', 'sms', 2, '2026-11-11T00:25:00+08:00', 30_000, 1_500, { midnight: true }),
    send('midnight', 'sms', 3, '2026-11-11T00:50:00+08:00', 30_000, 1_500, { midnight: true }),
    send('midnight', 'sms', 4, '2026-11-11T01:15:00+08:00', 30_000, 1_500, { midnight: true }),
    send('midnight', 'sms', 5, '2026-11-11T01:40:00+08:00', 30_000, 1_500, { midnight: true }),
    send('midnight', 'sms', 6, '2026-11-11T02:05:00+08:00', 30_000, 1_500, { midnight: true }),
  ],
  dropped: {
    'cap:touches': 176_010,
    'no-email': 152_630,
    'cap:multi-sms': 141_700,
    'no-phone': 50_280,
    'opt-out': 31_120,
    'cap:sms-month': 1_200,
  },
  warnings: [
    'wave midnight: the midnight push takes 2 h 30 min (2.5 hours) at 20 SMS parts/s (150,000 SMS, 180,000 parts, 10 groups); customers in the last groups receive it after 01:00, past the first-hour peak. Reaching everyone within the hour needs 50 parts/s: ask the SMS provider for a higher rate, or narrow the midnight audience (an hour at this rate sends 72,000 parts).',
    'wave presale: the SMS send pauses for quiet hours (22:00 to 09:00) and resumes after them (groups 3, 4)',
    'wave midnight: the midnight push runs until 2026-11-11T02:30:00+08:00, past the end of the night',
  ],
  warningDetails: [
    { code: 'midnight-slow', wave: 'midnight', seconds: 9_000, rate: 20, sms: 150_000, parts: 180_000, groups: 10 },
    { code: 'quiet-split', wave: 'presale', channel: 'sms', quietStart: '22:00', quietEnd: '09:00', groups: [3, 4] },
    { code: 'midnight-past-night', wave: 'midnight', until: '2026-11-11T02:30:00+08:00' },
  ],
  waves: [
    {
      id: 'presale',
      smsAt: '2026-10-24T20:00:00+08:00',
      emailAt: '2026-10-22T14:00:00+08:00',
      midnight: false,
      stopOnPurchase: false,
      audience: ['d11-loyal', 'd11-veteran', 'recent-high'],
      audience_size: 134_770,
      control: 0,
      planned: { sms: 108_000, email: 100_800 },
      dropped: { 'no-email': 31_880, 'cap:multi-sms': 20_400, 'opt-out': 5_000, 'no-phone': 3_460 },
      smsEndsAt: '2026-10-25T10:00:00+08:00',
      emailEndsAt: '2026-10-22T16:00:00+08:00',
      smsExample: {
        text: '【示例旗舰店】张女士，双11预售开启！老客专享定金立减50元，前1小时付尾款再享折上9折，点击 https://s.example.cn/d11 回T退订',
        parts: 2,
        characters: 78,
      },
      emailExample: { subject: '张女士，您的双11预售专享价已备好' },
    },
    {
      id: 'warmup',
      smsAt: '2026-11-05T12:00:00+08:00',
      emailAt: '2026-11-03T10:00:00+08:00',
      midnight: false,
      stopOnPurchase: false,
      audience: ['d11-loyal', 'd11-veteran', 'recent-high', 'recent', 'dormant-shallow'],
      audience_size: 262_950,
      control: 0,
      planned: { sms: 60_000, email: 120_000 },
      dropped: {
        'cap:touches': 132_180,
        'cap:multi-sms': 121_300,
        'no-email': 68_450,
        'no-phone': 14_210,
        'opt-out': 9_760,
      },
      smsEndsAt: '2026-11-05T12:50:00+08:00',
      emailEndsAt: '2026-11-03T12:22:52+08:00',
      smsExample: {
        text: '【示例旗舰店】张女士，双11加购清单已为您保留，11日0点开抢 s.example.cn/d11 回T退订',
        parts: 1,
        characters: 52,
      },
      emailExample: { subject: '双11倒计时：您的购物车里有3件心仪好物' },
    },
    {
      id: 'unpaid',
      smsAt: '2026-11-09T20:00:00+08:00',
      midnight: false,
      stopOnPurchase: true,
      audience: ['unpaid'],
      audience_size: 12_480,
      control: 0,
      planned: { sms: 10_800, email: 0 },
      dropped: { 'cap:sms-month': 1_200, 'opt-out': 310, 'no-phone': 170 },
      smsEndsAt: '2026-11-09T20:09:00+08:00',
      smsExample: {
        text: '【示例旗舰店】张女士，您有一笔订单尚未付款，库存紧张请尽快完成支付 s.example.cn/d11 回T退订',
        parts: 1,
        characters: 56,
      },
    },
    {
      id: 'midnight',
      smsAt: '2026-11-11T00:00:00+08:00',
      emailAt: '2026-11-08T18:00:00+08:00',
      midnight: true,
      stopOnPurchase: false,
      audience: ['d11-loyal', 'd11-only', 'd11-veteran', 'recent-high', 'recent'],
      audience_size: 222_310,
      control: 0,
      planned: { sms: 180_000, email: 120_000 },
      dropped: { 'no-email': 52_300, 'cap:touches': 43_830, 'no-phone': 32_440, 'opt-out': 16_050 },
      smsEndsAt: '2026-11-11T02:30:00+08:00',
      emailEndsAt: '2026-11-08T20:22:52+08:00',
      smsExample: {
        text: '【示例旗舰店】张女士，双11零点已开抢！老客券已到账 s.example.cn/d11 回T退订',
        parts: 1,
        characters: 46,
      },
      emailExample: { subject: '零点开抢：张女士，您的双11老客券已到账' },
    },
  ],
  summary: {
    customers: 412_386,
    reached: 389_650,
    multiSms: 116_820,
    multiSmsLimit: 116_895,
    touches: { sms: 358_800, email: 340_800 },
    smsParts: 466_800,
    groups: {
      unpaid: 12_480,
      'd11-loyal': 38_920,
      'd11-only': 15_230,
      'd11-veteran': 61_450,
      'recent-high': 34_400,
      recent: 72_310,
      'dormant-shallow': 55_870,
      'dormant-deep': 48_960,
      churned: 72_766,
    },
  },
};
