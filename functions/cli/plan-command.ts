/**
 * `campaign plan --campaign FILE --customers FILE [--customers FILE ...] [--now ISO] --out DIR`
 * Plans offline: no AWS, no server. Results on stdout; progress, warnings and notes on stderr.
 */

import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localSegmentFile } from '../adapters/local/file-bytes.ts';
import { ENV, LOCAL_BASE_URL } from '../contract.ts';
import { parseCampaign } from '../domain/campaign.ts';
import { warningTexts } from '../domain/i18n.ts';
import { formatInstant } from '../domain/local-time.ts';
import type { Timeline } from '../domain/timeline.ts';
import type { SegmentSource } from '../usecases/plan-offline.ts';
import { planOffline } from '../usecases/plan-offline.ts';
import { type ColumnsFile, columnLines, readColumnsFile } from './columns-file.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp, type OptionHelp } from './help.ts';
import { cliLang, cliTexts } from './messages.ts';
import { JsonLinesFile, rejectLine, writePlanFiles } from './plan-files.ts';
import { parseShards, planInShards } from './plan-sharded.ts';
import { bar, formatCount, type Progress, progressOn } from './progress.ts';

export const PLAN_USAGE =
  'campaign plan --campaign FILE --customers FILE [--customers FILE ...] [--sheet NAME] [--columns FILE] [--now ISO] --out DIR [--shards N] [--quiet]';

