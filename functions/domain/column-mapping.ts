/**
 * Which header of a segment file is which column: the product's own names, the headers
 * the usual exports write (Tmall/Taobao 千牛 CRM, 生意参谋, third-party CRMs), and the
 * marketer's own mapping for anything else. Headers are compared as `headerKey` spells
 * them: case, full-width letters and spaces, spaces, `_` and `-`, and a unit in brackets
 * at the end (`累计消费金额（元）`) make no difference.
 */
import { z } from 'zod';
import { CUSTOMER_COLUMNS, type CustomerColumn } from './customer.ts';

/**
 * The headers each column is known by, besides its own name. Chinese first, as the
 * exports write them; the README lists the same table.
 */
export const COLUMN_ALIASES: Record<CustomerColumn, readonly string[]> = {
  customer_id: [
    '客户ID',
    '客户编号',
    '买家ID',
    '会员ID',
    '会员编号',
    '用户ID',
    '顾客ID',
    'buyer_id',
    'member_id',
    'user_id',
  ],
  name: [
    '买家昵称',
    '会员名',
    '姓名',
    '客户姓名',
    '客户名称',
    '客户昵称',
    '会员姓名',
    '买家姓名',
    '收货人',
    '收货人姓名',
    'nickname',
    'nick',
    'buyer_nick',
    'customer_name',
  ],
  phone: [
    '手机号',
    '手机',
    '手机号码',
    '联系电话',
    '电话',
    '联系方式',
    '收货人手机',
    '收货人手机号',
    'mobile',
    'mobile_phone',
    'phone_number',
    'cellphone',
    'tel',
  ],
  email: ['邮箱', '电子邮箱', '邮箱地址', '电子邮件', 'mail', 'email_address'],
  device: ['设备', '终端', '下单终端', '终端类型', '下单设备', '设备类型', 'device_type'],
  last_order_at: [
    '最近下单时间',
    '最后交易时间',
    '最近购买时间',
    '上次交易时间',
    '最后下单时间',
    '最近交易时间',
    '上次购买时间',
    '最后购买时间',
    '最近一次购买时间',
    'last_order_time',
    'last_order_date',
    'last_purchase_time',
    'last_purchase_at',
    'last_trade_time',
  ],
  order_count: [
    '购买次数',
    '交易次数',
    '累计购买次数',
    '下单次数',
    '订单数',
    '累计订单数',
    '交易笔数',
    '成交笔数',
    'orders',
    'order_num',
    'purchase_count',
    'trade_count',
  ],
  total_spend: [
    '累计消费金额',
    '交易总额',
    '累计交易金额',
    '消费总额',
    '消费金额',
    '累计消费',
    '交易金额',
    '累计成交金额',
    '成交金额',
    'total_amount',
    'total_spent',
    'spend',
    'trade_amount',
  ],
  d11_years: ['双11购买年份', '双十一购买年份', '双11年份', '双十一年份', 'double11_years'],
  unpaid_order: [
    '是否下单未付款',
    '未付款订单',
    '下单未付款',
    '有未付款订单',
    '是否未付款',
    'unpaid',
    'has_unpaid_order',
  ],
  opt_out_sms: ['拒收短信', '短信退订', '退订短信', '是否拒收短信', 'sms_opt_out', 'unsubscribe_sms'],
  opt_out_email: ['邮件退订', '拒收邮件', '退订邮件', 'email_opt_out', 'unsubscribe_email'],
  segment: ['分组', '人群', '标签', '客户分组', '人群名称', '客户标签', 'group', 'tag', 'label'],
  member_tier: [
    '会员等级',
    '会员级别',
    '客户等级',
    '等级',
    'VIP等级',
    '会员层级',
    'member_level',
    'vip_level',
    'level',
    'tier',
  ],
};

const KEY_SEPARATORS = /[\s_-]+/g;
/** A unit or note in brackets at the end of a header: `（元）`, `(次)`, `[脱敏]`, `【已加密】`. */
const TRAILING_NOTE = /\s*[([【][^()[\]【】]*[)\]】]$/;

