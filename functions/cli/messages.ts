/**
 * What the CLI tells a marketer (plan summary, import result, rejects, an invalid campaign file),
 * in Simplified Chinese by default, in English with `--lang en` on any command or CAMPAIGN_LANG=en.
 * Machine output (JSON, the files written) keeps its codes whatever the language; so do flags
 * and examples in the help, which scripts copy.
 */
import { z } from 'zod';
import type { CampaignState } from '../domain/campaign-lifecycle.ts';
import { fieldMessageZh } from '../domain/field-texts.ts';
import { DEFAULT_LANG, type Lang, parseLang, STATE_NAMES } from '../domain/i18n.ts';
import { formatCount } from '../domain/text.ts';
import type { ImportStatus } from '../ports/import-store.ts';
import type { CampaignErrorCode } from '../usecases/errors.ts';
import { UsageError } from './errors.ts';

export const LANG_ENV = 'CAMPAIGN_LANG';

/**
 * The language of this run and the arguments without `--lang`: the option wins over the
 * environment; an unknown value of either is refused by name rather than ignored.
 */
export function takeLang(args: string[], env: NodeJS.ProcessEnv = process.env): { lang: Lang; args: string[] } {
  const rest: string[] = [];
  let asked: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--lang') {
      asked = args[i + 1] ?? '';
      i += 1;
    } else if (arg.startsWith('--lang=')) asked = arg.slice('--lang='.length);
    else rest.push(arg);
  }
  if (asked !== undefined) {
    const lang = parseLang(asked);
    if (!lang)
      throw new UsageError(`--lang: "${asked}" is not a language of the messages: give zh or en`, {
        zh: `--lang："${asked}" 不是支持的提示语言：请给 zh 或 en`,
      });
    return { lang, args: rest };
  }
  const fromEnv = env[LANG_ENV];
  if (fromEnv === undefined || fromEnv === '') return { lang: DEFAULT_LANG, args: rest };
  const lang = parseLang(fromEnv);
  if (!lang)
    throw new UsageError(`${LANG_ENV}: "${fromEnv}" is not a language of the messages: give zh or en`, {
      zh: `${LANG_ENV}："${fromEnv}" 不是支持的提示语言：请给 zh 或 en`,
    });
  return { lang, args: rest };
}

let current: Lang = DEFAULT_LANG;

/** Sets the run's language: the messages below and zod's own validation messages follow it. */
export function setCliLang(lang: Lang): void {
  current = lang;
  z.config(lang === 'zh' ? z.locales.zhCN() : z.locales.en());
}

export function cliLang(): Lang {
  return current;
}

export function cliTexts(): CliTexts {
  return CLI_TEXTS[current];
}

export interface FileRead {
  file: string;
  how: string;
  rows: number;
  accepted: number;
  rejected: number;
}

export interface CliTexts {
  sheet: (name: string) => string;
  read: (r: FileRead) => string;
  repeats: (inFile: number, across: number) => string;
  writingPlan: string;
  planned: (p: {
    campaignId: string;
    customers: number;
    sends: number;
    sms: number;
    emails: number;
    reached: number;
    seconds: string;
  }) => string;
  warning: (text: string) => string;
  /** `campaign plan --shards N`: a pass under way, then what the run took. */
  shardPass: (pass: 'firstPass' | 'reduce' | 'secondPass', done: number, of: number) => string;
  sharded: (p: {
    shards: number;
    processes: number;
    firstPass: string;
    reduce: string;
    secondPass: string;
    peakMb: number;
  }) => string;
  rejectedRows: (n: number, path: string) => string;
  timeline: (zh: string, en: string) => string;
  noNow: (instant: string) => string;
  campaignInvalid: (n: number) => string;
  unexpected: string;
  importRecord: {
    head: (status: string, key: string, etag: string) => string;
    /** The line labels, padded so the values line up. */
    labels: {
      mapping: string;
      error: string;
      rows: string;
      imported: string;
      rejected: string;
      repeats: string;
      duration: string;
    };
    imported: (n: number) => string;
    rejected: (n: number, where: string) => string;
    repeats: (n: number) => string;
    duration: (seconds: string, invocations: number) => string;
    unchanged: string;
    notFinished: (key: string, seconds: string) => string;
    ended: (key: string, status: string, error: string) => string;
  };
  importStatus: (status: ImportStatus) => string;
  uploaded: (file: string, url: string) => string;
}

const IMPORT_STATUS_ZH: Record<ImportStatus, string> = {
  succeeded: '成功',
  failed: '失败',
  running: '进行中',
};