/** The options `campaign plan` takes (and `campaign simulate` starts from), as parseArgs reads them. */
export const PLAN_OPTIONS = {
  campaign: { type: 'string' },
  customers: { type: 'string', multiple: true },
  sheet: { type: 'string' },
  columns: { type: 'string' },
  now: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

/** The help of the options `campaign plan` and `campaign simulate` share; `now` says what --now is there. */
export function planOptionHelp(now: Pick<OptionHelp, 'text' | 'default' | 'zh'>): OptionHelp[] {
  return [
    {
      flag: '--campaign FILE',
      text: 'the campaign file (JSON): waves, times, caps, templates',
      required: true,
      zh: { text: '活动文件（JSON）：波次、时间、上限、文案' },
    },
    {
      flag: '--customers FILE',
      text: 'a segment file: .csv with a header row, or .jsonl (.ndjson), in UTF-8\n(with or without BOM) or GB18030/GBK, or an Excel workbook (.xlsx);\ngive it once per file',
      required: 'at least once',
      zh: {
        text: '一个客群文件：带表头的 .csv，或 .jsonl（.ndjson），UTF-8（有无 BOM 均可）\n或 GB18030/GBK，或 Excel 工作簿（.xlsx）；每个文件给一次',
        required: '至少一次',
      },
    },
    {
      flag: '--sheet NAME',
      text: 'the sheet of each .xlsx file to read (case and spaces at the ends do not\nmatter); a workbook without it names its sheets',
      default: 'the first visible sheet',
      zh: {
        text: '每个 .xlsx 文件要读的工作表（大小写和首尾空格不计）；没有该表的工作簿\n会列出它有哪些表',
        default: '第一个可见的工作表',
      },
    },
    {
      flag: '--columns FILE',
      text:
        'a column mapping (JSON: {"<your header>": "<column>"}, null to ignore a header)\n' +
        'for headers the built-in aliases do not know; it wins over the campaign file\'s "columns"',
      default: 'the campaign file\'s "columns", then the built-in aliases (客户ID, 手机号, ...)',
      zh: {
        text: '列映射（JSON：{"<你的表头>": "<列>"}，null 表示忽略该表头），用于内置别名\n不认识的表头；它优先于活动文件的 "columns"',
        default: '活动文件的 "columns"，其次是内置别名（客户ID、手机号……）',
      },
    },
    { flag: '--now ISO', ...now },
    {
      flag: '--out DIR',
      text: 'the folder to write to (created when missing)',
      required: true,
      zh: { text: '输出文件夹（不存在时创建）' },
    },
  ];
}

export const PLAN_HELP: CommandHelp = {
  name: 'campaign plan',
  summary: 'plan a campaign offline (no AWS, no server) and write its timeline',
  usage: PLAN_USAGE,
  description: [
    'Reads the campaign file and every segment file, sorts the customers into the playbook',
    'groups, lays the waves out under the caps and quiet hours, and writes the plan. Bad rows',
    'are rejected one by one (rejects.jsonl); the good rows are planned. The same inputs and',
    '--now give byte-identical files. The summary goes to stdout; progress and warnings to stderr.',
  ],
  options: [
    ...planOptionHelp({
      text:
        'the planning instant, ISO 8601 with an offset (2026-10-20T12:00:00+08:00):\n' +
        'days since a last order count back from it; sends before it are dropped ("past")',
      default: 'the current time (to the second), said on stderr',
      zh: {
        text: '规划时刻，带时区偏移的 ISO 8601（2026-10-20T12:00:00+08:00）：\n距上次下单的天数从它往回数；早于它的发送被丢弃（"past"）',
        default: '当前时间（精确到秒），写在 stderr',
      },
    }),
    {
      flag: '--shards N',
      text:
        'plan in N shards on this machine, as the sharded plan runs on AWS: each reads\n' +
        'a part of the one .csv file, then one process fixes the campaign-wide caps and\n' +
        'groups, then each writes a part of the touches; one process per core takes the\n' +
        'shards in turn; the same files as without it',
      default: 'one process',
      zh: {
        text: '在本机分 N 片规划，与 AWS 上的分片规划相同：每片读取这唯一的 .csv\n文件的一段，再由一个进程确定全活动的上限和分组，最后每片写出一部分触达；\n每个 CPU 核一个进程，轮流处理各片；输出文件与不带此选项时完全相同',
        default: '一个进程',
      },
    },
    ...COMMON_OPTIONS,
  ],
  outputs: [
    'DIR/timeline.json   every send: wave, channel, group, time, customers, estimated seconds',
    'DIR/touches.jsonl   one line per planned touch: customer, wave, channel, send, time',
    'DIR/rejects.jsonl   one line per rejected row: file, line, every problem by column',
    'DIR/timeline.html   the timeline drawn for a marketer (open it in a browser)',
  ],
  exitCodes: [
    '0  planned',
    '2  invalid input: the message on stderr names the option, the JSON path or the file',
    '1  anything unexpected',
  ],
  zh: {
    outputs: [
      'DIR/timeline.json   每批发送：波次、渠道、客群、时间、客户、预计秒数',
      'DIR/touches.jsonl   每个计划触达一行：客户、波次、渠道、发送批次、时间',
      'DIR/rejects.jsonl   每个被拒绝的行一行：文件、行号、按列列出的每个问题',
      'DIR/timeline.html   给营销人员看的时间线图（用浏览器打开）',
    ],
    exitCodes: ['0  已规划', '2  输入有误：stderr 上的信息会指出选项、JSON 路径或文件', '1  意外错误'],
  },
  examples: [
    'campaign plan --campaign functions/sample/d11-2026.campaign.json\n' +
      '--customers out/customers.csv --now 2026-10-20T12:00:00+08:00 --out out/plan',
  ],
};

export interface PlanCommandOptions {
  campaignFile: string;
  customerFiles: string[];
  now: number;
  /** Whether --now was given; without it `now` is the current time. */
  nowGiven: boolean;
  outDir: string;
  quiet: boolean;
  /** The sheet of each workbook to read; the first visible one when not given. */
  sheet?: string;
  /** --columns FILE, when given. */
  columnsFile?: string;
}

export function parsePlanOptions(
  args: string[],
  extra: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {},
) {
  const { values } = parseArgs({
    args,
    options: { ...PLAN_OPTIONS, ...extra },
    strict: true,
    allowPositionals: false,
  });
  if (!values.campaign)
    throw new UsageError('--campaign: required (the campaign JSON file)', {
      showUsage: true,
      zh: '--campaign：必填（活动 JSON 文件）',
    });
  const customers = values.customers as string[] | undefined;
  if (!customers || customers.length === 0)
    throw new UsageError('--customers: required (a segment .csv or .jsonl file)', {
      showUsage: true,
      zh: '--customers：必填（一个客群 .csv、.jsonl 或 .xlsx 文件）',
    });
  if (!values.out)
    throw new UsageError('--out: required (the folder to write the plan to)', {
      showUsage: true,
      zh: '--out：必填（写出计划的文件夹）',
    });
  // Whole seconds, so the instant said on stderr, given back as --now, plans exactly the same.
  const now = values.now === undefined ? Math.floor(Date.now() / 1000) * 1000 : parseNow(values.now as string);
  const options: PlanCommandOptions = {
    campaignFile: values.campaign as string,
    customerFiles: customers,
    now,
    nowGiven: values.now !== undefined,
    outDir: values.out as string,
    quiet: values.quiet === true,
    ...(typeof values.columns === 'string' ? { columnsFile: values.columns } : {}),
  };
  if (typeof values.sheet === 'string') {
    if (values.sheet.trim() === '')
      throw new UsageError('--sheet: give the name of a sheet', { zh: '--sheet：请给出工作表的名称' });
    options.sheet = values.sheet;
  }
  return { options, values };
}

function parseNow(text: string): number {
  // An instant needs an offset: "now" without one would depend on the machine's zone.
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text) || Number.isNaN(Date.parse(text))) {
    throw new UsageError(`--now: "${text}" is not an ISO 8601 instant with an offset, e.g. 2026-10-20T12:00:00+08:00`, {
      zh: `--now："${text}" 不是带时区偏移的 ISO 8601 时刻，例如 2026-10-20T12:00:00+08:00`,
    });
  }
  return Date.parse(text);
}

