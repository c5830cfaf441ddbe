/**
 * Every word of report.html, in Simplified Chinese and English. The interface is the list of
 * phrases: a language without one of them does not compile. Reason codes, channel, outcome,
 * state and action names come from the domain dictionary (domain/i18n.ts).
 */
import type { Lang } from '../domain/i18n.ts';
import { formatCount as formatInt } from '../domain/text.ts';
import type { PresaleRule } from '../domain/triggers.ts';
import { html, type SafeHtml } from './html.ts';

export type RoiModeName = 'net' | 'gross' | 'as-given';

export interface ReportTexts {
  switchTo: string;
  title: (campaignId: string) => string;
  asOf: string;
  timeZone: string;
  wavesRows: (waves: number, rows: number) => string;
  moneyInCny: string;
  perYuan: (value: string) => string;
  roiDefinition: Record<RoiModeName, string>;
  // outcome chart
  outcomesAria: string;
  shareOfPlanned: string;
  deliveryFormula: string;
  planned: (n: string) => string;
  nothingPlanned: string;
  ofPlanned: (share: string) => string;
  delivered: string;
  notSentYet: string;
  // revenue chart
  revenueAria: string;
  orders: (n: number) => string;
  cost: (cny: string) => string;
  revenue: (cny: string) => string;
  noOrders: string;
  // table
  head: {
    wave: string;
    channel: string;
    planned: string;
    sent: string;
    failed: string;
    suppressed: string;
    unknown: string;
    expired: string;
    expiredTitle: string;
    cancelled: string;
    pending: string;
    smsParts: string;
    orders: string;
    revenue: string;
    cost: string;
    clicks: string;
    clicksTitle: string;
    clickedOrders: string;
    clickedOrdersTitle: string;
  };
  /** Under the clicks: the click-through; under clicked-then-ordered: its revenue. */
  clickThrough: (share: string) => string;
  clickedRevenue: (cny: string) => string;
  clicksNote: string;
  allWaves: string;
  // unknown outcomes
  unknownExplain: SafeHtml;
  unknownNoneListed: (n: number) => string;
  noUnknown: string;
  unknownHead: { customer: string; wave: string; channel: string; send: string };
  moreNotShown: (more: number, all: number) => SafeHtml;
  // reasons
  nothingFailed: string;
  reasonHead: { reason: string; outcome: string; touches: string; meaning: string };
  noDescription: string;
  // what the campaign added
  interval: (low: string, high: string) => SafeHtml;
  tooFewBuyers: string;
  unknownEffectTitle: string;
  unknownEffectValue: string;
  unknownEffectNote: string;
  verdictUp: string;
  verdictDown: string;
  verdictUnsure: string;
  addedTitle: string;
  addedOrders: string;
  againstControls: string;
  notCounted: string;
  bought: (rate: string) => string;
  points: (value: string) => string;
  heldOut: (cny: string) => string;
  incrementalTitle: string;
  incrementalHead: {
    wave: string;
    sent: string;
    heldOut: string;
    lift: string;
    orders: string;
    revenue: string;
    inWindow: string;
  };
  incrementalNote: (hours: string) => string;
  // tiers
  tiersTitle: string;
  tierHead: { tier: string; customers: string };
  noTier: string;
  tiersNote: string;
  // order rules (催付, 尾款)
  triggersTitle: string;
  triggersNote: string;
  /** A rule's name: a campaign trigger by its id, the presale balance reminders by kind. */
  ruleNames: { trigger: (id: string) => string } & Record<PresaleRule, string>;
  triggerHead: {
    rule: string;
    scheduled: string;
    checked: string;
    sent: string;
    suppressed: string;
    failed: string;
    unknown: string;
    waiting: string;
    pending: string;
    smsParts: string;
    orders: string;
    revenue: string;
    cost: string;
  };
  // per customer group
  groupsTitle: string;
  groupsNote: (minControl: number) => string;
  groupsWave: (waveId: string) => string;
  groupHead: {
    group: string;
    customers: string;
    sent: string;
    failed: string;
    orders: string;
    revenue: string;
    cost: string;
    lift: string;
    addedOrders: string;
    clicks: string;
  };
  byGroupCaption: string;
  byLabelCaption: string;
  noGroup: string;
  noControlShort: string;
  // audit
  auditTitle: string;
  auditHead: { when: (zone: string) => string; who: string; what: string; state: string; details: string };
  auditWave: (id: string) => string;
  auditMore: (more: number, all: number) => SafeHtml;
  // headline
  most: (n: string, what: string) => string;
  deliveryHero: string;
  deliveryHeroNote: (sent: string, tried: string) => string;
  stat: {
    planned: [string, string];
    sent: string;
    deliveryRate: [string, string];
    failed: string;
    suppressed: string;
    unknown: string;
    checkProvider: string;
    everyAnswer: string;
    pending: [string, string];
    expiredCancelled: [string, string];
    smsParts: [string, string];
    attributedOrders: [string, string];
    attributedRevenue: [string, string];
    cost: [string, string];
    attributedRoi: string;
    roiGross: string;
    roiNet: string;
    roiAsGiven: string;
  };
  running: (n: number) => SafeHtml;
  legend: {
    sent: string;
    failed: string;
    suppressed: string;
    unknown: string;
    expired: string;
    cancelled: string;
    pending: string;
  };
  outcomesTitle: string;
  outcomesNote: string;
  noRows: string;
  revenueTitle: string;
  revenueLegend: { email: string; sms: string; scale: string };
  attributionNote: string;
  tableTitle: string;
  blankCells: string;
  noOrdersYet: string;
  deliveryNote: string;
  unknownTitle: string;
  reasonsTitle: string;
  swipe: string;
  footer: (id: string, asOf: string, zone: string) => string;
}

