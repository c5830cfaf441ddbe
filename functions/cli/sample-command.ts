/**
 * `campaign sample --customers N --out FILE [--format F] [--seed N] [--now ISO]`: a synthetic store export.
 * What it wrote on stdout; progress on stderr.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { localSegmentFile } from '../adapters/local/file-bytes.ts';
import { parseCampaign } from '../domain/campaign.ts';
import { planCampaign } from '../domain/planner.ts';
import { sampleClickLines } from '../sample/generate-clicks.ts';
import { writeSampleCsv } from '../sample/generate-customers.ts';
import { DEFAULT_UPLIFT, reachOf, sampleOrderLines, type WaveReach } from '../sample/generate-orders.ts';
import { SAMPLE_FORMATS, type SampleFormat, writeCanonicalTwin, writeTmallSample } from '../sample/tmall-export.ts';
import { loadCustomers } from '../usecases/plan-offline.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp } from './help.ts';
import { readCampaignFile } from './plan-command.ts';
import { bar, formatCount, progressOn } from './progress.ts';

/** The campaign the sample orders respond to unless --campaign names another. */
const SAMPLE_CAMPAIGN = fileURLToPath(new URL('../sample/d11-2026.campaign.json', import.meta.url));

export const SAMPLE_USAGE =
  'campaign sample --customers N --out FILE [--format csv|tmall-csv|tmall-xlsx] [--canonical FILE] [--seed N] [--now ISO] [--bad-rows N] [--orders FILE [--clicks FILE] [--uplift U] [--uplift-group G] [--campaign FILE]] [--quiet]';

