/**
 * A field problem's words in Chinese: the API keeps each problem's English `message` (what
 * tools and scripts read), and adds `messageZh` beside it for the marketer's console. The
 * English messages are the campaign file's checks, the request checks and zod's own; each
 * kind has a pattern and its Chinese text, keyed by a union so a kind without its text does
 * not compile. A message no pattern knows keeps its English (never a wrong translation).
 */

export const FIELD_MESSAGE_KINDS = [
  'local-time',
  'id-form',
  'clock',
  'email-domain',
  'tier-max',
  'time-zone',
  'midnight-at',
  'signature-form',
  'opt-out-text',
  'too-many-labels',
  'too-many-waves',
  'no-wave',
  'upload-type',
  'upload-name',
  'columns-folder',
  'upload-size',
  'segment-name',
  'other-campaign-key',
  'test-address',
  'not-test-recipient',
  'empty',
  'label-length',
  'http-url',
  'recipient',
  'sms-time',
  'playbook-groups',
  'recency-order',
  'min-max',
  'repeated-wave',
  'not-a-date',
  'not-before-midnight',
  'quiet-hours-range',
  'email-lead',
  'quiet-hours',
  'unknown-placeholder',
  'signature',
  'opt-out',
  'spaces',
  'tier-form',
  'tier-length',
  'two-midnights',
  'file-json',
  'body-json',
  'address-id',
  'lang',
  'campaign-object',
  'campaign-id',
  'segment-key',
  'unknown-fields',
  'unrecognized-keys',
  'expected-type',
  'missing',
  'expected-one-of',
  'expected-value',
  'pattern',
  'too-small-length',
  'too-small-number',
  'too-big-length',
  'too-big-number',
  'budget-below-midnight',
  'signature-length',
  'signature-first',
  'sms-opt-out',
  'template-unknown-id',
  'template-changed',
  'template-unregistered',
  'template-id-form',
  'sms-rules-value',
  'provider-suffix',
  'fingerprint-form',
  'coupon-missing',
  'tonight-day',
  'no-sub-groups',
  'sub-group-spelling',
  'duration',
  'repeated-trigger',
  'window-order',
  'too-many-triggers',
  'presale-nothing',
  'quiet-mode',
] as const;
export type FieldMessageKind = (typeof FIELD_MESSAGE_KINDS)[number];

interface FieldText {
  /** The English message's shape; its groups are the values the Chinese text repeats. */
  pattern: RegExp;
  zh: (...values: string[]) => string;
}

const TYPE_ZH: Readonly<Record<string, string>> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: 'true 或 false',
  array: '列表',
  object: '对象',
};
const typeZh = (name: string): string => TYPE_ZH[name] ?? name;
/** "the default text for group X" in Chinese; "the text" needs no words before the verb. */
const whoseZh = (whose: string): string =>
  whose === 'the text'
    ? '短信文字'
    : whose === 'the care text'
      ? '关怀短信文字'
      : `客群 ${whose.replace('the default text for group ', '')} 的默认文字`;
const unitZh = (unit: string): string => (unit === 'characters' ? '个字符' : unit === 'items' ? '项' : unit);