const plural = (n: number, one: string, many: string): string => `${formatInt(n)} ${n === 1 ? one : many}`;

export const REPORT_TEXTS: Record<Lang, ReportTexts> = {
  zh: {
    switchTo: 'English',
    title: (id) => `${id} · 活动报告`,
    asOf: '截至',
    timeZone: '时区',
    wavesRows: (waves, rows) => `${formatInt(waves)} 个波次，${formatInt(rows)} 行（波次 × 渠道）`,
    moneyInCny: '金额单位：人民币（¥）',
    perYuan: (v) => `每 ¥1 带来 ${v}`,
    roiDefinition: {
      net: 'ROI =（成交 − 成本）÷ 成本：0% 表示成交刚好覆盖成本，+100% 表示每花 ¥1 带来 ¥2 成交。',
      gross: 'ROI = 成交 ÷ 成本：5× 表示每花 ¥1 带来 ¥5 归因成交。',
      'as-given': 'ROI 按报告给出的数字显示（它既不符合（成交 − 成本）÷ 成本，也不符合成交 ÷ 成本）。',
    },
    outcomesAria: '每个计划触达的结果，按波次和渠道',
    shareOfPlanned: '占计划的比例 →',
    deliveryFormula: '已发送 ÷（已发送 + 失败 + 结果未知）',
    planned: (n) => `计划 ${n}`,
    nothingPlanned: '未安排',
    ofPlanned: (share) => `占计划 ${share}`,
    delivered: '送达',
    notSentYet: '尚未发送',
    revenueAria: '各波次和渠道的归因成交与 ROI',
    orders: (n) => `${formatInt(n)} 单`,
    cost: (cny) => `成本 ${cny}`,
    revenue: (cny) => `成交 ${cny}`,
    noOrders: '无归因订单',
    head: {
      wave: '波次',
      channel: '渠道',
      planned: '计划',
      sent: '已发送',
      failed: '失败（按原因）',
      suppressed: '已拦截（按原因）',
      unknown: '结果未知',
      expired: '已过期',
      expiredTitle: '未发送：会落在发送窗口之外',
      cancelled: '已取消',
      pending: '待发送',
      smsParts: '短信段数',
      orders: '订单',
      revenue: '成交',
      cost: '成本',
      clicks: '点击',
      clicksTitle: '点过消息里链接的客户数（每人每条消息只算一次）',
      clickedOrders: '点击后下单',
      clickedOrdersTitle: '客户点击该波次链接后、在归因窗口内付款的订单（以最后一次点击归因）',
    },
    clickThrough: (share) => `点击率 ${share}`,
    clickedRevenue: (cny) => `成交 ${cny}`,
    clicksNote:
      '“点击”来自每条消息专属的跟踪链接，每位客户每条消息只计一次；“点击后下单”是按点击归因的第二种口径，与按发送时间归因的“订单”并列，可对照。',
    allWaves: '全部波次',
    unknownExplain: html`这些触达已被认领，但没有记录到服务商的回复（发送中途停止）。它们<b>不会被自动重发</b>，以免客户收到两次。<b>请向服务商核对</b>（短信或邮件的投递日志）：其中一些可能已经发出。`,
    unknownNoneListed: (n) => `合计中有 ${formatInt(n)} 个结果未知，但报告没有列出。`,
    noUnknown: '没有结果未知的触达：每个已认领的触达都有服务商的回复。',
    unknownHead: { customer: '客户', wave: '波次', channel: '渠道', send: '发送批次' },
    moreNotShown: (more, all) =>
      html`…… 另有 ${formatInt(more)} 个未显示（共 ${formatInt(all)} 个）；完整列表在报告数据中（report.json 的 <code>unknownTouches</code>）。`,
    nothingFailed: '没有失败，也没有被拦截的触达。',
    reasonHead: { reason: '原因', outcome: '结果', touches: '触达数', meaning: '说明' },
    noDescription: '此代码暂无说明，按原样显示。',
    interval: (low, high) => html`95% 区间 <span class="ci">${low} 至 ${high}</span>`,
    tooFewBuyers: '买家太少，无区间',
    unknownEffectTitle: '活动增量',
    unknownEffectValue: '未知',
    unknownEffectNote: '没有波次设对照组，无法衡量增量。下方成交是末次触达归因，不是因果。',
    verdictUp: '区间高于零：确有增量',
    verdictDown: '区间低于零：带来了损失',
    verdictUnsure: '区间含零：无法确认有增量',
    addedTitle: '活动增量成交',
    addedOrders: '增量订单',
    againstControls: '对照组对比：',
    notCounted: '未计入（无对照组）：',
    bought: (rate) => `${rate} 购买`,
    points: (v) => `${v} 个百分点`,
    heldOut: (cny) => `对照组 ${cny}`,
    incrementalTitle: '活动增量（对照组）',
    incrementalHead: {
      wave: '波次',
      sent: '发送',
      heldOut: '对照',
      lift: '转化提升',
      orders: '增量订单',
      revenue: '增量成交',
      inWindow: '窗口内成交',
    },
    incrementalNote: (hours) =>
      `对照组的客户（按客户与活动稳定抽取）不收到该波次。比较两组在波次短信时间后 ${hours} 小时内的已付款、未退款订单：差值 × 发送人数 = 该波次带来的增量。区间为 95% 置信区间（转化：Newcombe 得分法；订单和成交：Welch 法）；含零表示无法确认有增量。未设对照组的波次效果未知，不计为零。`,
    tiersTitle: '按会员等级',
    tierHead: { tier: '等级', customers: '客户' },
    noTier: '无等级',
    tiersNote:
      '每位客户在规划时客群文件中的会员等级（会员等级 / member_tier）。订单按与波次明细相同的方式归因（归因窗口内的最后一次触达），因此各等级之和等于合计。',
    triggersTitle: '订单触发提醒（催付、尾款）',
    triggersNote:
      '每个订单最多收到每条规则的一条提醒：订单事件排程一次检查，检查到期时，订单已付款或已取消、客户已退订、落在免打扰时段（设置为作废）、或触达/每月短信上限已满时不发送（与波次共用同一上限）。付款订单：被提醒的订单在提醒发出后、归因窗口内付款且未退款（催付回款）；同一订单也可能按末次触达计入某个波次，因此不计入上方合计。',
    ruleNames: {
      trigger: (id) => `催付 ${id}`,
      'presale:open': '尾款开放提醒',
      'presale:close': '尾款截止前提醒',
    },
    triggerHead: {
      rule: '规则',
      scheduled: '已排程',
      checked: '已检查',
      sent: '已发送',
      suppressed: '未发送（原因）',
      failed: '失败',
      unknown: '结果未知',
      waiting: '等免打扰结束',
      pending: '待检查',
      smsParts: '短信计费条数',
      orders: '付款订单',
      revenue: '回款（元）',
      cost: '成本（元）',
    },
    groupsTitle: '分人群结果',
    groupsNote: (min) =>
      `每个波次按人群拆分：“人群”是规划时每位客户被分入的人群，“营销标签”是客群文件里的标签（一位客户有两个标签时两边都计入，所以标签之和不一定等于波次合计）。订单按与波次明细相同的末次触达归因。有对照组的波次，每个人群与该人群自己的对照客户比较，给出增量及 95% 区间；某人群的对照客户少于 ${min} 人时，写作“未知：对照太少”，不给数字。`,
    groupsWave: (id) => `波次 ${id}`,
    groupHead: {
      group: '人群',
      customers: '客户',
      sent: '已发送',
      failed: '失败',
      orders: '归因订单',
      revenue: '归因成交',
      cost: '成本',
      lift: '转化提升（对照组）',
      addedOrders: '增量订单',
      clicks: '点击（点击率）',
    },
    byGroupCaption: '按人群',
    byLabelCaption: '按营销标签',
    noGroup: '未记录人群',
    noControlShort: '未设对照组',
    auditTitle: '操作记录',
    auditHead: {
      when: (zone) => `时间（${zone}）`,
      who: '操作人',
      what: '操作',
      state: '状态',
      details: '版本 · 波次 · 原因',
    },
    auditWave: (id) => `波次 ${id}`,
    auditMore: (more, all) =>
      html`…… 另有 ${formatInt(more)} 条更早的记录（共 ${formatInt(all)} 条），在报告数据中（report.json 的 <code>audit</code>）。`,
    most: (n, what) => `最多：${what} ${n}`,
    deliveryHero: '送达率',
    deliveryHeroNote: (sent, tried) => `交给服务商的 ${tried} 个触达中，${sent} 个被接受`,
    stat: {
      planned: ['计划', '计划中的触达'],
      sent: '已发送',
      deliveryRate: ['送达率', '已尝试的触达中'],
      failed: '失败',
      suppressed: '已拦截',
      unknown: '结果未知',
      checkProvider: '请向服务商核对 ↓',
      everyAnswer: '每个触达都有回复',
      pending: ['待发送', '发送时间未到'],
      expiredCancelled: ['已过期 · 已取消', '未发送：超出发送窗口或被取消'],
      smsParts: ['短信段数', '计费'],
      attributedOrders: ['归因订单', '末次触达：是记账，不是因果'],
      attributedRevenue: ['归因成交', '是归因，不是因果'],
      cost: ['成本', '这些触达的费用'],
      attributedRoi: '归因 ROI',
      roiGross: '归因成交 ÷ 成本',
      roiNet: '（归因成交 − 成本）÷ 成本',
      roiAsGiven: '按报告给出',
    },
    running: (n) => html`活动仍在进行：还有 <b>${formatInt(n)}</b> 个计划触达待发送，数字还会变化。`,
    legend: {
      sent: '已发送（服务商已接受）',
      failed: '失败',
      suppressed: '有意拦截',
      unknown: '结果未知',
      expired: '已过期（超出发送窗口，未发送）',
      cancelled: '已取消',
      pending: '待发送（时间未到）',
    },
    outcomesTitle: '每个计划触达的结果',
    outcomesNote:
      '每个色条是一个波次和渠道，按其计划触达的比例绘制；渠道后的数字是计划数。每一段的数字和原因都写在下方的分波次明细表中（手机上可直接查看，无需悬停）。',
    noRows: '报告没有任何行。',
    revenueTitle: '归因成交与投入产出（末次触达：是记账，不是因果）',
    revenueLegend: { email: '邮件成交', sms: '短信成交', scale: '所有色条同一比例：最长的是成交最多的波次和渠道' },
    attributionNote:
      '末次触达归因：客户在触达后的归因窗口内下单，订单记在最后一次触达上。这是记账，不是因果：不发消息也会下的单同样被记入。活动真正带来的增量见上方对照组结果。',
    tableTitle: '分波次明细',
    blankCells: '空白格：该行没有此项（邮件行没有短信段数、没有归因订单或成本未知）。',
    noOrdersYet: '报告中还没有订单：收到订单回调后会显示订单、成交、成本和 ROI。',
    deliveryNote: '送达率 = 已发送 ÷ 已尝试的触达（已发送 + 失败 + 结果未知）：已拦截和待发送的触达从未尝试。',
    unknownTitle: '结果未知',
    reasonsTitle: '原因说明',
    swipe: '← 左右滑动查看图表或表格 →',
    footer: (id, asOf, zone) => `活动 ${id} · 截至 ${asOf} · ${zone}。`,
  },
  en: {
    switchTo: '中文',
    title: (id) => `${id} · campaign report`,
    asOf: 'As of',
    timeZone: 'Time zone',
    wavesRows: (waves, rows) =>
      `${plural(waves, 'wave', 'waves')}, ${plural(rows, 'wave × channel row', 'wave × channel rows')}`,
    moneyInCny: 'Money in CNY (¥)',
    perYuan: (v) => `${v} per ¥1`,
    roiDefinition: {
      net: 'ROI = (revenue − cost) ÷ cost: 0% means the revenue just covered the cost, +100% means ¥2 of revenue for every ¥1 spent.',
      gross: 'ROI = revenue ÷ cost: 5× means ¥5 of attributed revenue for every ¥1 spent on the touches.',
      'as-given': 'ROI as computed by the report (it matches neither (revenue − cost) ÷ cost nor revenue ÷ cost).',
    },
    outcomesAria: 'Outcome of every planned touch, per wave and channel',
    shareOfPlanned: 'share of planned →',
    deliveryFormula: 'sent ÷ (sent + failed + unknown)',
    planned: (n) => `${n} planned`,
    nothingPlanned: 'nothing planned',
    ofPlanned: (share) => `${share} of planned`,
    delivered: 'delivered',
    notSentYet: 'not sent yet',
    revenueAria: 'Attributed revenue and ROI per wave and channel',
    orders: (n) => plural(n, 'order', 'orders'),
    cost: (cny) => `cost ${cny}`,
    revenue: (cny) => `revenue ${cny}`,
    noOrders: 'no orders attributed',
    head: {
      wave: 'Wave',
      channel: 'Channel',
      planned: 'Planned',
      sent: 'Sent',
      failed: 'Failed, by reason',
      suppressed: 'Suppressed, by reason',
      unknown: 'Unknown',
      expired: 'Expired',
      expiredTitle: 'not sent: it would have landed outside its window',
      cancelled: 'Cancelled',
      pending: 'Pending',
      smsParts: 'SMS parts',
      orders: 'Orders',
      revenue: 'Revenue',
      cost: 'Cost',
      clicks: 'Clicks',
      clicksTitle: "customers who followed the message's link (once per customer and message)",
      clickedOrders: 'Clicked, then ordered',
      clickedOrdersTitle:
        "orders paid within the attribution window after the customer clicked this wave's link (the last click wins)",
    },
    clickThrough: (share) => `${share} click-through`,
    clickedRevenue: (cny) => `revenue ${cny}`,
    clicksNote:
      'Clicks come from each message\'s own tracked link, once per customer and message; "clicked, then ordered" is a second attribution, by the click, beside the orders credited by the timing of the send.',
    allWaves: 'All waves',
    unknownExplain: html`These touches were claimed but no provider answer was recorded (the sender stopped mid-send). They are <b>never re-sent automatically</b>, so a customer is not messaged twice. <b>Check them with the provider</b> (SMS or email delivery logs): some may have gone out.`,
    unknownNoneListed: (n) =>
      `The totals count ${plural(n, 'unknown outcome', 'unknown outcomes')}, but the report lists none.`,
    noUnknown: 'No unknown outcomes: every claimed touch has an answer from the provider.',
    unknownHead: { customer: 'Customer', wave: 'Wave', channel: 'Channel', send: 'Send' },
    moreNotShown: (more, all) =>
      html`… and ${formatInt(more)} more not shown (${formatInt(all)} in all); the full list is in the report data (<code>unknownTouches</code> in report.json).`,
    nothingFailed: 'Nothing failed and nothing was suppressed.',
    reasonHead: { reason: 'Reason', outcome: 'Outcome', touches: 'Touches', meaning: 'What it means' },
    noDescription: 'No description for this code; shown as reported.',
    interval: (low, high) => html`95% interval <span class="ci">${low} to ${high}</span>`,
    tooFewBuyers: 'too few buyers for an interval',
    unknownEffectTitle: 'What the campaign added',
    unknownEffectValue: 'unknown',
    unknownEffectNote:
      'No wave has a control group, so what the campaign added cannot be measured; the revenue below is last-touch attribution, not cause.',
    verdictUp: 'above zero: a real gain',
    verdictDown: 'below zero: a loss',
    verdictUnsure: 'includes zero: no proven gain',
    addedTitle: 'Revenue the campaign added',
    addedOrders: 'added orders',
    againstControls: 'against the control groups of: ',
    notCounted: 'not counted (no control group): ',
    bought: (rate) => `${rate} bought`,
    points: (v) => `${v} pts`,
    heldOut: (cny) => `${cny} held out`,
    incrementalTitle: 'What each wave added, against its control group',
    incrementalHead: {
      wave: 'Wave',
      sent: 'Sent',
      heldOut: 'Held out',
      lift: 'Lift',
      orders: 'Added orders',
      revenue: 'Added revenue',
      inWindow: 'Revenue in window',
    },
    incrementalNote: (hours) =>
      `Customers held out of a wave (a stable draw per customer and campaign) get nothing from it. Both groups' paid, unrefunded orders within ${hours} h after the wave's SMS time are compared: the difference per customer × the customers sent = what the wave added. Intervals are 95% confidence intervals (conversion: Newcombe's score method; orders and revenue: Welch's); one that includes zero means no gain is proven. A wave without a control group has an unknown effect, never counted as zero.`,
    tiersTitle: 'By member tier',
    tierHead: { tier: 'Tier', customers: 'Customers' },
    noTier: 'no tier',
    tiersNote:
      'The tier (会员等级 / member_tier) each customer had in the segment files when the plan was made. Orders are credited as in the wave rows (the last touch within the attribution window), so the tiers add up to the totals.',
    triggersTitle: 'Order-triggered reminders (unpaid orders, presale balances)',
    triggersNote:
      'Each order gets at most one reminder per rule: the order event schedules one check, and when it is due nothing is sent if the order was paid or cancelled, the customer opted out, it fell in quiet hours (set to expire), or the touch or monthly SMS cap was full (the same caps as the waves). Paid orders: the reminded order paid after its reminder, within the attribution window, not refunded; the same order may also be credited to a wave by last touch, so these are not added to the totals above.',
    ruleNames: {
      trigger: (id) => `Unpaid reminder ${id}`,
      'presale:open': 'Balance open',
      'presale:close': 'Balance closing',
    },
    triggerHead: {
      rule: 'Rule',
      scheduled: 'Scheduled',
      checked: 'Checked',
      sent: 'Sent',
      suppressed: 'Not sent (why)',
      failed: 'Failed',
      unknown: 'Unknown',
      waiting: 'Waiting for quiet hours to end',
      pending: 'Not checked yet',
      smsParts: 'SMS parts',
      orders: 'Paid orders',
      revenue: 'Revenue (CNY)',
      cost: 'Cost (CNY)',
    },
    groupsTitle: 'Results per customer group',
    groupsNote: (min) =>
      `Each wave broken down by customer group: the group is the one the plan put each customer in; labels are the segment files' labels (a customer with two labels counts under both, so labels need not add up to the wave). Orders are credited by the same last-touch attribution as the wave rows. For a wave with a control group, each group is compared with its own held-out customers, with a 95% interval; when fewer than ${min} of a group were held out, its lift reads "unknown: too few" and no number is given.`,
    groupsWave: (id) => `Wave ${id}`,
    groupHead: {
      group: 'Group',
      customers: 'Customers',
      sent: 'Sent',
      failed: 'Failed',
      orders: 'Attributed orders',
      revenue: 'Attributed revenue',
      cost: 'Cost',
      lift: 'Lift (against control)',
      addedOrders: 'Added orders',
      clicks: 'Clicks (click-through)',
    },
    byGroupCaption: 'By customer group',
    byLabelCaption: 'By your labels',
    noGroup: 'no group recorded',
    noControlShort: 'no control group',
    auditTitle: 'Audit trail',
    auditHead: {
      when: (zone) => `When (${zone})`,
      who: 'Who',
      what: 'What',
      state: 'State',
      details: 'Version · wave · reason',
    },
    auditWave: (id) => `wave ${id}`,
    auditMore: (more, all) =>
      html`… and ${formatInt(more)} earlier (${formatInt(all)} in all) in the report data (<code>audit</code> in report.json).`,
    most: (n, what) => `most: ${n} ${what}`,
    deliveryHero: 'Delivery rate',
    deliveryHeroNote: (sent, tried) => `${sent} of ${tried} touches handed to the providers were accepted`,
    stat: {
      planned: ['Planned', 'touches in the plan'],
      sent: 'Sent',
      deliveryRate: ['Delivery rate', 'of the touches tried'],
      failed: 'Failed',
      suppressed: 'Suppressed',
      unknown: 'Unknown',
      checkProvider: 'check with the provider ↓',
      everyAnswer: 'every touch has an answer',
      pending: ['Pending', 'send time still ahead'],
      expiredCancelled: ['Expired · cancelled', 'not sent: outside their window, or cancelled'],
      smsParts: ['SMS parts', 'billed'],
      attributedOrders: ['Attributed orders', 'last touch: credit, not cause'],
      attributedRevenue: ['Attributed revenue', 'attribution, not cause'],
      cost: ['Cost', 'of the touches'],
      attributedRoi: 'Attributed ROI',
      roiGross: 'attributed revenue ÷ cost',
      roiNet: '(attributed revenue − cost) ÷ cost',
      roiAsGiven: 'as reported',
    },
    running: (n) =>
      html`The campaign is still running: <b>${formatInt(n)}</b> planned touch${n === 1 ? ' is' : 'es are'} still ahead (pending). Numbers will change.`,
    legend: {
      sent: 'sent (accepted by the provider)',
      failed: 'failed',
      suppressed: 'suppressed on purpose',
      unknown: 'unknown outcome',
      expired: 'expired (outside its window, not sent)',
      cancelled: 'cancelled',
      pending: 'pending (not reached yet)',
    },
    outcomesTitle: 'What happened to every planned touch',
    outcomesNote:
      'Each bar is one wave and channel, as shares of its planned touches; the number after the channel is how many were planned. Every segment’s count and reasons are written out in the per-wave table below (readable on a phone, no hovering needed).',
    noRows: 'The report has no rows.',
    revenueTitle: 'Attributed revenue and ROI per wave (last touch: credit, not cause)',
    revenueLegend: {
      email: 'email revenue',
      sms: 'SMS revenue',
      scale: 'bars on one scale: the longest is the best-selling wave and channel',
    },
    attributionNote:
      'Last-touch attribution: an order within the attribution window after a touch is credited to the last touch before it. That is credit, not cause: orders the customer would have placed anyway are credited too; what the campaign added is measured against the control groups above.',
    tableTitle: 'Per wave and channel',
    blankCells:
      'Blank cells: not reported for that row (SMS parts on email rows, no orders attributed, or no cost known).',
    noOrdersYet:
      'No orders in the report yet: orders, revenue, cost and ROI appear once order webhooks have been ingested.',
    deliveryNote:
      'Delivery rate = sent ÷ touches tried (sent + failed + unknown): suppressed and pending touches were never tried.',
    unknownTitle: 'Unknown outcomes',
    reasonsTitle: 'What the reasons mean',
    swipe: '← swipe the chart or table sideways →',
    footer: (id, asOf, zone) => `Campaign ${id} · as of ${asOf} · ${zone}.`,
  },
};