export const CLI_TEXTS: Record<Lang, CliTexts> = {
  zh: {
    sheet: (name) => `工作表“${name}”`,
    read: (r) =>
      `已读取 ${r.file}（${r.how}）：${formatCount(r.rows)} 行，接受 ${formatCount(r.accepted)} 行，拒绝 ${formatCount(r.rejected)} 行`,
    repeats: (inFile, across) =>
      `重复的 customer_id：文件内 ${formatCount(inFile)} 个，跨文件 ${formatCount(across)} 个（以最后一行为准）`,
    writingPlan: '正在写入计划……',
    planned: (p) =>
      `已规划 ${p.campaignId}：${formatCount(p.customers)} 位客户，${formatCount(p.sends)} 批发送，向 ${formatCount(p.reached)} 位客户发送短信 ${formatCount(p.sms)} 条、邮件 ${formatCount(p.emails)} 封，用时 ${p.seconds} 秒`,
    warning: (text) => `提醒：${text}`,
    shardPass: (pass, done, of) =>
      pass === 'reduce'
        ? '汇总各分片（全局上限、分组、预算）……'
        : `${pass === 'firstPass' ? '第一遍（候选触达）' : '第二遍（写出触达）'}：${done}/${of} 个分片完成`,
    sharded: (p) =>
      `分 ${p.shards} 个分片规划（${p.processes} 个进程轮流）：第一遍 ${p.firstPass} 秒，汇总 ${p.reduce} 秒，第二遍 ${p.secondPass} 秒；单个进程内存峰值最高 ${formatCount(p.peakMb)} MB`,
    rejectedRows: (n, path) => `${formatCount(n)} 行被拒绝：${path}`,
    timeline: (zh, en) => `时间线：${zh}（English: ${en}）`,
    noNow: (instant) => `未给出 --now：按当前时间 ${instant} 规划（给出 --now 可从同一时刻重新规划）`,
    campaignInvalid: (n) => `活动文件有 ${formatCount(n)} 处问题（按 JSON 路径）：`,
    unexpected: '意外错误',
    importRecord: {
      head: (status, key, etag) => `导入${status}：${key}（etag ${etag}）`,
      labels: {
        mapping: '列映射：  ',
        error: '错误：    ',
        rows: '行数：    ',
        imported: '已导入：  ',
        rejected: '已拒绝：  ',
        repeats: '重复：    ',
        duration: '用时：    ',
      },
      imported: (n) => `${formatCount(n)} 位客户`,
      rejected: (n, where) => `${formatCount(n)} 行 -> ${where}`,
      repeats: (n) => `${formatCount(n)}（重复的 customer_id，以最后一行为准）`,
      duration: (s, n) => `${s} 秒，${formatCount(n)} 次调用`,
      unchanged: '  （此前已导入完全相同的内容：本次上传没有改变任何数据）',
      notFinished: (key, s) => `${key} 的导入未在 ${s} 秒内完成；它会在本地服务中继续`,
      ended: (key, status, error) => `campaign import：${key} 的导入${status}${error ? `：${error}` : ''}`,
    },
    importStatus: (status) => IMPORT_STATUS_ZH[status] ?? status,
    uploaded: (file, url) => `已上传 ${file} 到 ${url}`,
  },
  en: {
    sheet: (name) => `sheet "${name}"`,
    read: (r) =>
      `read ${r.file} (${r.how}): ${formatCount(r.rows)} rows, ${formatCount(r.accepted)} accepted, ${formatCount(r.rejected)} rejected`,
    repeats: (inFile, across) =>
      `repeated customer_id: ${formatCount(inFile)} within a file, ${formatCount(across)} across files (the last row wins)`,
    writingPlan: 'writing the plan...',
    planned: (p) =>
      `planned ${p.campaignId}: ${formatCount(p.customers)} customers, ${formatCount(p.sends)} sends, ` +
      `${formatCount(p.sms)} SMS and ${formatCount(p.emails)} emails to ${formatCount(p.reached)} customers in ${p.seconds} s`,
    warning: (text) => `warning: ${text}`,
    shardPass: (pass, done, of) =>
      pass === 'reduce'
        ? 'reducing the shards (global caps, groups, budget)...'
        : `${pass === 'firstPass' ? 'first pass (candidate touches)' : 'second pass (writing the touches)'}: ${done} of ${of} shards done`,
    sharded: (p) =>
      `planned in ${p.shards} shards (${p.processes} processes taking turns): first pass ${p.firstPass} s, reduce ${p.reduce} s, second pass ${p.secondPass} s; peak memory of a process at most ${formatCount(p.peakMb)} MB`,
    rejectedRows: (n, path) => `${formatCount(n)} rejected rows: ${path}`,
    timeline: (zh, en) => `timeline: ${en} (中文: ${zh})`,
    noNow: (instant) =>
      `no --now given: planning as of ${instant}, the current time (give --now to plan again from the same instant)`,
    campaignInvalid: () => 'invalid campaign file:',
    unexpected: 'unexpected error',
    importRecord: {
      head: (status, key, etag) => `import ${status}: ${key} (etag ${etag})`,
      labels: {
        mapping: 'mapping:   ',
        error: 'error:     ',
        rows: 'rows:      ',
        imported: 'imported:  ',
        rejected: 'rejected:  ',
        repeats: 'repeats:   ',
        duration: 'duration:  ',
      },
      imported: (n) => `${formatCount(n)} customers`,
      rejected: (n, where) => `${formatCount(n)} rows -> ${where}`,
      repeats: (n) => `${formatCount(n)} (repeated customer_id; the last row won)`,
      duration: (s, n) => `${s} s in ${n} invocation(s)`,
      unchanged: '  (this exact content was imported before: the upload changed nothing)',
      notFinished: (key, s) => `the import of ${key} did not finish within ${s} s; it goes on in the local stack`,
      ended: (key, status, error) => `campaign import: the import of ${key} ${status}${error ? `: ${error}` : ''}`,
    },
    importStatus: (status) => status,
    uploaded: (file, url) => `uploaded ${file} to ${url}`,
  },
};

