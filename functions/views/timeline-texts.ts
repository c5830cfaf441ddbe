/**
 * Every word of timeline.html, in Simplified Chinese and English. The interface is the list of
 * phrases: a language without one of them does not compile. Reason codes, group, channel and
 * wave names come from the domain dictionary (domain/i18n.ts).
 */
import type { Lang } from '../domain/i18n.ts';
import { formatCount as formatInt } from '../domain/text.ts';

export interface TimelineTexts {
  title: (campaignId: string) => string;
  switchTo: string;
  timeZone: string;
  plannedAt: string;
  quietHours: string;
  rates: string;
  ratesValue: (sms: string, email: string) => string;
  sendsInWaves: (sends: number, waves: number) => string;
  midnightPush: string;
  midnightLabel: string;
  pushCustomers: (customers: number, groups: number) => string;
  pushDone: (hm: string, took: string) => string;
  noMidnightSend: string;
  stats: {
    customers: [string, string];
    reached: (share: string) => [string, string];
    smsTouches: [string, string];
    emailTouches: [string, string];
    smsParts: string;
    partsPerSms: (n: string) => string;
    multiSms: string;
    limit: (n: string) => string;
  };
  warnings: (n: number) => string;
  unreadableSends: (ids: string) => string;
  legend: {
    email: string;
    sms: string;
    midnight: string;
    quiet: (span: string) => string;
    planned: string;
    lead: string;
  };
  overview: string;
  overviewAria: string;
  nothingToDraw: string;
  quietTitle: (span: string, night?: string) => string;
  audience: (n: string) => string;
  plannedMarker: (when: string) => string;
  leadTitle: (hours: string) => string;
  wavesHourByHour: string;
  panelsNote: string;
  panelAria: (waveId: string) => string;
  noReadableSend: string;
  skipped: (span: string) => string;
  days: (n: number) => string;
  hours: (n: number) => string;
  quietLabel: string;
  nothingPlanned: string;
  groupsAtRate: (groups: number, rate: string) => string;
  emailBeforeSms: (hours: string) => string;
  midnightBadge: string;
  stopsOnPurchase: string;
  /** Under a wave's planned SMS: how many of them are its care text, sent to recent buyers instead. */
  careSms: (count: string) => string;
  sendDetails: (n: number) => string;
  sendHead: { group: string; channel: string; when: string; customers: string; duration: string; parts: string };
  groupLabel: (group: number, slice: number) => string;
  sliceNote: (slice: number) => string;
  sendTitleWave: (waveId: string, group: number) => string;
  customersDuration: (customers: string, duration: string) => string;
  smsPartsLine: (parts: string) => string;
  midnightNote: string;
  stopNote: string;
  waves: string;
  waveHead: {
    wave: string;
    sms: string;
    email: string;
    audience: string;
    plannedSms: string;
    plannedEmail: string;
    dropped: string;
  };
  none: string;
  dropped: string;
  reasonHead: { reason: string; touches: string; meaning: string };
  total: string;
  totalNote: string;
  noDropped: string;
  noDescription: string;
  capTouches: (n: number) => string;
  capSmsMonth: (n: number) => string;
  capMultiSms: (share: number, limit: string) => string;
  groupsTitle: string;
  /** Above the dormant and churned groups' sub-groups. */
  subGroupsTitle: string;
  swipe: string;
  footer: (zone: string, offset: string, campaignId: string) => string;
  duration: { s: (n: number) => string; min: (n: number) => string; h: (n: number) => string };
}

const plural = (n: number, one: string, many: string): string => `${formatInt(n)} ${n === 1 ? one : many}`;

