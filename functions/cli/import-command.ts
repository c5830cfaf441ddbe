/**
 * `campaign import FILE [--segment NAME] [--campaign ID] [--columns FILE]`: uploads a segment
 * file to the running local stack (`npm start`), as a marketer's upload to S3 would (with
 * --columns, the folder's column mapping first), then follows the import it triggers and
 * prints the import record: the record on stdout, progress on stderr.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DynamoImportStore } from '../adapters/dynamo/import-store.ts';
import { metadataValue, S3ObjectStorage } from '../adapters/s3-object-storage.ts';
import { clientsFor } from '../composition.ts';
import { type LocalConfig, loadConfig } from '../config.ts';
import { SHEET_METADATA } from '../contract.ts';
import { formatOf, type SegmentFormat } from '../domain/segment-reader.ts';
import type { ImportRecord } from '../ports/import-store.ts';
import { columnsKeyFor, importEtag, parseSegmentKey, readFolderMapping } from '../usecases/import-segment.ts';
import { columnLines, readColumnsFile } from './columns-file.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp } from './help.ts';
import { cliTexts } from './messages.ts';
import { bar, formatCount, progressOn } from './progress.ts';

export const IMPORT_USAGE =
  'campaign import FILE [--segment NAME] [--campaign ID] [--sheet NAME] [--columns FILE] [--timeout SECONDS] [--quiet]';
const DEFAULT_CAMPAIGN = 'd11-2026';
const CONTENT_TYPES: Record<SegmentFormat, string> = {
  csv: 'text/csv',
  jsonl: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
const DEFAULT_TIMEOUT_SECONDS = '600';

export const IMPORT_OPTIONS = {
  segment: { type: 'string' },
  campaign: { type: 'string' },
  sheet: { type: 'string' },
  columns: { type: 'string' },
  timeout: { type: 'string' },
  quiet: { type: 'boolean', default: false },
} as const;

export const IMPORT_HELP: CommandHelp = {
  name: 'campaign import',
  summary: 'upload a segment file to the running local stack and follow its import',
  usage: IMPORT_USAGE,
  description: [
    'Needs `npm start` running in another terminal (it checks GET /health). Uploads FILE to the',
    'local S3 as a marketer uploads to the data bucket, under segments/<campaign>/<segment>.<ext>;',
    'the S3 event runs the import handler, which writes the customers to the local DynamoDB and',
    'the rejected rows to reports/<key>.rejects.jsonl. It waits for the import record and prints',
    'it on stdout (progress on stderr): which header became which column, which were ignored,',
    'how many phones were masked. The same file again changes nothing. Headers are matched by',
    'name or built-in alias (客户ID, 手机号, 最近下单时间, ...); --columns maps the others.',
  ],
  options: [
    {
      flag: 'FILE',
      text: 'the segment file: .csv, .jsonl, .ndjson or .xlsx',
      required: 'exactly one',
      zh: { text: '客群文件：.csv、.jsonl、.ndjson 或 .xlsx', required: '恰好一个' },
    },
    {
      flag: '--segment NAME',
      text: "the label the rows get (a wave's audience can name it); a row's own\nsegment cell wins",
      default: 'the file name without its extension',
      zh: {
        text: '这些行得到的客群标签（波次的受众可以用它）；行内自己的\nsegment 单元格优先',
        default: '去掉扩展名的文件名',
      },
    },
    {
      flag: '--campaign ID',
      text: 'the campaign the file belongs to (letters, digits, - or _)',
      default: `$CAMPAIGN_ID, else ${DEFAULT_CAMPAIGN}`,
      zh: { text: '文件所属的活动（字母、数字、- 或 _）', default: `$CAMPAIGN_ID，否则 ${DEFAULT_CAMPAIGN}` },
    },
    {
      flag: '--sheet NAME',
      text: 'the sheet of an .xlsx file to import (kept with the upload as its\nmetadata `sheet`)',
      default: 'the first visible sheet',
      zh: { text: '要导入的 .xlsx 工作表（作为上传对象的元数据 `sheet` 保存）', default: '第一个可见的工作表' },
    },
    {
      flag: '--columns FILE',
      text:
        'a column mapping (JSON: {"<your header>": "<column>"}, null to ignore a header),\n' +
        'uploaded first as segments/<campaign>/columns.json: every later import of that\n' +
        "campaign's files reads it too",
      default: 'the columns.json already in the folder, if any; else the built-in aliases',
      zh: {
        text: '列映射（JSON：{"<你的表头>": "<列>"}，null 表示忽略该表头），先上传为\nsegments/<活动>/columns.json：该活动之后的每次导入都会读取它',
        default: '文件夹里已有的 columns.json（如有）；否则用内置别名',
      },
    },
    {
      flag: '--timeout SECONDS',
      text: 'how long to wait for the import; past it the command exits 1 and the\nimport goes on in the local stack',
      default: DEFAULT_TIMEOUT_SECONDS,
      zh: { text: '等待导入的时长；超过后命令以 1 退出，导入在本地环境中继续' },
    },
    ...COMMON_OPTIONS,
  ],
  outputs: [
    's3://campaign-data/segments/<campaign>/<segment>.<ext> in the local S3, the customers in the',
    'local DynamoDB, s3://campaign-data/reports/segments/<campaign>/<segment>.<ext>.rejects.jsonl',
  ],
  exitCodes: [
    '0  imported',
    '2  a wrong option, no such file, the local stack not running, or the import failed',
    '1  the import did not finish within --timeout, or anything unexpected',
  ],
  zh: {
    outputs: [
      '本地 S3 的 s3://campaign-data/segments/<活动>/<客群>.<扩展名>，本地 DynamoDB 中的客户，',
      's3://campaign-data/reports/segments/<活动>/<客群>.<扩展名>.rejects.jsonl',
    ],
    exitCodes: [
      '0  已导入',
      '2  选项有误、文件不存在、本地环境未运行，或导入失败',
      '1  导入未在 --timeout 内完成，或意外错误',
    ],
  },
  examples: ['campaign import out/customers.csv --segment vip     # with `npm start` running in another terminal'],
};

export async function runImport(args: string[]): Promise<number> {
  const { values: given, positionals } = parseArgs({
    args,
    options: IMPORT_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const values = {
    ...given,
    campaign: given.campaign ?? process.env.CAMPAIGN_ID ?? DEFAULT_CAMPAIGN,
    timeout: given.timeout ?? DEFAULT_TIMEOUT_SECONDS,
  };
  if (!/^\d+$/.test(values.timeout) || Number(values.timeout) === 0) {
    throw new UsageError(`--timeout: "${values.timeout}" is not a whole number of seconds above 0`, {
      zh: `--timeout："${values.timeout}" 不是大于 0 的整秒数`,
    });
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) {
    throw new UsageError('FILE: give exactly one segment file (.csv, .jsonl or .xlsx)', {
      showUsage: true,
      zh: 'FILE：请给恰好一个客群文件（.csv、.jsonl 或 .xlsx）',
    });
  }
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new UsageError(`FILE: no such file ${file}`, { zh: `FILE：文件不存在 ${file}` });
  const format = formatOf(file);
  if (!format)
    throw new UsageError(`FILE: ${file} is not .csv, .jsonl or .xlsx`, {
      zh: `FILE：${file} 不是 .csv、.jsonl 或 .xlsx`,
    });
  if (values.sheet !== undefined && format !== 'xlsx') {
    throw new UsageError(`--sheet: only an .xlsx file has sheets (${file} is ${format})`, {
      zh: `--sheet：只有 .xlsx 文件有工作表（${file} 是 ${format}）`,
    });
  }
  if (values.sheet?.trim() === '')
    throw new UsageError('--sheet: give the name of a sheet', { zh: '--sheet：请给出工作表的名称' });
  const columns = values.columns === undefined ? undefined : await readColumnsFile(values.columns);
  const segment = values.segment ?? basename(file, extname(file));
  const key = `segments/${values.campaign}/${segment}${extname(file).toLowerCase()}`;
  if (!parseSegmentKey(key)) {
    throw new UsageError(
      `--campaign: "${values.campaign}" must be letters, digits, - or _ (it becomes part of ${key})`,
      { zh: `--campaign："${values.campaign}" 只能由字母、数字、- 或 _ 组成（它是 ${key} 的一部分）` },
    );
  }
  const config = loadConfig({ ...process.env, CAMPAIGN_RUNTIME: 'local' }) as LocalConfig;
  await requireRunningStack(config);
  const progress = progressOn(process.stderr, values.quiet === true);
  const clients = clientsFor(config);
  const storage = new S3ObjectStorage(clients.s3, config.dataBucket);

  if (columns) {
    // Before the segment: its import reads the folder's mapping when it starts.
    const columnsKey = columnsKeyFor(values.campaign);
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: config.dataBucket,
        Key: columnsKey,
        Body: columns.bytes,
        ContentType: 'application/json',
      }),
    );
    progress.result(cliTexts().uploaded(String(values.columns), `s3://${config.dataBucket}/${columnsKey}`));
  }
  const upload = new Upload({
    client: clients.s3,
    params: {
      Bucket: config.dataBucket,
      Key: key,
      Body: createReadStream(file),
      ContentType: CONTENT_TYPES[format],
      ...(values.sheet !== undefined ? { Metadata: { [SHEET_METADATA]: metadataValue(values.sheet) } } : {}),
    },
  });
  upload.on('httpUploadProgress', (event) =>
    progress.update(`uploading ${bar((event.loaded ?? 0) / Math.max(1, info.size))} ${key}`),
  );
  const uploadStarted = new Date().toISOString();
  const uploaded = await upload.done();
  const objectEtag = (uploaded.ETag ?? '').replaceAll('"', '');
  progress.result(cliTexts().uploaded(file, `s3://${config.dataBucket}/${key}`));
  // The import is of this content read with the folder's mapping as it is now.
  const etag = importEtag(objectEtag, await readFolderMapping(storage, values.campaign), values.sheet);

  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  const deadline = Date.now() + Number(values.timeout) * 1000;
  const estimatedRows = Math.max(1, info.size / 90);
  let record: ImportRecord | undefined;
  for (;;) {
    record = await imports.get({ key, etag });
    if (record && record.status !== 'running') break;
    if (Date.now() > deadline) {
      progress.warn(cliTexts().importRecord.notFinished(key, String(values.timeout)));
      return 1;
    }
    const rows = record?.progressRows ?? 0;
    progress.update(`importing ${bar(Math.min(0.99, rows / estimatedRows))} ${formatCount(rows)} rows`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  printRecord(record, (line) => progress.result(line));
  if (record.finishedAt && record.finishedAt < uploadStarted) {
    progress.result(cliTexts().importRecord.unchanged);
  }
  if (record.status === 'succeeded') return 0;
  progress.warn(
    cliTexts().importRecord.ended(key, cliTexts().importStatus(record.status), record.error ? record.error : ''),
  );
  return 2;
}

async function requireRunningStack(config: LocalConfig): Promise<void> {
  const url = `http://127.0.0.1:${config.httpPort}/health`;
  const healthy = await fetch(url, { signal: AbortSignal.timeout(2000) })
    .then((response) => response.ok)
    .catch(() => false);
  if (!healthy) {
    throw new UsageError(`the local stack is not running (no answer from ${url}): start it with \`npm start\``, {
      zh: `本地环境没有运行（${url} 无应答）：请用 \`npm start\` 启动`,
    });
  }
}

function printRecord(record: ImportRecord, print: (line: string) => void): void {
  const say = cliTexts();
  const t = say.importRecord;
  const l = t.labels;
  print(t.head(say.importStatus(record.status), record.key, record.etag));
  if (record.columnsKey) print(`  ${l.mapping}s3://…/${record.columnsKey}`);
  if (record.error) print(`  ${l.error}${record.error}`);
  const read = record.sheet !== undefined ? `xlsx, ${say.sheet(record.sheet)}` : `${record.format}, ${record.encoding}`;
  print(`  ${l.rows}${formatCount(record.rows)}${record.format ? ` (${read})` : ''}`);
  print(`  ${l.imported}${t.imported(record.imported)}`);
  print(`  ${l.rejected}${t.rejected(record.rejected, `s3://…/${record.rejectsKey}`)}`);
  print(`  ${l.repeats}${t.repeats(record.repeats)}`);
  print(`  ${l.duration}${t.duration(((record.durationMs ?? 0) / 1000).toFixed(1), record.invocations)}`);
  for (const line of columnLines(record)) print(`  ${line}`);
}