export async function fileSources(paths: string[], sheet?: string): Promise<SegmentSource[]> {
  const sources: SegmentSource[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile())
      throw new UsageError(`--customers: no such file ${path}`, { zh: `--customers：文件不存在 ${path}` });
    sources.push(await localSegmentFile(path, sheet));
  }
  return sources;
}

export async function readCampaignFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`--campaign: cannot read ${path}`, { zh: `--campaign：无法读取 ${path}` });
  }
}

export async function runPlan(args: string[]): Promise<number> {
  const { options, values } = parsePlanOptions(args, { shards: { type: 'string' } });
  const shardsText = (values as { shards?: unknown }).shards;
  const shards = typeof shardsText === 'string' ? parseShards(shardsText) : undefined;
  const progress = progressOn(process.stderr, options.quiet);
  const campaignText = await readCampaignFile(options.campaignFile);
  if (!options.nowGiven) {
    progress.warn(cliTexts().noNow(formatInstant(options.now, timeZoneOf(campaignText))));
  }
  const columns = options.columnsFile === undefined ? undefined : await readColumnsFile(options.columnsFile);
  if (shards !== undefined) return runShardedPlan(options, { shards, campaignText, progress, columns });
  const sources = await fileSources(options.customerFiles, options.sheet);
  const sizes = await Promise.all(options.customerFiles.map(async (path) => (await stat(path)).size));
  await mkdir(options.outDir, { recursive: true });
  const rejects = new JsonLinesFile(join(options.outDir, 'rejects.jsonl'));
  let rejected = 0;
  const started = Date.now();
  const result = await planOffline({
    campaign: campaignText,
    sources,
    now: options.now,
    // As `campaign simulate` and `npm start` send them: the same SMS parts and cost.
    linkBase: process.env[ENV.publicBaseUrl] ?? LOCAL_BASE_URL,
    ...(columns ? { columns: columns.mapping } : {}),
    onRejected: (row) => {
      rejected += 1;
      rejects.writeLineSync(rejectLine(row));
    },
    onProgress: ({ file, rows }) => {
      const index = sources.findIndex((source) => source.name === file);
      const fraction = sizes[index] ? Math.min(1, rows / Math.max(1, estimateRows(sizes[index] ?? 0))) : 1;
      progress.update(`reading ${file} ${bar(fraction)} ${formatCount(rows)} rows`);
    },
  });
  await rejects.close();
  const say = cliTexts();
  for (const file of result.files) {
    progress.result(
      say.read({
        file: file.file,
        how: file.sheet !== undefined ? say.sheet(file.sheet) : `${file.format}, ${file.encoding}`,
        rows: file.rows,
        accepted: file.accepted,
        rejected: file.rejected,
      }),
    );
    for (const line of columnLines(file)) progress.result(`  ${line}`);
  }
  const { stats } = result.customers;
  if (stats.repeatsInFile + stats.seenInEarlierFile > 0) {
    progress.result(say.repeats(stats.repeatsInFile, stats.seenInEarlierFile));
  }
  progress.update(say.writingPlan);
  await writePlanFiles(options.outDir, result.plan, result.customers);
  reportPlan(progress, options.outDir, result.plan.timeline, rejected, started);
  return 0;
}

