/**
 * The synthetic customers as a Tmall/Taobao store's CRM export reaches a marketer: Chinese
 * headers, phones masked by the platform (138****8000), and the value forms such exports
 * write (无线端, 2025年11月11日, 2025.11.11, Excel serial numbers, ¥1,299.00, 2024,2025,
 * 会员等级, 是/否), as a GBK CSV (what Excel on Chinese Windows saves) or as an .xlsx
 * workbook with typed cells (dates, numbers, booleans) under a title row.
 *
 * Each row is made from the canonical sample row of the same customer; `canonical` is that
 * customer again in the product's own columns, with what the platform masked left empty
 * (a masked phone is no phone), so both files must read, import and plan alike. Values the
 * canonical row has wrong on purpose (the sample's bad rows) are written as they are, so
 * both files reject the same rows. Deterministic: the same options give the same bytes.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { splitCsvFields } from '../domain/csv-records.ts';
import { mulberry32 } from '../domain/random.ts';
import { gbkEncoder } from './gbk.ts';
import {
  csvField,
  resolveSampleOptions,
  SAMPLE_COLUMNS,
  type SampleOptions,
  sampleCsvLines,
} from './generate-customers.ts';

export const SAMPLE_FORMATS = ['csv', 'tmall-csv', 'tmall-xlsx'] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

/** The export's header, as a 千牛/CRM customer export names its columns (备注 is a column nobody maps). */
export const TMALL_HEADER = [
  '客户ID',
  '买家昵称',
  '手机号',
  '邮箱',
  '下单终端',
  '最近下单时间',
  '购买次数',
  '累计消费金额（元）',
  '双11购买年份',
  '是否下单未付款',
  '拒收短信',
  '邮件退订',
  '人群',
  '会员等级',
  '备注',
] as const;

/** The canonical twin's columns: the sample's, then the member tier. */
export const CANONICAL_TWIN_COLUMNS = [...SAMPLE_COLUMNS, 'member_tier'] as const;

/** A cell of the export: text, or in a workbook a typed value (a Date with its format, a number, a boolean). */
export type ExportCell = string | number | boolean | { date: Date; numFmt: string };

export interface TmallRow {
  /** The export's cells, in TMALL_HEADER order. */
  cells: ExportCell[];
  /** The same customer in CANONICAL_TWIN_COLUMNS order, as CSV fields. */
  canonical: string[];
}

const DATE_FORMATS = ['yyyy-mm-dd hh:mm:ss', 'yyyy/m/d h:mm', 'yyyy"年"m"月"d"日"'] as const;
const TIERS = ['普通会员', 'VIP1', 'VIP2', 'VIP3', '钻石会员'] as const;
const NOTES = ['', '', '', '老客户', '已加微信', '大促敏感'] as const;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n']);
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;

type Column = (typeof SAMPLE_COLUMNS)[number];

/** The export's rows, one per canonical sample row (the header is not among them). */
export function* tmallRows(opts: SampleOptions, format: 'tmall-csv' | 'tmall-xlsx'): Generator<TmallRow> {
  const resolved = resolveSampleOptions(opts);
  const xlsx = format === 'tmall-xlsx';
  let index = -1;
  for (const line of sampleCsvLines(opts)) {
    index += 1;
    if (index === 0) continue;
    // Each row's own stream: a row's forms do not depend on the rows before it.
    const random = mulberry32((resolved.seed ^ Math.imul(index, 0x9e3779b1)) >>> 0);
    yield exportRow(rowOf(splitCsvFields(line, line.includes('"'))), random, xlsx);
  }
}