export const TIMELINE_TEXTS: Record<Lang, TimelineTexts> = {
  zh: {
    title: (id) => `${id} · 活动时间线`,
    switchTo: 'English',
    timeZone: '时区',
    plannedAt: '规划时间',
    quietHours: '免打扰时段',
    rates: '发送速率',
    ratesValue: (sms, email) => `短信 ${sms} 条/秒，邮件 ${email} 封/秒`,
    sendsInWaves: (sends, waves) => `${formatInt(waves)} 个波次，共 ${formatInt(sends)} 批发送`,
    midnightPush: '零点开抢',
    midnightLabel: '00:00 零点开抢',
    pushCustomers: (customers, groups) => `${formatInt(customers)} 位客户，分 ${formatInt(groups)} 组`,
    pushDone: (hm, took) => `${hm} 前全部交给服务商（用时 ${took}）`,
    noMidnightSend: '未安排零点发送',
    stats: {
      customers: ['客户', '来自客群文件'],
      reached: (share) => ['触达客户', `${share} 至少收到一次触达`],
      smsTouches: ['短信触达', '计划发送条数'],
      emailTouches: ['邮件触达', '计划发送封数'],
      smsParts: '短信计费条数',
      partsPerSms: (n) => `平均每条短信 ${n} 段`,
      multiSms: '多条短信客户',
      limit: (n) => `上限 ${n}`,
    },
    warnings: (n) => `⚠ ${formatInt(n)} 条提醒`,
    unreadableSends: (ids) => `发送时间无法读取（未绘制）：${ids}`,
    legend: {
      email: '邮件发送',
      sms: '短信发送',
      midnight: '零点开抢',
      quiet: (span) => `免打扰 ${span}（只有零点开抢可以发送）`,
      planned: '规划时间',
      lead: '→ 邮件先于短信',
    },
    overview: '活动总览',
    overviewAria: '活动总览',
    nothingToDraw: '没有可读的发送时间，无法绘制。',
    quietTitle: (span, night) => `免打扰 ${span}${night ? `（${night} 夜间）` : ''}`,
    audience: (n) => `受众 ${n}`,
    plannedMarker: (when) => `规划于 ${when}`,
    leadTitle: (hours) => `邮件比短信早 ${hours}`,
    wavesHourByHour: '波次细节（按小时）',
    panelsNote:
      '每个色条是一批发送，对应一个客户组（G1、G2……；G3·2 表示第 3 组在免打扰结束后发送的部分），长度为按设定速率所需的时间。点开图下的“发送明细”可查看每批的时间和人数。',
    panelAria: (id) => `波次 ${id}，按小时`,
    noReadableSend: '没有可读时间的发送。',
    skipped: (span) => `略去 ${span}`,
    days: (n) => `+${n} 天`,
    hours: (n) => `+${n} 小时`,
    quietLabel: '免打扰',
    nothingPlanned: '未安排',
    groupsAtRate: (groups, rate) => `${formatInt(groups)} 组 · ${rate}/秒`,
    emailBeforeSms: (hours) => `邮件比短信早 ${hours}`,
    midnightBadge: '零点开抢 · 不受免打扰限制',
    stopsOnPurchase: '购买即停',
    careSms: (count) => `其中关怀短信 ${count}`,
    sendDetails: (n) => `发送明细（${formatInt(n)} 批）`,
    sendHead: { group: '组', channel: '渠道', when: '时间', customers: '客户数', duration: '用时', parts: '短信段数' },
    groupLabel: (group, slice) => `G${group}${slice > 1 ? `·${slice}` : ''}`,
    sliceNote: (slice) => `第 ${slice} 段（免打扰结束后继续）`,
    sendTitleWave: (id, group) => `波次 ${id} · 第 ${group} 组`,
    customersDuration: (c, d) => `${c} 位客户 · ${d}`,
    smsPartsLine: (p) => `${p} 段短信`,
    midnightNote: '零点开抢：不受免打扰限制，最高优先级',
    stopNote: '发送前已付款的客户退出本批',
    waves: '波次',
    waveHead: {
      wave: '波次',
      sms: '短信',
      email: '邮件',
      audience: '受众',
      plannedSms: '计划短信',
      plannedEmail: '计划邮件',
      dropped: '未发送（按原因）',
    },
    none: '无',
    dropped: '未发送原因',
    reasonHead: { reason: '原因', touches: '触达数', meaning: '说明' },
    total: '合计',
    totalNote: '各波次要求、但不会发送的触达',
    noDropped: '没有被放弃的触达。',
    noDescription: '（此代码暂无说明）',
    capTouches: (n) => `触达上限：整个活动中每位客户最多 ${n} 次触达；邮件和短信都计入，优先级高的触达先占位。`,
    capSmsMonth: (n) => `每位客户每个自然月最多 ${n} 条短信。`,
    capMultiSms: (share, limit) =>
      `只有按价值排在前 ${share}% 的触达客户可以收到多于一条短信（本次最多 ${limit} 位）；其他客户只收一条。`,
    groupsTitle: '按营销客群划分的客户',
    subGroupsTitle: '睡眠与流失客户细分（单次/多次购买，高/低价值）',
    swipe: '← 左右滑动查看图表 →',
    footer: (zone, offset, id) => `所有时间均为 ${zone}（${offset}）。活动 ${id}。`,
    duration: { s: (n) => `${n} 秒`, min: (n) => `${n} 分钟`, h: (n) => `${n} 小时` },
  },
  en: {
    title: (id) => `${id} · campaign timeline`,
    switchTo: '中文',
    timeZone: 'Time zone',
    plannedAt: 'Planned at',
    quietHours: 'Quiet hours',
    rates: 'Rates',
    ratesValue: (sms, email) => `${sms} SMS/s, ${email} email/s`,
    sendsInWaves: (sends, waves) => `${plural(sends, 'send', 'sends')} in ${plural(waves, 'wave', 'waves')}`,
    midnightPush: 'midnight push',
    midnightLabel: '00:00 midnight push',
    pushCustomers: (customers, groups) =>
      `${plural(customers, 'customer', 'customers')} in ${plural(groups, 'group', 'groups')}`,
    pushDone: (hm, took) => `all handed to the provider by ${hm} (${took})`,
    noMidnightSend: 'no midnight send planned',
    stats: {
      customers: ['Customers', 'in the segment files'],
      reached: (share) => ['Reached', `${share} get at least one touch`],
      smsTouches: ['SMS touches', 'planned messages'],
      emailTouches: ['Email touches', 'planned messages'],
      smsParts: 'SMS parts',
      partsPerSms: (n) => `${n} parts per SMS`,
      multiSms: 'Multi-SMS customers',
      limit: (n) => `limit ${n}`,
    },
    warnings: (n) => `⚠ ${plural(n, 'warning', 'warnings')}`,
    unreadableSends: (ids) => `sends with an unreadable time (not drawn): ${ids}`,
    legend: {
      email: 'email send',
      sms: 'SMS send',
      midnight: 'midnight push',
      quiet: (span) => `quiet hours ${span} (only the midnight push may send)`,
      planned: 'planning time',
      lead: '→ email lead before the SMS',
    },
    overview: 'Campaign overview',
    overviewAria: 'Campaign overview',
    nothingToDraw: 'No send has a readable time; nothing to draw.',
    quietTitle: (span, night) => `quiet hours ${span}${night ? ` (night of ${night})` : ''}`,
    audience: (n) => `audience ${n}`,
    plannedMarker: (when) => `planned ${when}`,
    leadTitle: (hours) => `email goes ${hours} before the SMS`,
    wavesHourByHour: 'Each wave hour by hour',
    panelsNote:
      'Bars are sends, one per customer group (G1, G2, …; G3·2 is the part of group 3 sent after quiet hours), drawn for the time they take at the configured rate. Open "send details" under a chart for the time and size of every send.',
    panelAria: (id) => `wave ${id}, hour by hour`,
    noReadableSend: 'No send with a readable time.',
    skipped: (span) => `${span} skipped`,
    days: (n) => `+${n} d`,
    hours: (n) => `+${n} h`,
    quietLabel: 'quiet hours',
    nothingPlanned: 'nothing planned',
    groupsAtRate: (groups, rate) => `${plural(groups, 'group', 'groups')} · ${rate}/s`,
    emailBeforeSms: (hours) => `email ${hours} before SMS`,
    midnightBadge: 'midnight push · exempt from quiet hours',
    stopsOnPurchase: 'stops on purchase',
    careSms: (count) => `${count} of them care texts`,
    sendDetails: (n) => `send details (${plural(n, 'send', 'sends')})`,
    sendHead: {
      group: 'Group',
      channel: 'Channel',
      when: 'When',
      customers: 'Customers',
      duration: 'Takes',
      parts: 'SMS parts',
    },
    groupLabel: (group, slice) => `G${group}${slice > 1 ? `·${slice}` : ''}`,
    sliceNote: (slice) => `slice ${slice} (continues after quiet hours)`,
    sendTitleWave: (id, group) => `wave ${id} · group ${group}`,
    customersDuration: (c, d) => `${c} customers · ${d}`,
    smsPartsLine: (p) => `${p} SMS parts`,
    midnightNote: 'midnight push: exempt from quiet hours, top priority',
    stopNote: 'buyers who pay before the send leave it',
    waves: 'Waves',
    waveHead: {
      wave: 'Wave',
      sms: 'SMS',
      email: 'Email',
      audience: 'Audience',
      plannedSms: 'Planned SMS',
      plannedEmail: 'Planned email',
      dropped: 'Dropped, by reason',
    },
    none: 'none',
    dropped: 'Why touches were dropped',
    reasonHead: { reason: 'Reason', touches: 'Touches', meaning: 'What it means' },
    total: 'total',
    totalNote: 'touches the waves asked for that will not be sent',
    noDropped: 'No touch was dropped.',
    noDescription: '(no description for this code)',
    capTouches: (n) =>
      `Touch cap: each customer gets at most ${n} touches in the whole campaign; email and SMS both count, and higher-priority touches keep their place.`,
    capSmsMonth: (n) => `At most ${n} SMS per customer in one calendar month.`,
    capMultiSms: (share, limit) =>
      `More than one SMS only for the top ${share}% of reached customers by value (here at most ${limit} customers); the others get one SMS.`,
    groupsTitle: 'Customers by playbook group',
    subGroupsTitle: 'Dormant and churned customers by sub-group (one order or more, higher or lower value)',
    swipe: '← swipe the chart sideways →',
    footer: (zone, offset, id) => `All times in ${zone} (${offset}). Campaign ${id}.`,
    duration: { s: (n) => `${n} s`, min: (n) => `${n} min`, h: (n) => `${n} h` },
  },
};