export const FIELD_TEXTS: Readonly<Record<FieldMessageKind, FieldText>> = {
  'local-time': {
    pattern: /^must be local wall-clock time like (.+)$/,
    zh: (example) => `必须是当地时间，例如 ${example}`,
  },
  'id-form': {
    pattern: /^must be 1-48 letters, digits, - or _, starting with a letter or digit$/,
    zh: () => '必须是 1-48 个字母、数字、- 或 _，以字母或数字开头',
  },
  clock: { pattern: /^must be HH:MM \(24-hour\)$/, zh: () => '必须是 HH:MM（24 小时制）' },
  'email-domain': {
    pattern: /^must be an email domain like (.+)$/,
    zh: (example) => `必须是邮箱域名，例如 ${example}`,
  },
  'tier-max': { pattern: /^must be at most (\d+) characters$/, zh: (max) => `最多 ${max} 个字符` },
  'time-zone': { pattern: /^is not an IANA time zone$/, zh: () => '不是 IANA 时区名（例如 Asia/Shanghai）' },
  'midnight-at': { pattern: /^must be at 00:00, e\.g\. (.+)$/, zh: (example) => `必须是 00:00，例如 ${example}` },
  'signature-form': {
    pattern: /^must be the store name in 【】, e\.g\. (.+)$/,
    zh: (example) => `必须是写在【】里的店铺名，例如 ${example}`,
  },
  'opt-out-text': {
    pattern: /^must tell how to opt out, e\.g\. (.+)$/,
    zh: (example) => `必须说明如何退订，例如 ${example}`,
  },
  'too-many-labels': { pattern: /^has more than (\d+) labels$/, zh: (max) => `名称超过 ${max} 个` },
  'too-many-waves': {
    pattern: /^has more than (\d+) waves: .*$/,
    zh: (max) => `波次超过 ${max} 个：每位客户的触达最多跨 ${max} 个波次统计`,
  },
  'upload-type': {
    pattern: /^must be a \.csv, \.xlsx, \.jsonl or \.ndjson file, not (".*")$/,
    zh: (name) => `必须是 .csv、.xlsx、.jsonl 或 .ndjson 文件，而不是 ${name}`,
  },
  'upload-name': {
    pattern: /^must be 1-100 characters without \/ or \\$/,
    zh: () => '必须是 1-100 个字符，不含 / 或 \\',
  },
  'columns-folder': {
    pattern: /^"columns" is the folder's column mapping, not a segment$/,
    zh: () => '"columns" 是该文件夹的列映射文件，不是客群',
  },
  'upload-size': {
    pattern: /^is over the (.+) GB a single upload may be$/,
    zh: (size) => `超过单次上传上限 ${size} GB`,
  },
  'segment-name': { pattern: /^does not make a segment file name$/, zh: () => '无法组成客群文件名' },
  'other-campaign-key': {
    pattern: /^is not a segment file of (\S+) \((.+)\)$/,
    zh: (campaign, form) => `不是活动 ${campaign} 的客群文件（${form}）`,
  },
  'test-address': {
    pattern: /^(".*") is neither a phone nor an email address$/,
    zh: (text) => `${text} 既不是手机号也不是邮箱地址`,
  },
  'not-test-recipient': {
    pattern: /^(.+) is not in the campaign's testRecipients$/,
    zh: (address) => `${address} 不在活动文件的 testRecipients（测试收件人）中`,
  },
  'no-wave': { pattern: /^needs at least one wave$/, zh: () => '至少需要一个波次' },
  empty: { pattern: /^is empty$/, zh: () => '是空的' },
  'label-length': { pattern: /^is longer than (\d+) characters$/, zh: (max) => `超过 ${max} 个字符` },
  'http-url': { pattern: /^must be an http\(s\) URL$/, zh: () => '必须是 http(s) 网址' },
  recipient: {
    pattern: /^must be a phone \(.*\) or an email address$/,
    zh: () => '必须是手机号（+8613800138000 或 11 位大陆手机号）或邮箱地址',
  },
  'sms-time': {
    pattern: /^must be "midnight" or local time like (.+)$/,
    zh: (example) => `必须是 "midnight" 或当地时间，例如 ${example}`,
  },
  'playbook-groups': {
    pattern: /^must list each playbook group once: (.+)$/,
    zh: (groups) => `必须把每个营销客群各列一次：${groups}`,
  },
  'recency-order': {
    pattern: /^must satisfy recentDays < shallowDays < deepDays$/,
    zh: () => '必须满足 recentDays < shallowDays < deepDays',
  },
  'min-max': { pattern: /^min must not exceed max$/, zh: () => 'min 不能大于 max' },
  'repeated-wave': { pattern: /^repeats the id of (waves\[\d+\])$/, zh: (wave) => `与 ${wave} 的 id 重复` },
  'not-a-date': { pattern: /^is not a real date and time$/, zh: () => '不是真实存在的日期时间' },
  'not-before-midnight': {
    pattern: /^is not before the midnight push \((.+)\): it is the final wave$/,
    zh: (midnight) => `不早于零点开抢（${midnight}）：零点开抢是最后一个波次`,
  },
  'quiet-hours-range': {
    pattern: /^falls in quiet hours \((.+) to (.+)\); only the midnight push may$/,
    zh: (start, end) => `落在免打扰时段（${start} 至 ${end}）内；只有零点开抢可以`,
  },
  'email-lead': {
    pattern: /^is (.+) h before the SMS; it must be (.+) to (.+) h before$/,
    zh: (lead, min, max) => `比短信早 ${lead} 小时；必须早 ${min} 至 ${max} 小时`,
  },
  'quiet-hours': { pattern: /^falls in quiet hours$/, zh: () => '落在免打扰时段内' },
  'unknown-placeholder': {
    pattern: /^has unknown placeholder (\{[^}]*\}); known: (.+)$/,
    zh: (placeholder, known) => `含有未知占位符 ${placeholder}；可用的有：${known}`,
  },
  signature: {
    pattern: /^must carry the store signature: \{signature\} or (.+)$/,
    zh: (signature) => `必须带店铺签名：{signature} 或 ${signature}`,
  },
  'opt-out': {
    pattern: /^must carry an opt-out instruction: \{optOut\} or text like (.+)$/,
    zh: (example) => `必须带退订说明：{optOut} 或类似“${example}”的文字`,
  },
  spaces: { pattern: /^has spaces around it$/, zh: () => '前后有空格' },
  'tier-form': {
    pattern: /^must be tier:<name> \(.*\)$/,
    zh: () => '必须写成 tier:<等级名>（与客群文件中的会员等级一致，例如 tier:VIP2）',
  },
  'tier-length': {
    pattern: /^names a tier longer than (\d+) characters$/,
    zh: (max) => `等级名超过 ${max} 个字符`,
  },
  'two-midnights': { pattern: /^has more than one midnight push$/, zh: () => '有不止一个零点开抢' },
  'file-json': { pattern: /^is not valid JSON: (.*)$/s, zh: (detail) => `不是有效的 JSON：${detail}` },
  'body-json': { pattern: /^is not valid JSON$/, zh: () => '不是有效的 JSON' },
  'address-id': {
    pattern: /^must be the campaign id of the address, (".*")$/,
    zh: (id) => `必须与地址中的活动编号 ${id} 一致`,
  },
  lang: { pattern: /^must be zh or en$/, zh: () => '必须是 zh 或 en' },
  'campaign-object': { pattern: /^must be a campaign JSON object$/, zh: () => '必须是活动文件的 JSON 对象' },
  'campaign-id': {
    pattern: /^is not a campaign id \(1-48 letters, digits, - or _\)$/,
    zh: () => '不是有效的活动编号（1-48 个字母、数字、- 或 _）',
  },
  'segment-key': {
    pattern: /^name the segment file: (.+)$/,
    zh: (form) => `请指明客群文件：${form}`,
  },
  'unknown-fields': { pattern: /^has unknown field\(s\): (.+)$/, zh: (keys) => `含有未知字段：${keys}` },
  'unrecognized-keys': { pattern: /^Unrecognized keys?: (.+)$/, zh: (keys) => `含有未知字段：${keys}` },
  missing: { pattern: /^Invalid input: expected \w+, received undefined$/, zh: () => '缺少此项' },
  'expected-type': {
    pattern: /^Invalid input: expected (\w+), received (\w+)$/,
    zh: (expected, received) => `应为${typeZh(expected)}，实际是${typeZh(received)}`,
  },
  'expected-one-of': {
    pattern: /^Invalid option: expected one of (.+)$/,
    zh: (options) => `必须是以下之一：${options.split('|').join('、')}`,
  },
  'expected-value': { pattern: /^Invalid input: expected (.+)$/, zh: (value) => `必须是 ${value}` },
  pattern: { pattern: /^Invalid string: must match pattern (.+)$/, zh: (re) => `格式不对：必须符合 ${re}` },
  'too-small-length': {
    pattern: /^Too small: expected \w+ to have >=?(\d+) (characters|items)$/,
    zh: (n, unit) => `太短：至少 ${n} ${unitZh(unit)}`,
  },
  'too-small-number': {
    pattern: /^Too small: expected number to be >(=?)(-?[\d.]+)$/,
    zh: (eq, n) => `太小：必须${eq ? '不小于' : '大于'} ${n}`,
  },
  'too-big-length': {
    pattern: /^Too big: expected \w+ to have <=?(\d+) (characters|items)$/,
    zh: (n, unit) => `太长：最多 ${n} ${unitZh(unit)}`,
  },
  'too-big-number': {
    pattern: /^Too big: expected number to be <(=?)(-?[\d.]+)$/,
    zh: (eq, n) => `太大：必须${eq ? '不大于' : '小于'} ${n}`,
  },
  'budget-below-midnight': {
    pattern: /^is (\S+) CNY, less than the midnight push alone costs \((\S+) CNY for (\d+) SMS\): .*$/,
    zh: (budget, cost, sms) =>
      `预算 ${budget} 元，低于零点开抢本身的费用（${sms} 条短信 ${cost} 元）：请提高预算，或缩小零点开抢的受众`,
  },
  'signature-length': {
    pattern: /^has (\d+) characters inside 【】; China's carriers take a registered signature of (\d+) to (\d+)$/,
    zh: (n, min, max) => `【】内有 ${n} 个字符；运营商只接受 ${min} 到 ${max} 个字符的已报备签名`,
  },
  'signature-first': {
    pattern:
      /^(the text|the care text|the default text for group \S+) must start with the store signature (.+): China's carriers require it at the very start \(put \{signature\} first\)$/,
    zh: (whose, signature) =>
      `${whoseZh(whose)}必须以店铺签名 ${signature} 开头：运营商要求签名在最前面（把 {signature} 放在开头）`,
  },
  'sms-opt-out': {
    pattern:
      /^(the text|the care text|the default text for group \S+) must carry an opt-out instruction \(.*\), or set "providerSuffix" to the text your provider appends$/,
    zh: (whose) =>
      `${whoseZh(whose)}必须带退订说明（回T退订、拒收请回复R……），或把服务商追加的文字设为 "providerSuffix"`,
  },
  'template-unknown-id': {
    pattern:
      /^names template (\S+), which is not in "registeredTemplates": add "\S+": "(\w+)" once the provider has approved this text: (.+)$/s,
    zh: (id, fingerprint, form) =>
      `指定的模板 ${id} 不在 "registeredTemplates" 中：服务商审核通过这段文字后，加上 "${id}": "${fingerprint}"。要报备的文字：${form}`,
  },
  'template-changed': {
    pattern: /^changed since it was registered as template (\S+) \(fingerprint (\w+), now (\w+)\): .*$/,
    zh: (id, registered, now) =>
      `报备为模板 ${id} 之后文字改过了（指纹 ${registered}，现在是 ${now}）：服务商会拒发未报备的文字；请重新报备并更新 "registeredTemplates"，或改回已报备的文字`,
  },
  'template-unregistered': {
    pattern:
      /^(the text|the care text|the default text for group \S+) is not a registered SMS template \(marketing SMS in China must be\): register it with your SMS provider, then add "registeredTemplates": \{"<its template id>": "(\w+)"\}\. The text to register: (.+)$/s,
    zh: (whose, fingerprint, form) =>
      `${whoseZh(whose)}不是已报备的短信模板（国内营销短信必须报备）：请向短信服务商报备，然后加上 "registeredTemplates": {"<模板编号>": "${fingerprint}"}。要报备的文字：${form}`,
  },
  'template-id-form': {
    pattern: /^must be the template id your SMS provider gave$/,
    zh: () => '必须是短信服务商给的模板编号',
  },
  'sms-rules-value': { pattern: /^must be "cn-marketing" or "none"$/, zh: () => '必须是 "cn-marketing" 或 "none"' },
  'provider-suffix': {
    pattern: /^must be the opt-out text your provider appends, e\.g\. (.+)$/,
    zh: (example) => `必须是服务商追加的退订文字，例如 ${example}`,
  },
  'fingerprint-form': {
    pattern: /^must be the 16-character fingerprint the plan printed$/,
    zh: () => '必须是计划给出的 16 位指纹',
  },
  'coupon-missing': {
    pattern: /^uses \{coupon\} but no coupon is set: .*$/,
    zh: () => '用了 {coupon} 但没有设置优惠券：请在波次或活动上设置 "coupon"（例如 满300减50券）',
  },
  'tonight-day': {
    pattern: /^tonight \(今晚零点开抢\) must send on the day before the midnight push$/,
    zh: () => 'tonight（今晚零点开抢）必须在零点开抢的前一天发送',
  },
  'no-sub-groups': {
    pattern: /^names a sub-group of (\S+), which has none; only (.+) are split$/,
    zh: (group, split) => `${group} 没有细分客群；只有 ${split} 有细分`,
  },
  duration: {
    pattern: /^must be an ISO-8601 duration above zero like (.+)$/,
    zh: (examples) => `必须是大于零的 ISO-8601 时长，例如 ${examples.replace(/ or /g, '、').replace(/, /g, '、')}`,
  },
  'repeated-trigger': {
    pattern: /^repeats the id of (triggers\[\d+\])$/,
    zh: (trigger) => `与 ${trigger} 的 id 重复`,
  },
  'window-order': { pattern: /^must be after window\.from$/, zh: () => '必须晚于 window.from（窗口开始时间）' },
  'too-many-triggers': { pattern: /^has more than (\d+) triggers$/, zh: (max) => `触发规则超过 ${max} 个` },
  'presale-nothing': {
    pattern: /^sends nothing: set atOpen to true or give beforeClose$/,
    zh: () => '不会发送任何提醒：请把 atOpen 设为 true，或设置 beforeClose（尾款截止前多久提醒）',
  },
  'quiet-mode': {
    pattern: /^must be "wait" or "expire"$/,
    zh: () => '必须是 "wait"（等免打扰结束）或 "expire"（作废）',
  },
  'sub-group-spelling': {
    pattern: /^must be one of ((?:[a-z-]+:[a-z-]+(?:, )?)+)$/,
    zh: (spellings) => `必须是以下之一：${spellings}`,
  },
};

/** The kind of an English field message, or undefined for one no pattern knows. */
export function fieldMessageKind(message: string): FieldMessageKind | undefined {
  return FIELD_MESSAGE_KINDS.find((kind) => FIELD_TEXTS[kind].pattern.test(message));
}

/** A field problem's message in Chinese; the English itself when no pattern knows it. */
export function fieldMessageZh(message: string): string {
  const kind = fieldMessageKind(message);
  if (!kind) return message;
  const text = FIELD_TEXTS[kind];
  const values = text.pattern.exec(message)?.slice(1) ?? [];
  return text.zh(...values.map((value) => value ?? ''));
}

/** Field problems with their Chinese text beside the English (`message` is unchanged). */
export function withChineseMessages<T extends { message: string }>(
  fields: readonly T[],
): Array<T & { messageZh: string }> {
  return fields.map((field) => ({ ...field, messageZh: fieldMessageZh(field.message) }));
}