/** One problem of the campaign file in the run's language. */
export function campaignMessage(message: string, lang: Lang = current): string {
  // The campaign file's own checks from the one typed dictionary the API's messageZh uses;
  // zod's built-in messages come in Chinese already, from its zh-CN locale (setCliLang).
  return lang === 'en' ? message : fieldMessageZh(message);
}

/** What an API refusal's details can name (the answer's JSON beside `error` and `message`). */
export interface RefusalDetails {
  state?: string;
  currentVersion?: number;
  sendIds?: string[];
  waveId?: string;
  requiredRole?: string;
}

/** The Chinese of each refusal the campaign API answers, by its `error` code: a code without it does not compile. */
const REFUSALS_ZH: Record<CampaignErrorCode, (details: RefusalDetails) => string> = {
  'unknown-campaign': () => '找不到这个活动：请先上传活动文件生成计划（或用 PUT）',
  'wrong-state': ({ state }) =>
    `活动当前为“${state && state in STATE_NAMES ? STATE_NAMES[state as CampaignState].zh : (state ?? '?')}”，不能执行这个操作`,
  'stale-version': ({ currentVersion }) =>
    `这个版本已不是最新版本：请批准版本 ${currentVersion ?? '?'}（campaign status 会列出各版本）`,
  'past-window': () => '这个版本的第一批发送时间已过（超过恢复宽限时间）：请按更晚的时间重新规划',
  'send-started': ({ sendIds }) => `这个版本会改动或删除已经开始的发送（${(sendIds ?? []).join('、')}），未做任何修改`,
  'plan-conflict': () => '有其他人同时在规划这个活动：请稍后再试',
  'unknown-wave': ({ waveId }) => `活动中没有波次“${waveId ?? '?'}”`,
  'not-test-recipient': () => '有收件人不在活动文件的 testRecipients 中，未发送任何消息',
  'invalid-request': () => '请求有误：',
  unauthenticated: () => '需要登录：令牌缺失、已过期或不是这个环境签发的',
  forbidden: ({ requiredRole }) => `你的角色不能执行这个操作：需要 ${requiredRole ?? '?'} 角色，请管理员把你加入该组`,
};

/**
 * An API refusal in the run's language: the Chinese from its code and details, the API's own
 * English otherwise (or when the code is not one this CLI knows: a newer API).
 */
export function refusalText(code: unknown, english: string, details: RefusalDetails): string {
  if (current === 'en' || typeof code !== 'string' || !(code in REFUSALS_ZH)) return english;
  return REFUSALS_ZH[code as CampaignErrorCode](details);
}

/** The lines under a failed call that say what to do, in the run's language. */
export const CALL_HINTS: Record<
  Lang,
  { unreachable: string; localHint: string; remoteHint: string; tokenHint: string }
> = {
  zh: {
    unreachable: '无法连接活动接口',
    localHint: '  本地环境在运行吗？用 npm start 启动（或用 --api URL 指定地址）',
    remoteHint: '  请检查 --api（环境输出的 HttpApiUrl）和网络',
    tokenHint: '  令牌缺失、已过期（一小时）或不是这个环境的登录签发的：请重新获取：',
  },
  en: {
    unreachable: 'cannot reach the campaign API',
    localHint: '  is the local stack running? Start it with: npm start (or give --api URL)',
    remoteHint: "  check --api (the stack's HttpApiUrl output) and your network",
    tokenHint: "  your token is missing, expired (an hour) or not from this stack's sign-in: get a new one: ",
  },
};