/** `campaign plan --shards N`: the same files from N shards, the plan shard handler in a pool of processes. */
async function runShardedPlan(
  options: PlanCommandOptions,
  run: { shards: number; campaignText: string; progress: Progress; columns: ColumnsFile | undefined },
): Promise<number> {
  const { progress } = run;
  const say = cliTexts();
  const started = Date.now();
  const result = await planInShards({
    campaignText: run.campaignText,
    customerFiles: options.customerFiles,
    now: options.now,
    ...(run.columns ? { columns: run.columns.mapping } : {}),
    shards: run.shards,
    outDir: options.outDir,
    onStage: (stage) => progress.update(say.shardPass(stage.pass, stage.done, stage.of)),
  });
  const { stages, usage } = result.run;
  const workers = usage.filter((child) => child.name !== 'reduce');
  progress.result(
    say.sharded({
      shards: run.shards,
      processes: workers.length,
      firstPass: (stages.firstPass / 1000).toFixed(1),
      reduce: (stages.reduce / 1000).toFixed(1),
      secondPass: (stages.secondPass / 1000).toFixed(1),
      peakMb: Math.round(Math.max(...workers.map((child) => child.maxRssKb)) / 1024),
    }),
  );
  reportPlan(progress, options.outDir, result.timeline, result.rejected, started);
  return 0;
}

/** What the plan came to, its warnings, and where its files are. */
function reportPlan(progress: Progress, outDir: string, timeline: Timeline, rejected: number, started: number): void {
  const say = cliTexts();
  progress.result(
    say.planned({
      campaignId: timeline.campaignId,
      customers: timeline.summary.customers,
      sends: timeline.sends.length,
      sms: timeline.summary.touches.sms,
      emails: timeline.summary.touches.email,
      reached: timeline.summary.reached,
      seconds: ((Date.now() - started) / 1000).toFixed(1),
    }),
  );
  for (const warning of warningTexts(timeline, cliLang())) progress.warn(say.warning(warning));
  if (rejected > 0) progress.result(say.rejectedRows(rejected, join(outDir, 'rejects.jsonl')));
  progress.result(say.timeline(join(outDir, 'timeline.html'), join(outDir, 'timeline.en.html')));
}

/** The campaign's zone, to say the planning instant in; a file that does not parse is refused later. */
function timeZoneOf(campaignText: string): string {
  try {
    return parseCampaign(campaignText).timezone;
  } catch {
    return 'UTC';
  }
}

/** Rough rows from bytes, for the progress bar only (about 90 bytes a row). */
function estimateRows(bytes: number): number {
  return bytes / 90;
}