export const SAMPLE_OPTIONS = {
  customers: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  canonical: { type: 'string' },
  seed: { type: 'string' },
  now: { type: 'string' },
  'bad-rows': { type: 'string' },
  orders: { type: 'string' },
  clicks: { type: 'string' },
  uplift: { type: 'string' },
  'uplift-group': { type: 'string' },
  campaign: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

export const SAMPLE_HELP: CommandHelp = {
  name: 'campaign sample',
  summary: 'write a synthetic store export (a segment file) to try the planner on',
  usage: SAMPLE_USAGE,
  description: [
    'Writes a CSV as a store CRM exports it: every column of a segment file, customers of',
    'every playbook group, Chinese names, mobile and PC-only customers, opt-outs, and a few',
    'deliberately bad rows so the rejects can be seen. The same options give the same bytes.',
    'With --orders it also writes order webhook events for these customers, for',
    '`campaign simulate --orders`: orders customers place anyway, and orders placed because',
    'of a message (--uplift), so the report can show what the campaign added against its',
    'control groups. It plans the campaign for these customers at --now to know whom each',
    'wave reaches: give simulate the same --campaign and --now. What it wrote goes to stdout;',
    'progress to stderr.',
  ],
  options: [
    {
      flag: '--customers N',
      text: 'how many customers (data rows), 0 to 99,999,999',
      required: true,
      zh: { text: '客户数（数据行），0 到 99,999,999' },
    },
    {
      flag: '--out FILE',
      text: 'the file to write: .csv, or .xlsx for tmall-xlsx (folders are created)',
      required: true,
      zh: { text: '要写的文件：.csv，tmall-xlsx 时为 .xlsx（会创建文件夹）' },
    },
    {
      flag: '--format F',
      text:
        "csv: the product's own columns, UTF-8; tmall-csv: as a Tmall/Taobao CRM export\n" +
        'saved by Excel on Chinese Windows (Chinese headers, masked phones 138****8000,\n' +
        '无线端, 2025年11月11日, 2025.11.11, Excel serials, ￥1,299.00, 2024,2025, 会员等级,\n' +
        'GBK, CRLF); tmall-xlsx: the same as a workbook with typed cells under a title row',
      default: 'csv',
      zh: {
        text:
          'csv：本产品自己的列，UTF-8；tmall-csv：像中文 Windows 上的 Excel 保存的天猫/淘宝 CRM\n' +
          '导出（中文表头、掩码手机号 138****8000、无线端、2025年11月11日、2025.11.11、Excel 序列号、\n' +
          '￥1,299.00、2024,2025、会员等级、GBK、CRLF）；tmall-xlsx：同样内容的工作簿，标题行下是带类型的单元格',
      },
    },
    {
      flag: '--canonical FILE',
      text:
        "with a tmall format: also write the same customers in the product's own columns\n" +
        '(UTF-8 .csv), what the platform masked left empty; both plan alike',
      default: 'none',
      zh: {
        text: '用 tmall 格式时：同时把这些客户按本产品自己的列写出（UTF-8 .csv），平台掩码的值留空；\n两个文件规划结果相同',
        default: '无',
      },
    },
    {
      flag: '--seed N',
      text: 'the random seed: another seed, other customers',
      default: '11',
      zh: { text: '随机种子：换一个种子，换一批客户' },
    },
    {
      flag: '--now ISO',
      text: 'the reference time: last orders are so many days before it, and past\nDouble-11s are the years before its year',
      default: 'the current time',
      zh: { text: '参照时间：上次下单在它之前若干天，往年双11是它所在年份之前的年份', default: '当前时间' },
    },
    {
      flag: '--bad-rows N',
      text: 'rows with one or two invalid values, at most --customers',
      default: 'about 0.2% of the rows; at least 3 from 100 rows, 1 from 20, none below 20',
      zh: {
        text: '含一两个无效值的行数，最多 --customers',
        default: '约 0.2% 的行；100 行起至少 3 行，20 行起 1 行，不足 20 行没有',
      },
    },
    {
      flag: '--orders FILE',
      text: 'also write order events for these customers, one JSON line each:\n{"at": ISO, "event": <webhook body>}',
      default: 'none',
      zh: {
        text: '同时为这些客户写出订单事件，每行一个 JSON：\n{"at": ISO, "event": <webhook 请求体>}',
        default: '无',
      },
    },
    {
      flag: '--clicks FILE',
      text: 'with --orders: also write taps on the messages\' tracked links, one JSON line each:\n{"at": ISO, "click": {"customerId", "waveId"}}, for `campaign simulate --clicks`',
      default: 'none',
      zh: {
        text: '与 --orders 一起用：同时写出客户点击消息跟踪链接的记录，每行一个 JSON：\n{"at": ISO, "click": {"customerId", "waveId"}}，供 `campaign simulate --clicks` 使用',
        default: '无',
      },
    },
    {
      flag: '--uplift U',
      text: 'with --orders: each customer a wave reaches places, with probability U (0 to 1),\none more paid order within a day after the wave; 0 for messages that change nothing',
      default: String(DEFAULT_UPLIFT),
      zh: {
        text: '与 --orders 一起用：波次触达的每个客户以概率 U（0 到 1）在波次后一天内多下一个\n已付款订单；0 表示消息不改变任何行为',
      },
    },
    {
      flag: '--uplift-group G',
      text: 'with --orders: only customers the plan puts in group G (d11-loyal, recent, ...)\nrespond to a message; the report then shows the lift in that group alone',
      default: 'every group',
      zh: {
        text: '与 --orders 一起用：只有计划分到客群 G（d11-loyal、recent……）的客户会响应消息；\n报告随之只在该客群显示增量',
        default: '所有客群',
      },
    },
    {
      flag: '--campaign FILE',
      text: 'with --orders: the campaign whose waves the customers respond to',
      default: 'the bundled sample campaign (functions/sample/d11-2026.campaign.json)',
      zh: {
        text: '与 --orders 一起用：客户所响应的波次所属的活动',
        default: '自带的示例活动（functions/sample/d11-2026.campaign.json）',
      },
    },
    ...COMMON_OPTIONS,
  ],
  outputs: ['FILE (the --out file), and the --canonical, --orders and --clicks files when given'],
  exitCodes: ['0  written', '2  a wrong option (the message on stderr names it)', '1  anything unexpected'],
  zh: {
    outputs: ['FILE（--out 的文件），以及给出时的 --canonical、--orders 和 --clicks 文件'],
    exitCodes: ['0  已写出', '2  选项有误（stderr 上的信息会指出）', '1  意外错误'],
  },
  examples: [
    'campaign sample --customers 50000 --now 2026-10-20T12:00:00+08:00 --out out/customers.csv',
    'campaign sample --customers 20000 --now 2026-10-20T12:00:00+08:00\n' +
      '--out out/demo/customers.csv --orders out/demo/orders.jsonl',
    'campaign sample --customers 5000 --format tmall-xlsx --now 2026-10-20T12:00:00+08:00\n' +
      '--out out/tmall.xlsx --canonical out/tmall-canonical.csv',
  ],
};

export async function runSample(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: SAMPLE_OPTIONS, strict: true });
  const customers = wholeNumber('--customers', values.customers, true);
  if (!values.out)
    throw new UsageError('--out: required (the file to write)', { showUsage: true, zh: '--out：必填（要写的文件）' });
  const format = (values.format ?? 'csv') as SampleFormat;
  if (!SAMPLE_FORMATS.includes(format)) {
    throw new UsageError(`--format: "${values.format}" is not one of ${SAMPLE_FORMATS.join(', ')}`, {
      zh: `--format："${values.format}" 不是 ${SAMPLE_FORMATS.join('、')} 之一`,
    });
  }
  const extension = format === 'tmall-xlsx' ? '.xlsx' : '.csv';
  if (!values.out.toLowerCase().endsWith(extension)) {
    throw new UsageError(`--out: must end in ${extension} for --format ${format}`, {
      zh: `--out：--format ${format} 时必须以 ${extension} 结尾`,
    });
  }
  if (values.canonical !== undefined) {
    if (format === 'csv')
      throw new UsageError('--canonical: only with --format tmall-csv or tmall-xlsx', {
        zh: '--canonical：只能与 --format tmall-csv 或 tmall-xlsx 一起用',
      });
    if (!values.canonical.toLowerCase().endsWith('.csv'))
      throw new UsageError('--canonical: must end in .csv', { zh: '--canonical：必须以 .csv 结尾' });
  }
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime()))
    throw new UsageError(`--now: "${values.now}" is not an ISO 8601 time`, {
      zh: `--now："${values.now}" 不是 ISO 8601 时间`,
    });
  if (!values.orders) {
    const given = (['clicks', 'uplift', 'uplift-group', 'campaign'] as const).find(
      (flag) => values[flag] !== undefined,
    );
    if (given) throw new UsageError(`--${given}: only with --orders`, { zh: `--${given}：只能与 --orders 一起用` });
  }
  const uplift = upliftOf(values.uplift);
  const progress = progressOn(process.stderr, values.quiet === true);
  await mkdir(dirname(values.out), { recursive: true });
  const options = {
    customers: customers as number,
    now,
    ...(values.seed !== undefined ? { seed: wholeNumber('--seed', values.seed, true) as number } : {}),
    ...(values['bad-rows'] !== undefined
      ? { badRows: wholeNumber('--bad-rows', values['bad-rows'], true) as number }
      : {}),
  };
  let result: { rows: number; badRows: number };
  try {
    const onProgress = (written: number, total: number) =>
      progress.update(`writing ${values.out} ${bar(written / Math.max(1, total))} ${formatCount(written)} rows`);
    result =
      format === 'csv'
        ? await writeSampleCsv(values.out, options, onProgress)
        : await writeTmallSample(values.out, options, format, onProgress);
    if (values.canonical !== undefined && format !== 'csv') {
      await mkdir(dirname(values.canonical), { recursive: true });
      await writeCanonicalTwin(values.canonical, options, format);
    }
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, { zh: error.message });
    throw error;
  }
  progress.result(
    `wrote ${values.out}: ${formatCount(result.rows)} customers (${formatCount(result.badRows)} deliberately bad rows)`,
  );
  if (values.canonical !== undefined) {
    progress.result(`wrote ${values.canonical}: the same customers in the canonical columns`);
  }
  if (values.orders) {
    // Orders for the customers just written, read back through the same reader as an import.
    const campaign = parseCampaign(await readCampaignFile(values.campaign ?? SAMPLE_CAMPAIGN));
    const { customers } = await loadCustomers({
      sources: [await localSegmentFile(values.out)],
      timeZone: campaign.timezone,
      onRejected: () => {},
    });
    // Whom each wave reaches: the same plan `campaign simulate` makes from these customers at --now.
    let reach: WaveReach[] = [];
    if (uplift > 0 || values.clicks) {
      const plan = planCampaign({ campaign, customers, now: now.getTime() });
      const group = values['uplift-group'];
      if (group !== undefined && !plan.groups.codes.includes(group)) {
        throw new UsageError(
          `--uplift-group: "${group}" is not a group the plan puts any of these customers in (${[...plan.groups.codes].sort().join(', ')})`,
          {
            zh: `--uplift-group：计划没有把这些客户中的任何人分到 "${group}"（有：${[...plan.groups.codes].sort().join('、')}）`,
          },
        );
      }
      reach = reachOf(plan, customers, campaign, group);
    }
    const lines = sampleOrderLines(customers.customers, {
      year: now.getUTCFullYear(),
      uplift,
      reach: uplift > 0 ? reach : [],
    });
    await writeFile(values.orders, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    const responses = lines.filter(
      (line) => line.event.type === 'order.paid' && line.event.order.orderId.startsWith('R'),
    );
    progress.result(
      `wrote ${values.orders}: ${formatCount(lines.length)} order webhook events (${formatCount(responses.length)} orders placed because of a message, uplift ${uplift})`,
    );
    if (values.clicks) {
      // The whole reach, even in one --uplift-group: taps are not the lift, buyers tap in every group.
      const everyone = reachOf(planCampaign({ campaign, customers, now: now.getTime() }), customers, campaign);
      const clicks = sampleClickLines(everyone, lines, { campaign });
      await writeFile(values.clicks, clicks.map((line) => `${JSON.stringify(line)}\n`).join(''));
      progress.result(`wrote ${values.clicks}: ${formatCount(clicks.length)} taps on tracked links`);
    }
  }
  return 0;
}

function upliftOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_UPLIFT;
  const value = Number(text);
  if (!/^\d*\.?\d+$/.test(text) || !(value >= 0 && value <= 1)) {
    throw new UsageError(`--uplift: "${text}" is not a number from 0 to 1 (0.03 = 3 more orders per 100 reached)`, {
      zh: `--uplift："${text}" 不是 0 到 1 之间的数（0.03 表示每触达 100 人多 3 单）`,
    });
  }
  return value;
}

function wholeNumber(flag: string, text: string | undefined, required: boolean): number | undefined {
  if (text === undefined) {
    if (required) throw new UsageError(`${flag}: required`, { showUsage: true, zh: `${flag}：必填` });
    return undefined;
  }
  if (!/^\d+$/.test(text))
    throw new UsageError(`${flag}: "${text}" is not a whole number`, { zh: `${flag}："${text}" 不是整数` });
  return Number(text);
}
