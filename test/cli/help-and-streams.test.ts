/**
 * The `campaign` command as a process: every command's --help, wrong command lines, the
 * note `plan` gives without --now, and which stream each kind of output goes to (results on
 * stdout; progress, warnings and errors on stderr).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROL_OPTIONS } from '../../functions/cli/control-commands.ts';
import { IMPORT_OPTIONS } from '../../functions/cli/import-command.ts';
import { PLAN_OPTIONS } from '../../functions/cli/plan-command.ts';
import { SAMPLE_OPTIONS } from '../../functions/cli/sample-command.ts';
import { exportCsvBytes } from '../support/export-fixtures.ts';

const NOW = '2026-10-20T12:00:00+08:00';
const CAMPAIGN = 'functions/sample/d11-2026.campaign.json';
const BIN = 'functions/cli/campaign.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node functions/cli/campaign.js ...args` as a user runs it and collects both streams. */
function campaign(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    // English messages unless a test asks otherwise: most tests read English words.
    const child = spawn('node', [BIN, ...args], {
      env: { ...process.env, NODE_OPTIONS: '', CAMPAIGN_LANG: 'en', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The options each command reads, as `--name`; simulate reads plan's and three of its own; the API commands theirs. */
const OPTIONS: Record<string, string[]> = {
  plan: Object.keys(PLAN_OPTIONS),
  sample: Object.keys(SAMPLE_OPTIONS),
  import: Object.keys(IMPORT_OPTIONS),
  simulate: [...Object.keys(PLAN_OPTIONS), 'orders', 'sms-rate', 'base-url'],
  ...Object.fromEntries(Object.entries(CONTROL_OPTIONS).map(([command, options]) => [command, Object.keys(options)])),
};
const COMMANDS = Object.keys(OPTIONS);

/** The lines of one option's entry in a help: its own line and the indented lines under it. */
function optionEntry(help: string, option: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^ {2}${option}\\b`).test(line));
  if (start < 0) return '';
  let end = start + 1;
  while (end < lines.length && /^ {3,}\S/.test(lines[end] ?? '')) end += 1;
  return lines.slice(start, end).join('\n');
}

let work: string;
let customersCsv: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'campaign-streams-'));
  customersCsv = join(work, 'customers.csv');
  const sample = await campaign(['sample', '--customers', '300', '--out', customersCsv, '--now', NOW, '--quiet']);
  expect(sample.code, sample.stderr).toBe(0);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('campaign --help', () => {
  it('lists every command on stdout and exits 0', async () => {
    // Prepare: nothing beyond the command line.

    // Act
    const run = await campaign(['--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    for (const command of COMMANDS) expect(run.stdout, command).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    expect(run.stdout).toMatch(/campaign <command> --help/);
  });

  it('is in Chinese by default: the overview, every command and the headings of a command help', async () => {
    // Prepare: the CLI's own default language (these tests otherwise ask for English).
    const chinese = { CAMPAIGN_LANG: '' };

    // Act
    const overview = await campaign(['--help'], chinese);
    const plan = await campaign(['plan', '--help'], chinese);
    const english = await campaign(['--help', '--lang', 'en'], chinese);

    // Assess
    expect(overview.code).toBe(0);
    expect(overview.stdout).toMatch(/^campaign：在命令行里规划、试跑和执行双11活动/);
    for (const command of COMMANDS) {
      expect(overview.stdout, command).toMatch(new RegExp(`^ {2}${command} +\\S*[\\u4e00-\\u9fff]`, 'm'));
    }
    expect(plan.stdout).toMatch(/^campaign plan — 离线规划一个活动/);
    expect(plan.stdout).toMatch(/^用法：campaign plan /m);
    expect(plan.stdout).toMatch(/^选项：$/m);
    expect(plan.stdout).toMatch(/^退出码：$/m);
    expect(english.stdout, '--lang en is the switch').toMatch(/^campaign: plan, try and run/);
  });

  it('without a command, exits 2 with the usage on stderr and nothing on stdout', async () => {
    // Prepare: nothing beyond the command line.

    // Act
    const run = await campaign([]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/give a command[\s\S]*usage: campaign <command>/);
  });
});

describe.each(COMMANDS)('campaign %s --help', (command) => {
  it('says what it does, every option with its default or that it is required, and an example, on stdout', async () => {
    // Prepare
    const options = OPTIONS[command] ?? [];

    // Act
    const run = await campaign([command, '--help']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(new RegExp(`^campaign ${command}: \\S`));
    expect(run.stdout).toMatch(new RegExp(`^usage: campaign ${command} `, 'm'));
    for (const option of options) {
      const entry = optionEntry(run.stdout, `--${option}`);
      expect(entry, `--${option} is not in the help of ${command}`).not.toBe('');
      expect(entry, `--${option} gives no default in the help of ${command}`).toMatch(/\((default: |required)/);
    }
    expect(run.stdout).toMatch(new RegExp(`^example[s]?:\\n {2}campaign ${command} `, 'm'));
  });

  it('in Chinese, says every option, what it writes and its exit codes in Chinese', async () => {
    // Prepare
    const options = OPTIONS[command] ?? [];

    // Act
    const run = await campaign([command, '--help'], { CAMPAIGN_LANG: '' });

    // Assess
    expect(run.code).toBe(0);
    for (const option of [...options, 'quiet']) {
      const entry = optionEntry(run.stdout, `--${option}`);
      expect(entry, `--${option} has no Chinese in the help of ${command}`).toMatch(/[\u4e00-\u9fff]/);
      expect(entry, `--${option} gives no default in the Chinese help of ${command}`).toMatch(/（(默认：|必填)/);
    }
    const exits = run.stdout.split('退出码：\n')[1]?.split('\n\n')[0] ?? '';
    expect(exits.split('\n'), 'each exit code says what it means in Chinese').toSatisfy((lines: string[]) =>
      lines.every((line) => /^ {2}\d {2}.*[\u4e00-\u9fff]/.test(line)),
    );
  });

  it('exits 2 on an unknown option, with the usage on stderr and nothing on stdout', async () => {
    // Prepare
    const args = [command, '--bogus', 'x'];

    // Act
    const run = await campaign(args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/Unknown option '--bogus'/);
    expect(run.stderr).toMatch(new RegExp(`^usage: campaign ${command} `, 'm'));
  });
});

describe('campaign <command> -h and campaign help <command>', () => {
  it('print the same text as --help', async () => {
    // Prepare
    const long = await campaign(['plan', '--help']);

    // Act
    const short = await campaign(['plan', '-h']);
    const topic = await campaign(['help', 'plan']);

    // Assess
    expect([long.code, short.code, topic.code]).toEqual([0, 0, 0]);
    expect(short.stdout).toBe(long.stdout);
    expect(topic.stdout).toBe(long.stdout);
  });

  it('campaign help of an unknown command exits 2 with the commands on stderr', async () => {
    // Prepare: nothing beyond the command line.

    // Act
    const run = await campaign(['help', 'nope']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/unknown command "nope"[\s\S]*commands:/);
  });
});

describe('campaign plan without --now', () => {
  it('says on stderr which instant it planned from, the one in timeline.json', async () => {
    // Prepare
    const out = join(work, 'no-now');
    const before = Math.floor(Date.now() / 1000) * 1000;

    // Act
    const run = await campaign(['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--out', out]);
    const after = Date.now();

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const said = /^no --now given: planning as of (\S+), the current time/m.exec(run.stderr)?.[1];
    expect(said, `no planning instant on stderr:\n${run.stderr}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
    const instant = Date.parse(said as string);
    expect(instant).toBeGreaterThanOrEqual(before);
    expect(instant).toBeLessThanOrEqual(after);
    const timeline = JSON.parse(await readFile(join(out, 'timeline.json'), 'utf8'));
    expect(timeline.plannedAt).toBe(said);
    expect(run.stdout).not.toMatch(/--now/);
  });

  it('says nothing about the instant when --now is given', async () => {
    // Prepare
    const args = ['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--now', NOW];

    // Act
    const run = await campaign([...args, '--out', join(work, 'with-now')]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/no --now given/);
  });
});

describe('streams: results on stdout, diagnostics on stderr', () => {
  it('campaign plan: the summary on stdout, the warnings on stderr', async () => {
    // Prepare: a wave whose audience matches nobody, so the plan warns.
    const file = join(work, 'warns.campaign.json');
    const sample = JSON.parse(await readFile(CAMPAIGN, 'utf8'));
    sample.waves[0].audience = ['nobody-has-this-label'];
    await writeFile(file, JSON.stringify(sample));
    const out = join(work, 'streams-plan');

    // Act
    const run = await campaign(['plan', '--campaign', file, '--customers', customersCsv, '--now', NOW, '--out', out]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^read customers\.csv \(csv, utf-8\): 300 rows, /m);
    expect(run.stdout).toMatch(/^planned d11-2026: /m);
    expect(run.stdout).toMatch(/^\d+ rejected rows: .*rejects\.jsonl$/m);
    expect(run.stdout).toMatch(/^timeline: .*timeline\.en\.html \(中文: .*timeline\.html\)$/m);
    expect(run.stdout).not.toMatch(/warning/);
    expect(run.stderr).toMatch(/^warning: wave presale: audience "nobody-has-this-label"/m);
    expect(run.stderr).not.toMatch(/planned d11-2026|timeline: /);
  });

  it('campaign plan: an invalid campaign file on stderr, nothing on stdout', async () => {
    // Prepare
    const file = join(work, 'invalid.campaign.json');
    await writeFile(file, JSON.stringify({ id: 'x', midnight: '2026-11-11T00:00', waves: [] }));

    // Act
    const run = await campaign(['plan', '--campaign', file, '--customers', customersCsv, '--now', NOW, '--out', work]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/waves: needs at least one wave/);
  });

  it('campaign plan: a marketer reads the summary in Chinese by default, in English with --lang en', async () => {
    // Prepare
    const args = ['plan', '--campaign', CAMPAIGN, '--customers', customersCsv, '--now', NOW];

    // Act
    const zh = await campaign([...args, '--out', join(work, 'zh-plan')], { CAMPAIGN_LANG: '' });
    const en = await campaign([...args, '--out', join(work, 'en-plan'), '--lang', 'en'], { CAMPAIGN_LANG: '' });

    // Assess
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toMatch(/^已读取 customers\.csv（csv, utf-8）：300 行，接受 \d+ 行，拒绝 \d+ 行$/m);
    expect(zh.stdout).toMatch(/^已规划 d11-2026：[\d,]+ 位客户，\d+ 批发送，/m);
    expect(zh.stdout).toMatch(/^\d+ 行被拒绝：.*rejects\.jsonl$/m);
    expect(zh.stdout).toMatch(/^时间线：.*timeline\.html（English: .*timeline\.en\.html）$/m);
    expect(en.code, en.stderr).toBe(0);
    expect(en.stdout).toMatch(/^planned d11-2026: /m);
    expect(en.stdout).not.toMatch(/已规划/);
  });

  it('campaign plan: the campaign file problems in Chinese by default, each by its JSON path', async () => {
    // Prepare
    const file = join(work, 'invalid-zh.campaign.json');
    await writeFile(file, JSON.stringify({ id: 'x', midnight: '2026-11-11T00:00', waves: [] }));

    // Act
    const run = await campaign(['plan', '--campaign', file, '--customers', customersCsv, '--now', NOW, '--out', work], {
      CAMPAIGN_LANG: 'zh-CN',
    });

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^campaign plan: 活动文件有 \d+ 处问题（按 JSON 路径）：$/m);
    expect(run.stderr).toMatch(/^ {2}waves: 至少需要一个波次$/m);
  });

  it('refuses a language it does not have, by name', async () => {
    // Act
    const option = await campaign(['plan', '--lang', 'fr'], { CAMPAIGN_LANG: '' });
    const env = await campaign(['plan'], { CAMPAIGN_LANG: 'de' });

    // Assess
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--lang: "fr" is not a language of the messages: give zh or en');
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('CAMPAIGN_LANG: "de" is not a language of the messages: give zh or en');
  });

  it('campaign sample: what it wrote on stdout; --quiet prints nothing', async () => {
    // Prepare
    const out = join(work, 'streams-sample.csv');
    const orders = join(work, 'streams-orders.jsonl');

    // Act
    const loud = await campaign(['sample', '--customers', '100', '--out', out, '--orders', orders, '--now', NOW]);
    const quiet = await campaign(['sample', '--customers', '100', '--out', out, '--now', NOW, '--quiet']);

    // Assess
    expect(loud.code, loud.stderr).toBe(0);
    expect(loud.stdout).toMatch(/^wrote .*streams-sample\.csv: 100 customers /m);
    expect(loud.stdout).toMatch(
      /^wrote .*streams-orders\.jsonl: \d+ order webhook events \(\d+ orders placed because of a message, uplift 0\.03\)$/m,
    );
    expect(loud.stderr).toBe('');
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('campaign simulate: the summary on stdout, nothing of it on stderr', { timeout: 240_000 }, async () => {
    // Prepare
    const customers = join(work, 'simulate.csv');
    const orders = join(work, 'simulate-orders.jsonl');
    const sample = await campaign([
      'sample',
      '--customers',
      '60',
      '--out',
      customers,
      '--orders',
      orders,
      '--now',
      NOW,
    ]);
    expect(sample.code, sample.stderr).toBe(0);
    const out = join(work, 'streams-simulate');

    // Act
    const run = await campaign([
      'simulate',
      '--campaign',
      CAMPAIGN,
      '--customers',
      customers,
      '--orders',
      orders,
      '--now',
      NOW,
      '--out',
      out,
    ]);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const results = [/^imported segments\/d11-2026\/simulate\.csv: /m, /^planned d11-2026 /m, /^sent: /m, /^wrote /m];
    for (const line of results) {
      expect(run.stdout).toMatch(line);
      expect(run.stderr).not.toMatch(line);
    }
    expect(run.stdout).toMatch(/^orders: .* from the webhook$/m);
  });
});

describe('streams of campaign import, against `npm start`', () => {
  let stack: ChildProcess | undefined;
  let ports: { http: string; s3: string; dynamodb: string };
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'campaign-import-stack-'));
    // The local stack as `npm start` runs it, on free ports and its own data folder.
    stack = spawn('node', ['--import', 'tsx', 'functions/local/start.ts'], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        PORT: '0',
        DYNAMODB_PORT: '0',
        S3_PORT: '0',
        SES_PORT: '0',
        LOCAL_DATA_DIR: dataDir,
      },
    });
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      stack?.stdout?.on('data', (chunk) => {
        printed += String(chunk);
        if (printed.includes('ready (Ctrl-C stops)')) resolve();
      });
      stack?.on('exit', (code) => reject(new Error(`npm start exited ${code} before it was ready:\n${printed}`)));
    });
    const portOf = (label: string) => {
      const port = new RegExp(`^${label}\\s+http://127\\.0\\.0\\.1:(\\d+)`, 'm').exec(printed)?.[1];
      if (!port) throw new Error(`no ${label} URL in:\n${printed}`);
      return port;
    };
    ports = { http: portOf('HTTP API'), s3: portOf('S3'), dynamodb: portOf('DynamoDB') };
  });

  afterAll(async () => {
    if (stack && stack.exitCode === null) {
      const exited = new Promise((resolve) => stack?.once('exit', resolve));
      stack.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints the upload and the import record on stdout, nothing of them on stderr', async () => {
    // Prepare
    const env = { PORT: ports.http, S3_PORT: ports.s3, DYNAMODB_PORT: ports.dynamodb };

    // Act
    const run = await campaign(['import', customersCsv, '--segment', 'vip'], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const results = [
      /^uploaded .*customers\.csv to s3:\/\/campaign-data\/segments\/d11-2026\/vip\.csv$/m,
      /^import succeeded: segments\/d11-2026\/vip\.csv \(etag [0-9a-f]+\)$/m,
      /^ {2}imported: {2}\d+ customers$/m,
    ];
    for (const line of results) {
      expect(run.stdout).toMatch(line);
      expect(run.stderr).not.toMatch(line);
    }
  });

  it('prints the import result in Chinese by default', async () => {
    // Prepare
    const env = { PORT: ports.http, S3_PORT: ports.s3, DYNAMODB_PORT: ports.dynamodb, CAMPAIGN_LANG: '' };

    // Act
    const run = await campaign(['import', customersCsv, '--segment', 'vip-zh'], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^已上传 .*customers\.csv 到 s3:\/\/campaign-data\/segments\/d11-2026\/vip-zh\.csv$/m);
    expect(run.stdout).toMatch(/^导入成功：segments\/d11-2026\/vip-zh\.csv（etag [0-9a-f]+）$/m);
    expect(run.stdout).toMatch(/^ {2}已导入： {2}\d+ 位客户$/m);
    expect(run.stdout).toMatch(/^ {2}已拒绝： {2}\d+ 行 -> /m);
  });

  it('uploads --columns beside the file first and prints which header became which column', async () => {
    // Prepare
    const env = { PORT: ports.http, S3_PORT: ports.s3, DYNAMODB_PORT: ports.dynamodb };
    const exported = join(dataDir, 'tmall-export.csv');
    await writeFile(exported, exportCsvBytes());
    const columns = join(dataDir, 'columns.json');
    await writeFile(columns, JSON.stringify({ 备注: 'segment', 人群: null }));

    // Act
    const run = await campaign(['import', exported, '--campaign', 'shop-1', '--columns', columns], env);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const results = [
      /^uploaded .*columns\.json to s3:\/\/campaign-data\/segments\/shop-1\/columns\.json$/m,
      /^import succeeded: segments\/shop-1\/tmall-export\.csv \(etag [0-9a-f]+\+columns-[0-9a-f]{16}\)$/m,
      /^ {2}mapping: {3}s3:\/\/…\/segments\/shop-1\/columns\.json$/m,
      /^ {2}columns: 客户ID -> customer_id, 买家昵称 -> name, 手机号 -> phone, .*, 邮件退订 -> opt_out_email, 备注 -> segment \(your mapping\)$/m,
      /^ {2}ignored columns: 人群$/m,
      /^ {2}masked by the platform: 2 phones \(kept without a phone\), 1 emails \(kept without an email\), 1 names/m,
    ];
    for (const line of results) expect(run.stdout).toMatch(line);
  });

  it('exits 2 before uploading anything when --columns is not a mapping, naming the header', async () => {
    // Prepare
    const env = { PORT: ports.http, S3_PORT: ports.s3, DYNAMODB_PORT: ports.dynamodb };
    const columns = join(dataDir, 'bad-columns.json');
    await writeFile(columns, JSON.stringify({ 会员卡号: 'customer' }));

    // Act
    const run = await campaign(['import', customersCsv, '--columns', columns], env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /--columns: .*bad-columns\.json: not a column mapping:\n {2}"会员卡号": must be one of customer_id/,
    );
  });

  it('says on stderr, with nothing on stdout, when no stack answers', async () => {
    // Prepare: a port where nothing listens (1 is reserved, and nothing here serves it).
    const env = { PORT: '1' };

    // Act
    const run = await campaign(['import', customersCsv], env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/the local stack is not running .* start it with `npm start`/);
  });
});