/** A header as headers are compared: `Customer ID`, `customer_id` and `ＣＵＳＴＯＭＥＲ＿ＩＤ` are one. */
export function headerKey(text: string): string {
  const folded = text.normalize('NFKC').trim().toLowerCase();
  const withoutNote = folded.replace(TRAILING_NOTE, '');
  // A header that is only a note keeps it: `(备注)` is still a header of its own.
  return (withoutNote === '' ? folded : withoutNote).replace(KEY_SEPARATORS, '');
}

interface KnownHeader {
  column: CustomerColumn;
  by: 'name' | 'alias';
}

/** Every known header by its key: the column names first, then the aliases. */
const KNOWN_HEADERS: ReadonlyMap<string, KnownHeader> = (() => {
  const known = new Map<string, KnownHeader>();
  for (const column of CUSTOMER_COLUMNS) known.set(headerKey(column), { column, by: 'name' });
  for (const column of CUSTOMER_COLUMNS) {
    for (const alias of COLUMN_ALIASES[column]) {
      const key = headerKey(alias);
      const taken = known.get(key);
      // A slip in the table above, caught by the tests on the first import of this module.
      if (taken && taken.column !== column) {
        throw new Error(`header alias "${alias}" of ${column} is already ${taken.column}'s`);
      }
      if (!taken) known.set(key, { column, by: 'alias' });
    }
  }
  return known;
})();

/** What a header means by itself (no mapping): its column, or undefined when it is not known. */
export function knownHeader(text: string): KnownHeader | undefined {
  return KNOWN_HEADERS.get(headerKey(text));
}

/**
 * The marketer's own mapping as the reader uses it: header keys (as headerKey spells
 * them) to columns, null to ignore the header.
 */
export type ColumnMapping = ReadonlyMap<string, CustomerColumn | null>;

export const EMPTY_MAPPING: ColumnMapping = new Map();

/** The mapping as JSON writes it: `{ "<their header>": "<column>" }`, a header to `null` to ignore it. */
export type ColumnMappingJson = Record<string, CustomerColumn | null>;

const MAX_MAPPED_HEADERS = 200;
const MAX_HEADER_LENGTH = 100;

/**
 * The mapping's checks, wherever it is given (the campaign file's `columns`, `--columns
 * FILE`, `segments/<campaign-id>/columns.json`): every value a column name or null, every
 * header once (as headers are compared). It stays JSON as written: it is stored with the campaign.
 */
export const columnMappingSchema = z
  .record(
    z
      .string()
      .refine((header) => header.trim() !== '', 'a header must not be empty')
      .refine((header) => header.length <= MAX_HEADER_LENGTH, `a header is at most ${MAX_HEADER_LENGTH} characters`),
    z.union([z.enum(CUSTOMER_COLUMNS), z.null()], {
      error: `must be one of ${CUSTOMER_COLUMNS.join(', ')}, or null to ignore the header`,
    }),
  )
  .refine((mapping) => Object.keys(mapping).length <= MAX_MAPPED_HEADERS, {
    message: `maps at most ${MAX_MAPPED_HEADERS} headers`,
  })
  .superRefine(
    (mapping, ctx) => {
      const seen = new Map<string, string>();
      for (const header of Object.keys(mapping)) {
        const key = headerKey(header);
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [header],
            message: `is the same header as "${earlier}" (case, width, spaces, _ and - make no difference): give it once`,
          });
        }
        seen.set(key, header);
      }
    },
    // Run even when a value is wrong, so one message names every problem of the mapping.
    { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
  );

/** The checked JSON mapping as the reader uses it. */
export function toColumnMapping(json: Readonly<ColumnMappingJson> | undefined): ColumnMapping {
  if (!json) return EMPTY_MAPPING;
  const entries = Object.entries(json);
  return entries.length === 0 ? EMPTY_MAPPING : new Map(entries.map(([header, column]) => [headerKey(header), column]));
}