function rowOf(fields: string[]): Record<Column, string> {
  return Object.fromEntries(SAMPLE_COLUMNS.map((column, at) => [column, fields[at] ?? ''])) as Record<Column, string>;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function exportRow(row: Record<Column, string>, random: () => number, xlsx: boolean): TmallRow {
  const twin = { ...row };
  const phone = phoneCell(row.phone, random, xlsx);
  if (phone.masked) twin.phone = '';
  const email = emailCell(row.email, random);
  if (email.masked) twin.email = '';
  const name = nameCell(row.name, random);
  if (name.masked) twin.name = '';
  const tier = random() < 0.15 ? '' : pick(random, TIERS);
  const tierCell = tier.startsWith('VIP') && random() < 0.3 ? tier.toLowerCase() : tier;
  const cells: ExportCell[] = [
    row.customer_id,
    name.cell,
    phone.cell,
    email.cell,
    deviceCell(row.device, random),
    dateCell(row.last_order_at, random, xlsx),
    countCell(row.order_count, random, xlsx),
    amountCell(row.total_spend, random, xlsx),
    yearsCell(row.d11_years, random),
    booleanCell(row.unpaid_order, random, xlsx),
    booleanCell(row.opt_out_sms, random, xlsx),
    booleanCell(row.opt_out_email, random, xlsx),
    row.segment,
    tierCell,
    pick(random, NOTES),
  ];
  return { cells, canonical: [...SAMPLE_COLUMNS.map((column) => twin[column]), tier] };
}

function phoneCell(text: string, random: () => number, xlsx: boolean): { cell: ExportCell; masked: boolean } {
  const digits = /^(?:\+86)?(1\d{10})$/.exec(text)?.[1];
  if (!digits) return { cell: text, masked: false };
  const form = random();
  if (form < 0.2) return { cell: `${digits.slice(0, 3)}****${digits.slice(7)}`, masked: true };
  if (form < 0.3) return { cell: `+86 ${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`, masked: false };
  if (form < 0.4) return { cell: `86-${digits.slice(0, 3)}-${digits.slice(3, 7)}-${digits.slice(7)}`, masked: false };
  // A phone column Excel took for numbers.
  if (xlsx && form < 0.7) return { cell: Number(digits), masked: false };
  return { cell: digits, masked: false };
}

function emailCell(text: string, random: () => number): { cell: string; masked: boolean } {
  const at = text.indexOf('@');
  if (at < 1 || text.includes(' ') || random() >= 0.08) return { cell: text, masked: false };
  return { cell: `${text[0]}***${text.slice(at)}`, masked: true };
}

function nameCell(text: string, random: () => number): { cell: string; masked: boolean } {
  if (text === '' || random() >= 0.1) return { cell: text, masked: false };
  return { cell: `${text[0]}**`, masked: true };
}

function deviceCell(text: string, random: () => number): string {
  if (text === 'mobile') return pick(random, ['无线端', '无线端', '手机', '移动端']);
  if (text === 'pc') return pick(random, ['PC端', '电脑']);
  if (text === 'both') return pick(random, ['全部', '全部', 'both']);
  return text;
}

const CANONICAL_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?(?:\+08:00)?$/;

function dateCell(text: string, random: () => number, xlsx: boolean): ExportCell {
  const match = CANONICAL_DATE.exec(text);
  if (!match) return text;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const timed = match[4] !== undefined;
  const [hour, minute, second] = timed ? [Number(match[4]), Number(match[5]), Number(match[6])] : [0, 0, 0];
  const time = timed ? ` ${match[4]}:${match[5]}:${match[6]}` : '';
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const serial = (wall - EXCEL_EPOCH_MS) / DAY_MS;
  const serialText = serial
    .toFixed(timed ? 10 : 0)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
  const chinese = `${year}年${month}月${day}日${time}`;
  const dotted = `${year}.${match[2]}.${match[3]}${time}`;
  const slashed = `${year}/${month}/${day}${time}`;
  const form = random();
  if (!xlsx) {
    if (form < 0.2) return serialText;
    if (form < 0.4) return chinese;
    if (form < 0.6) return dotted;
    if (form < 0.8) return slashed;
    return text;
  }
  if (form < 0.5) {
    // A date cell, as Excel keeps a date: its serial number with a date format.
    const numFmt = timed ? pick(random, DATE_FORMATS.slice(0, 2)) : pick(random, DATE_FORMATS);
    return { date: new Date(wall), numFmt };
  }
  // A serial number in a cell without a date format (General): the column says it is a date.
  if (form < 0.65) return Number(serialText);
  if (form < 0.75) return chinese;
  if (form < 0.85) return dotted;
  if (form < 0.95) return slashed;
  return text;
}

function countCell(text: string, random: () => number, xlsx: boolean): ExportCell {
  if (!/^\d+$/.test(text)) return text;
  if (xlsx && random() < 0.8) return Number(text);
  return random() < 0.3 ? `${text}次` : text;
}

function amountCell(text: string, random: () => number, xlsx: boolean): ExportCell {
  if (!/^\d+(?:\.\d+)?$/.test(text)) return text;
  const value = Number(text);
  const form = random();
  if (xlsx && form < 0.5) return value;
  const grouped = value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // ¥ (U+00A5) is not in GBK: Excel saves the full-width ￥ a Chinese keyboard types.
  if (form < 0.7) return `${xlsx ? '¥' : '￥'}${grouped}`;
  if (form < 0.85) return `${grouped}元`;
  return value.toFixed(2);
}

function yearsCell(text: string, random: () => number): string {
  if (!/^\d{4}(?:;\d{4})*$/.test(text)) return text;
  const years = text.split(';');
  if (years.length === 1) return random() < 0.3 ? `${years[0]}年` : (years[0] as string);
  return years.join(pick(random, [',', '、', ' ', ';']));
}

function booleanCell(text: string, random: () => number, xlsx: boolean): ExportCell {
  const lower = text.toLowerCase();
  const value = TRUE_WORDS.has(lower) ? true : FALSE_WORDS.has(lower) ? false : undefined;
  if (value === undefined) return text;
  const form = random();
  if (xlsx && form < 0.2) return value;
  if (form < 0.8) return value ? '是' : '否';
  return value ? 'Y' : 'N';
}

/** The CSV text of one export cell (a CSV export has no types: dates already text, serials as numbers). */
function csvText(cell: ExportCell): string {
  if (typeof cell === 'string') return csvField(cell);
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return String((cell.date.getTime() - EXCEL_EPOCH_MS) / DAY_MS);
}

export interface WrittenSample {
  rows: number;
  badRows: number;
}

const CHUNK_CHARS = 64 * 1024;
/** Workbooks of up to this many rows have a shared strings table. */
export const SHARED_STRINGS_UP_TO = 100_000;

/** Lines to a file in chunks, with backpressure; `encode` turns text into the file's bytes. */
async function writeLines(
  path: string,
  lines: Iterable<string>,
  encode: (text: string) => Uint8Array,
  onChunk: () => void,
): Promise<void> {
  const out = createWriteStream(path);
  let failure: unknown;
  out.on('error', (error) => {
    failure ??= error;
  });
  try {
    let buffer = '';
    for (const line of lines) {
      buffer += line;
      if (buffer.length < CHUNK_CHARS) continue;
      if (failure !== undefined) throw failure;
      const ok = out.write(encode(buffer));
      buffer = '';
      onChunk();
      if (!ok) await once(out, 'drain');
    }
    if (failure !== undefined) throw failure;
    out.end(encode(buffer));
    await finished(out);
  } catch (error) {
    out.destroy();
    throw failure ?? error;
  }
}

/**
 * Writes the export: `tmall-csv` as GBK with CRLF line ends (what Excel on Chinese Windows
 * saves), `tmall-xlsx` as a workbook (styles, shared strings up to SHARED_STRINGS_UP_TO rows,
 * a title row above the header, as CRM exports have), streamed row by row.
 */
export async function writeTmallSample(
  path: string,
  opts: SampleOptions,
  format: 'tmall-csv' | 'tmall-xlsx',
  onProgress?: (written: number, total: number) => void,
): Promise<WrittenSample> {
  const resolved = resolveSampleOptions(opts);
  const total = resolved.customers;
  let written = 0;
  if (format === 'tmall-csv') {
    const encode = gbkEncoder();
    const lines = function* () {
      yield `${TMALL_HEADER.join(',')}\r\n`;
      for (const row of tmallRows(opts, format)) {
        written += 1;
        yield `${row.cells.map(csvText).join(',')}\r\n`;
      }
    };
    await writeLines(path, lines(), encode, () => onProgress?.(written, total));
  } else {
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: path,
      // Shared strings as Excel saves a workbook; past SHARED_STRINGS_UP_TO rows inline strings,
      // as server-side exporters write large ones (exceljs holds every shared string while writing).
      useSharedStrings: total <= SHARED_STRINGS_UP_TO,
      useStyles: true,
    });
    const sheet = workbook.addWorksheet('客户列表');
    const exported = new Date(resolved.nowMs + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    sheet.addRow([`客户列表（导出时间：${exported}）`]).commit();
    sheet.addRow([...TMALL_HEADER]).commit();
    for (const row of tmallRows(opts, format)) {
      const added = sheet.addRow(row.cells.map((cell) => (typeof cell === 'object' ? cell.date : cell)));
      row.cells.forEach((cell, at) => {
        if (typeof cell === 'object') added.getCell(at + 1).numFmt = cell.numFmt;
      });
      added.commit();
      written += 1;
      if (written % 1_000 === 0) {
        onProgress?.(written, total);
        // Let the file stream drain: the writer does not wait for it on its own.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    sheet.commit();
    await workbook.commit();
  }
  onProgress?.(total, total);
  return { rows: total, badRows: resolved.badRows };
}

/** The same customers in the product's own columns (UTF-8, `\n`), what was masked left empty. */
export async function writeCanonicalTwin(
  path: string,
  opts: SampleOptions,
  format: 'tmall-csv' | 'tmall-xlsx',
): Promise<void> {
  const lines = function* () {
    yield `${CANONICAL_TWIN_COLUMNS.join(',')}\n`;
    for (const row of tmallRows(opts, format)) yield `${row.canonical.map(csvField).join(',')}\n`;
  };
  const encoder = new TextEncoder();
  await writeLines(
    path,
    lines(),
    (text) => encoder.encode(text),
    () => {},
  );
}