export class ColumnMappingError extends Error {
  constructor(
    readonly source: string,
    readonly problems: Array<{ path: string; message: string }>,
  ) {
    super(`${source}: not a column mapping:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ColumnMappingError';
  }
}

/**
 * A mapping file's text (`--columns FILE`, columns.json) checked; throws ColumnMappingError
 * naming each problem by its header, with `source` (the file) in the message.
 */
export function parseColumnMappingText(text: string, source: string): ColumnMappingJson {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ColumnMappingError(source, [
      { path: '(file)', message: `is not valid JSON: ${(error as Error).message}` },
    ]);
  }
  const result = columnMappingSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ColumnMappingError(
    source,
    result.error.issues.map((issue) => ({
      path: issue.path.length === 0 ? '(file)' : `"${String(issue.path[0])}"`,
      message:
        issue.path.length === 0 && issue.code === 'invalid_type'
          ? 'must be a JSON object: { "<your header>": "<column>" }'
          : issue.message,
    })),
  );
}

/** Two mappings in one: `over` wins header by header (`--columns` over the campaign file's `columns`). */
export function mergeMappings(base: ColumnMapping, over: ColumnMapping): ColumnMapping {
  if (over.size === 0) return base;
  if (base.size === 0) return over;
  return new Map([...base, ...over]);
}

/** A mapping back as JSON (headers as headerKey spells them): for a columns.json the import reads. */
export function mappingToJson(mapping: ColumnMapping): ColumnMappingJson {
  return Object.fromEntries(mapping);
}

/** One header that became a column. */
export interface MappedColumn {
  /** The header as the file writes it (trimmed). */
  header: string;
  column: CustomerColumn;
  /** How: it is the column's own name, one of its aliases, or the marketer's mapping. */
  by: 'name' | 'alias' | 'mapping';
}

export interface ResolvedHeader {
  /** The cells of the header that are read, by position (0-based), in header order. */
  columns: Array<MappedColumn & { index: number }>;
  /** Headers whose values are ignored: unknown, mapped to null, or replaced by the marketer's mapping. */
  ignored: string[];
  /** Columns more than one header cell maps to: the file is refused, naming them. */
  conflicts: Array<{ column: CustomerColumn; cells: Array<{ header: string; index: number }> }>;
}

/**
 * Which header cell is which column. The marketer's mapping wins: a header it names goes
 * where it says (null: ignored), and a column it maps a header to takes that header only
 * (another header that is the column's name or alias is then ignored). Two cells that
 * still map to one column are a conflict, never a silent choice.
 */
export function resolveHeader(header: readonly string[], mapping: ColumnMapping = EMPTY_MAPPING): ResolvedHeader {
  const cells = header.map((text, index) => {
    const trimmed = text.trim();
    const key = headerKey(trimmed);
    if (key === '') return { header: trimmed, index, target: undefined };
    if (mapping.has(key)) {
      const column = mapping.get(key) ?? null;
      return { header: trimmed, index, target: column === null ? null : { column, by: 'mapping' as const } };
    }
    return { header: trimmed, index, target: KNOWN_HEADERS.get(key) };
  });
  const chosenByMarketer = new Set<CustomerColumn>();
  for (const cell of cells) if (cell.target?.by === 'mapping') chosenByMarketer.add(cell.target.column);

  const byColumn = new Map<CustomerColumn, Array<MappedColumn & { index: number }>>();
  const ignored: string[] = [];
  for (const { header: text, index, target } of cells) {
    if (target === undefined && text === '') continue;
    if (!target || (target.by !== 'mapping' && chosenByMarketer.has(target.column))) {
      ignored.push(text);
      continue;
    }
    const list = byColumn.get(target.column) ?? [];
    list.push({ header: text, column: target.column, by: target.by, index });
    byColumn.set(target.column, list);
  }
  const columns: Array<MappedColumn & { index: number }> = [];
  const conflicts: ResolvedHeader['conflicts'] = [];
  for (const [column, list] of byColumn) {
    if (list.length > 1)
      conflicts.push({ column, cells: list.map(({ header: text, index }) => ({ header: text, index })) });
    else columns.push(list[0] as MappedColumn & { index: number });
  }
  columns.sort((a, b) => a.index - b.index);
  return { columns, ignored, conflicts };
}

/** "客户ID, 买家ID, 会员ID, ...": the headers accepted for a column, to name in a message. */
export function acceptedHeaders(column: CustomerColumn, shown = 8): string {
  const names = [column, ...COLUMN_ALIASES[column]];
  return names.slice(0, shown).join(', ') + (names.length > shown ? ', ...' : '');
}
