/**
 * `campaign status|approve|pause|resume|cancel|test-send <campaign-id>`: the marketer's
 * controls, over the campaign HTTP API (see api-client.ts: the local server, or a deployed
 * stack with the user's Cognito token). A readable summary goes to stdout (`--json`: the API's answer as it is);
 * a refusal goes to stderr with the API's message and every field error. Exit codes: 0 done,
 * 2 refused (a 4xx: the message says which field, state or version) or a wrong command line,
 * 1 the API failed (5xx) or could not be reached.
 */
import { parseArgs } from 'node:util';
import { ACTION_NAMES, type Lang, nameOf, STATE_NAMES } from '../domain/i18n.ts';
import { formatInstant } from '../domain/local-time.ts';
import {
  API_OPTION_HELP,
  API_OPTIONS,
  type ApiAnswer,
  ApiClient,
  ApiUnreachableError,
  apiBase,
  bearerToken,
  TOKEN_HINT,
  TOKEN_HINT_ZH,
} from './api-client.ts';
import { UsageError } from './errors.ts';
import { COMMON_OPTIONS, type CommandHelp, type OptionHelp } from './help.ts';
import { CALL_HINTS, cliLang, type RefusalDetails, refusalText } from './messages.ts';

const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/;
const TIME_ZONE = 'Asia/Shanghai';

const COMMON = { ...API_OPTIONS, quiet: { type: 'boolean', default: false } } as const;

/** The options each command reads, as parseArgs reads them (the help test checks each is explained). */
export const CONTROL_OPTIONS = {
  status: COMMON,
  approve: { ...COMMON, version: { type: 'string' } },
  pause: { ...COMMON, wave: { type: 'string' }, reason: { type: 'string' } },
  resume: { ...COMMON, wave: { type: 'string' } },
  cancel: { ...COMMON, wave: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean', default: false } },
  'test-send': {
    ...COMMON,
    wave: { type: 'string' },
    to: { type: 'string', multiple: true },
    group: { type: 'string' },
  },
} as const;
export type ControlCommand = keyof typeof CONTROL_OPTIONS;

const EXIT_CODES_ZH = [
  '0  完成',
  '2  被接口拒绝（4xx：信息会指出字段、状态或版本）或命令行有误',
  '1  接口出错（5xx）或无法连接（npm start 是否在运行？）',
];

const EXIT_CODES = [
  '0  done',
  '2  refused by the API (4xx: the message names the field, state or version) or a wrong command line',
  '1  the API failed (5xx) or could not be reached (is npm start running?)',
];

const WAVE_VERB_ZH: Record<'pause' | 'resume' | 'cancel', string> = { pause: '暂停', resume: '恢复', cancel: '取消' };
const WAVE_HELP = (what: 'pause' | 'resume' | 'cancel'): OptionHelp => ({
  flag: '--wave ID',
  text: `${what} only this wave of the campaign`,
  default: 'the whole campaign',
  zh: { text: `只${WAVE_VERB_ZH[what]}活动中的这个波次`, default: '整个活动' },
});
const REASON_HELP: OptionHelp = {
  flag: '--reason TEXT',
  text: 'why, for the audit trail (e.g. "wrong price")',
  default: 'none',
  zh: { text: '原因，记入审计记录（例如 "价格写错"）', default: '无' },
};
const OPTIONS_TAIL = [...API_OPTION_HELP, ...COMMON_OPTIONS];

function help(
  name: ControlCommand,
  summary: string,
  usage: string,
  description: string[],
  options: CommandHelp['options'],
  examples: string[],
): CommandHelp {
  return {
    name: `campaign ${name}`,
    summary,
    usage: `campaign ${name} ${usage}`,
    description: [
      ...description,
      'It talks to the campaign HTTP API: the local one by default (npm start), or a deployed',
      "stack's (--api https://...) as the signed-in user whose token --token gives.",
    ],
    options: [...options, ...OPTIONS_TAIL],
    outputs: ["stdout: a summary of the API's answer (--json: the answer itself); stderr: a refusal and why"],
    exitCodes: EXIT_CODES,
    examples,
    zh: {
      outputs: ['stdout：接口答复的摘要（--json 时为答复本身）；stderr：拒绝及其原因'],
      exitCodes: EXIT_CODES_ZH,
    },
  };
}

export const CONTROL_HELP: Record<ControlCommand, CommandHelp> = {
  status: help(
    'status',
    "show a campaign's state, versions, sends and audit trail",
    'CAMPAIGN-ID [--api URL] [--token T] [--json]',
    [
      'Shows the state (draft, approved, running, paused, completed, cancelled), the versions',
      'planned and which one is approved, the sends and who changed what, when and why.',
    ],
    [],
    [
      'campaign status d11-2026',
      'campaign status d11-2026\n--api https://abc123.execute-api.ap-northeast-1.amazonaws.com',
    ],
  ),
  approve: help(
    'approve',
    'approve one planned version of a campaign: it is scheduled and sent',
    'CAMPAIGN-ID --version N [--api URL] [--token T]',
    [
      'Schedules exactly that version. Refused (exit 2) when a newer version was planned (the',
      'message names it), or when its first send is already past its window.',
    ],
    [
      {
        flag: '--version N',
        text: 'the version to approve, as campaign status lists it',
        required: true,
        zh: { text: '要批准的版本号，即 campaign status 列出的版本' },
      },
    ],
    ['campaign approve d11-2026 --version 2'],
  ),
  pause: help(
    'pause',
    'pause a campaign or one wave: nothing more is sent until it is resumed',
    'CAMPAIGN-ID [--wave ID] [--reason TEXT] [--api URL] [--token T]',
    ['Takes effect within a second on every send worker, also in the middle of a send.'],
    [WAVE_HELP('pause'), REASON_HELP],
    ['campaign pause d11-2026 --wave midnight --reason "wrong price"'],
  ),
  resume: help(
    'resume',
    'resume a paused campaign or wave where it stopped',
    'CAMPAIGN-ID [--wave ID] [--api URL] [--token T]',
    [
      'Nobody gets a message twice; a message that would now land outside its window (quiet',
      'hours, the next wave, too long after its time) is dropped as expired, not sent stale.',
    ],
    [WAVE_HELP('resume')],
    ['campaign resume d11-2026'],
  ),
  cancel: help(
    'cancel',
    'cancel a campaign or one wave for good: every unsent message is dropped',
    'CAMPAIGN-ID --yes [--wave ID] [--reason TEXT] [--api URL] [--token T]',
    ['Irreversible: the unsent messages are dropped as cancelled and the schedules deleted.', 'Refused without --yes.'],
    [
      {
        flag: '--yes',
        text: 'confirm: cancelling cannot be undone',
        required: true,
        zh: { text: '确认：取消后无法撤销' },
      },
      WAVE_HELP('cancel'),
      REASON_HELP,
    ],
    ['campaign cancel d11-2026 --yes --reason "campaign withdrawn"'],
  ),
  'test-send': help(
    'test-send',
    "send a wave's real messages to your own phones and addresses, marked as tests",
    'CAMPAIGN-ID --wave ID --to ADDRESS [--to ADDRESS ...] [--group G] [--api URL] [--token T]',
    [
      'Each variant a customer could get (mobile and PC link, with a name and with the fallback',
      "亲): SMS to each phone, email to each address, from the latest version's texts. Only",
      "addresses in the campaign file's testRecipients (at most 10 a request); anything else is",
      'refused and nothing is sent. Tests count against no cap and never appear in the report.',
    ],
    [
      {
        flag: '--wave ID',
        text: 'the wave whose messages to send',
        required: true,
        zh: { text: '要发送其消息的波次' },
      },
      {
        flag: '--to ADDRESS',
        text: 'a phone (+8613800138000 or 13800138000) or an email address listed in\ntestRecipients; give it once per recipient',
        required: 'at least once',
        zh: {
          text: 'testRecipients 中列出的手机号（+8613800138000 或 13800138000）或邮箱地址；\n每个收件人给一次',
          required: '至少一次',
        },
      },
      {
        flag: '--group G',
        text: "whose SMS text to send: a customer group (d11-only, unpaid, ...) gets exactly\nthat group's text, care the wave's care text (phones only)",
        default: "the first group of the wave's audience",
        zh: {
          text: '发送哪个客群的短信文案：客群（d11-only、unpaid……）收到的正是该客群的文案，\ncare 为该波次的关怀短信（仅手机号）',
          default: '波次受众中的第一个客群',
        },
      },
    ],
    ['campaign test-send d11-2026 --wave presale --to +8613800138000 --to me@store.cn'],
  ),
};

type Values = Record<string, string | boolean | string[] | undefined>;

interface Parsed {
  campaignId: string;
  values: Values;
  client: ApiClient;
  base: URL;
}

function parse(command: ControlCommand, args: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args,
    options: CONTROL_OPTIONS[command],
    allowPositionals: true,
    strict: true,
  });
  const [campaignId] = positionals;
  if (campaignId === undefined || positionals.length > 1) {
    throw new UsageError('CAMPAIGN-ID: give exactly one campaign id, e.g. d11-2026', {
      showUsage: true,
      zh: 'CAMPAIGN-ID：请给恰好一个活动 ID，例如 d11-2026',
    });
  }
  if (!CAMPAIGN_ID.test(campaignId)) {
    throw new UsageError(`CAMPAIGN-ID: "${campaignId}" is not a campaign id (letters, digits, - or _)`, {
      zh: `CAMPAIGN-ID："${campaignId}" 不是活动 ID（字母、数字、- 或 _）`,
    });
  }
  const given = values as Values;
  const base = apiBase(given.api as string | undefined);
  const token = bearerToken(base, given.token as string | undefined);
  const client = new ApiClient({ base, ...(token ? { token } : {}) });
  return { campaignId, values: given, client, base };
}

/** `{"fields": [{path, message}]}` (the API's refusals), `{"errors": [...]}` (the webhook's): every field error an answer names. */
function fieldErrors(body: unknown): string[] {
  if (body === null || typeof body !== 'object') return [];
  const record = body as Record<string, unknown>;
  const list = record.fields ?? record.errors;
  if (Array.isArray(list)) {
    return list.map((item) => {
      if (typeof item === 'string') return item;
      const { path, message: english, messageZh } = item as { path?: unknown; message?: unknown; messageZh?: unknown };
      // The API gives each field's Chinese beside its English.
      const message = cliLang() === 'zh' && typeof messageZh === 'string' ? messageZh : english;
      const where = Array.isArray(path) ? path.join('.') : path;
      return where ? `${String(where)}: ${String(message)}` : String(message);
    });
  }
  if (list && typeof list === 'object') {
    return Object.entries(list as Record<string, unknown>).map(([path, message]) => `${path}: ${String(message)}`);
  }
  return [];
}

function messageOf(answer: ApiAnswer): string {
  const body = answer.body;
  if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    const { error, message, ...details } = body as { error?: unknown; message: string } & RefusalDetails;
    return refusalText(error, message, details);
  }
  return typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : `HTTP ${answer.status}`;
}

/** Calls the API; prints a refusal or failure on stderr and returns its exit code, or undefined when it went well. */
async function call(
  command: ControlCommand,
  parsed: Parsed,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ answer: ApiAnswer } | { exit: number }> {
  const name = `campaign ${command}`;
  let answer: ApiAnswer;
  try {
    answer = await parsed.client.call(method, path, body);
  } catch (error) {
    if (!(error instanceof ApiUnreachableError)) throw error;
    const local = ['127.0.0.1', 'localhost', '[::1]'].includes(error.base.hostname);
    const hints = CALL_HINTS[cliLang()];
    const said = cliLang() === 'zh' ? `${hints.unreachable} ${error.base.origin}` : error.message;
    process.stderr.write(`${name}: ${said}\n${local ? hints.localHint : hints.remoteHint}\n`);
    return { exit: 1 };
  }
  if (answer.status >= 200 && answer.status < 300) return { answer };
  const lines = [
    `${name}: ${messageOf(answer)} (HTTP ${answer.status})`,
    ...fieldErrors(answer.body).map((l) => `  ${l}`),
  ];
  if (answer.status === 401) {
    lines.push(`${CALL_HINTS[cliLang()].tokenHint}${cliLang() === 'zh' ? TOKEN_HINT_ZH : TOKEN_HINT}`);
  }
  process.stderr.write(`${lines.join('\n')}\n`);
  return { exit: answer.status >= 400 && answer.status < 500 ? 2 : 1 };
}

function print(values: Values, answer: ApiAnswer, summary: () => string[]): number {
  if (values.quiet) return 0;
  const text = values.json ? [JSON.stringify(answer.body, null, 2)] : summary();
  process.stdout.write(`${text.join('\n')}\n`);
  return 0;
}

/** The words of the summaries a control command prints, in the run's language (scripts read `--json`). */
const SUMMARY: Record<
  Lang,
  {
    wave: (id: string) => string;
    version: (n: string | number) => string;
    now: (state: string) => string;
    unchanged: string;
    latest: (latest: number, approved: number | undefined) => string;
    pausedWaves: string;
    cancelledWaves: string;
    versions: string;
    planned: (at: string, by: string | undefined) => string;
    estimate: (cny: string) => string;
    approvedMark: string;
    sends: (count: number, byState: string) => string;
    customers: (n: number | string) => string;
    audit: string;
    by: (actor: string) => string;
    testOf: (
      wave: string,
      version: number | undefined,
      group: string | undefined,
      sent: number,
      failed: number,
    ) => string;
    sent: string;
    failed: string;
    sep: string;
  }
> = {
  zh: {
    wave: (id) => `波次 ${id} `,
    version: (n) => `版本 ${n}`,
    now: (state) => `；当前${state}`,
    unchanged: '（本来就是：未做任何修改）',
    latest: (latest, approved) =>
      `  最新版本 ${latest}${approved !== undefined ? `，已批准版本 ${approved}` : '，尚无已批准版本'}`,
    pausedWaves: '  已暂停的波次：',
    cancelledWaves: '  已取消的波次：',
    versions: '版本：',
    planned: (at, by) => `规划于 ${at}${by ? `，由 ${by}` : ''}`,
    estimate: (cny) => `  预计 ${cny} 元`,
    approvedMark: '  （已批准）',
    sends: (count, byState) => `发送批次：${count}（${byState}）`,
    customers: (n) => `${n} 位客户`,
    audit: '审计记录：',
    by: (actor) => `操作人 ${actor}`,
    testOf: (wave, version, group, sent, failed) =>
      `波次 ${wave} 的测试${version !== undefined ? `（版本 ${version}）` : ''}${group !== undefined ? `，${group} 的文案` : ''}：发送 ${sent} 条，失败 ${failed} 条`,
    sent: '已发送',
    failed: '失败  ',
    sep: '、',
  },
  en: {
    wave: (id) => `wave ${id} `,
    version: (n) => `version ${n}`,
    now: (state) => `; now ${state}`,
    unchanged: ' (it already was: nothing changed)',
    latest: (latest, approved) =>
      `  latest version ${latest}${approved !== undefined ? `, approved version ${approved}` : ', none approved'}`,
    pausedWaves: '  paused waves: ',
    cancelledWaves: '  cancelled waves: ',
    versions: 'versions:',
    planned: (at, by) => `planned ${at}${by ? ` by ${by}` : ''}`,
    estimate: (cny) => `  est. ${cny} CNY`,
    approvedMark: '  (approved)',
    sends: (count, byState) => `sends: ${count} (${byState})`,
    customers: (n) => `${n} customers`,
    audit: 'audit trail:',
    by: (actor) => `by ${actor}`,
    testOf: (wave, version, group, sent, failed) =>
      `test of wave ${wave}${version !== undefined ? ` (version ${version})` : ''}${group !== undefined ? `, the text of ${group}` : ''}: ${sent} sent, ${failed} failed`,
    sent: 'sent  ',
    failed: 'FAILED',
    sep: ', ',
  },
};

/** A campaign state, an action or a send's state in the run's language (the code as written when unknown). */
const stateWord = (code: string) => nameOf(STATE_NAMES, code, cliLang());

interface AuditLine {
  at?: string;
  actor?: string;
  action?: string;
  from?: string | null;
  to?: string;
  version?: number;
  waveId?: string;
  reason?: string;
}

const local = (iso: string | undefined) =>
  iso && !Number.isNaN(Date.parse(iso)) ? formatInstant(Date.parse(iso), TIME_ZONE) : (iso ?? '?');

function auditLine(entry: AuditLine): string {
  const w = SUMMARY[cliLang()];
  const lang = cliLang();
  const change =
    entry.from && entry.from !== entry.to
      ? `${stateWord(entry.from)} -> ${stateWord(entry.to ?? '')}`
      : entry.to
        ? stateWord(entry.to)
        : '';
  const action = lang === 'zh' ? nameOf(ACTION_NAMES, entry.action ?? '?', lang) : (entry.action ?? '?');
  return [
    `  ${local(entry.at)}`,
    `${action}${entry.waveId ? ` ${w.wave(entry.waveId).trim()}` : ''}${entry.version !== undefined ? ` v${entry.version}` : ''}`,
    change,
    w.by(entry.actor ?? '?'),
    entry.reason ? `(${entry.reason})` : '',
  ]
    .filter((part) => part !== '')
    .join('  ');
}

/** The state, versions, sends and audit trail of `GET /campaigns/{id}`, as lines. */
export function statusSummary(campaignId: string, body: unknown): string[] {
  const status = (body ?? {}) as {
    state?: string;
    latestVersion?: number;
    approvedVersion?: number;
    version?: number;
    pausedWaves?: string[];
    cancelledWaves?: string[];
    versions?: Array<{ version: number; plannedAt?: string; plannedBy?: string; cost?: { totalCny?: number } }>;
    sends?: Array<{ id: string; channel?: string; at?: string; customers?: number; state?: string; version?: number }>;
    audit?: AuditLine[];
  };
  const w = SUMMARY[cliLang()];
  const lines = [
    `campaign ${campaignId}: ${status.state ? stateWord(status.state) : cliLang() === 'zh' ? '已规划' : 'planned'}`,
  ];
  const latest = status.latestVersion ?? status.version;
  if (latest !== undefined) lines.push(w.latest(latest, status.approvedVersion));
  if (status.pausedWaves?.length) lines.push(`${w.pausedWaves}${status.pausedWaves.join(w.sep)}`);
  if (status.cancelledWaves?.length) lines.push(`${w.cancelledWaves}${status.cancelledWaves.join(w.sep)}`);
  if (status.versions?.length) {
    lines.push('', w.versions);
    for (const v of status.versions) {
      const cost = v.cost?.totalCny !== undefined ? w.estimate(v.cost.totalCny.toFixed(2)) : '';
      const mark = v.version === status.approvedVersion ? w.approvedMark : '';
      lines.push(`  v${v.version}  ${w.planned(local(v.plannedAt), v.plannedBy)}${cost}${mark}`);
    }
  }
  if (status.sends?.length) {
    const byState = new Map<string, number>();
    for (const send of status.sends) byState.set(send.state ?? '?', (byState.get(send.state ?? '?') ?? 0) + 1);
    lines.push('', w.sends(status.sends.length, [...byState].map(([state, n]) => `${n} ${state}`).join(w.sep)));
    for (const send of status.sends) {
      lines.push(
        `  ${local(send.at)}  ${send.id}  ${w.customers(send.customers ?? '?')}  ${send.state ?? ''}${send.version !== undefined ? `  v${send.version}` : ''}`.trimEnd(),
      );
    }
  }
  if (status.audit?.length) {
    lines.push('', w.audit);
    for (const entry of status.audit) lines.push(auditLine(entry));
  }
  return lines;
}

/** What a change did, as its summary says it: `version 2 approved`, `wave midnight paused`, `已暂停波次 midnight`. */
function changeWhat(action: 'approve' | 'pause' | 'resume' | 'cancel', wave?: string, version?: string): string {
  const lang = cliLang();
  const w = SUMMARY[lang];
  const done = lang === 'zh' ? `已${ACTION_NAMES[action].zh}` : ACTION_NAMES[action].en;
  const what = version !== undefined ? w.version(version) : wave ? w.wave(wave).trim() : '';
  if (lang === 'zh') return `${done}${what}`;
  return version !== undefined ? `${what} ${done}` : `${wave ? w.wave(wave) : ''}${done}`;
}

/** A change's answer: the state it left, and the entry it added to the audit trail when the API says. */
function changeSummary(campaignId: string, what: string, body: unknown): string[] {
  const answer = (body ?? {}) as { state?: string; entry?: AuditLine; audit?: AuditLine[]; changed?: boolean };
  const entry = answer.entry ?? answer.audit?.at(-1);
  const w = SUMMARY[cliLang()];
  return [
    `campaign ${campaignId}: ${what}${answer.state ? w.now(stateWord(answer.state)) : ''}${answer.changed === false ? w.unchanged : ''}`,
    ...(entry ? [auditLine(entry)] : []),
  ];
}

const path = (campaignId: string, action = '') => `/campaigns/${encodeURIComponent(campaignId)}${action}`;

async function run(command: ControlCommand, args: string[]): Promise<number> {
  const parsed = parse(command, args);
  const { campaignId, values } = parsed;
  const wave = values.wave as string | undefined;
  const reason = values.reason as string | undefined;
  const optional = { ...(wave ? { waveId: wave } : {}), ...(reason ? { reason } : {}) };
  switch (command) {
    case 'status': {
      const result = await call(command, parsed, 'GET', path(campaignId));
      return 'exit' in result
        ? result.exit
        : print(values, result.answer, () => statusSummary(campaignId, result.answer.body));
    }
    case 'approve': {
      const text = values.version as string | undefined;
      if (text === undefined)
        throw new UsageError('--version: give the version to approve (campaign status lists them)', {
          showUsage: true,
          zh: '--version：请给出要批准的版本（campaign status 会列出）',
        });
      if (!/^[1-9]\d{0,8}$/.test(text))
        throw new UsageError(`--version: "${text}" is not a version number (1, 2, ...)`, {
          zh: `--version："${text}" 不是版本号（1、2……）`,
        });
      const result = await call(command, parsed, 'POST', path(campaignId, '/approve'), { version: Number(text) });
      return 'exit' in result
        ? result.exit
        : print(values, result.answer, () =>
            changeSummary(campaignId, changeWhat('approve', undefined, text), result.answer.body),
          );
    }
    case 'pause':
    case 'resume': {
      const result = await call(command, parsed, 'POST', path(campaignId, `/${command}`), optional);
      const what = changeWhat(command, wave);
      return 'exit' in result
        ? result.exit
        : print(values, result.answer, () => changeSummary(campaignId, what, result.answer.body));
    }
    case 'cancel': {
      if (!values.yes) {
        throw new UsageError(
          `--yes: cancelling ${wave ? `wave ${wave} of ` : ''}${campaignId} cannot be undone (every unsent message is dropped); add --yes to confirm`,
          {
            zh: `--yes：取消${wave ? `${campaignId} 的波次 ${wave}` : ` ${campaignId}`}后无法撤销（所有未发送的消息都会被丢弃）；加 --yes 确认`,
          },
        );
      }
      const result = await call(command, parsed, 'POST', path(campaignId, '/cancel'), optional);
      const what = changeWhat('cancel', wave);
      return 'exit' in result
        ? result.exit
        : print(values, result.answer, () => changeSummary(campaignId, what, result.answer.body));
    }
    case 'test-send': {
      const to = (values.to as string[] | undefined) ?? [];
      if (!wave)
        throw new UsageError('--wave: give the wave whose messages to send', {
          showUsage: true,
          zh: '--wave：请给出要发送其消息的波次',
        });
      if (to.length === 0)
        throw new UsageError('--to: give at least one phone or email address from testRecipients', {
          showUsage: true,
          zh: '--to：请至少给一个 testRecipients 中的手机号或邮箱地址',
        });
      const group = values.group as string | undefined;
      const result = await call(command, parsed, 'POST', path(campaignId, '/test-send'), {
        waveId: wave,
        to,
        ...(group === undefined ? {} : { group }),
      });
      return 'exit' in result
        ? result.exit
        : print(values, result.answer, () => testSendSummary(campaignId, wave, result.answer.body));
    }
  }
}

function testSendSummary(campaignId: string, waveId: string, body: unknown): string[] {
  const answer = (body ?? {}) as {
    version?: number;
    group?: string;
    sent?: Array<{ to: string; channel: string; variant: string; messageId: string }>;
    failed?: Array<{ to: string; channel: string; variant: string; reason: string }>;
  };
  const sent = answer.sent ?? [];
  const failed = answer.failed ?? [];
  const w = SUMMARY[cliLang()];
  return [
    `campaign ${campaignId}: ${w.testOf(waveId, answer.version, answer.group, sent.length, failed.length)}`,
    ...sent.map((m) => `  ${w.sent}  ${m.channel.padEnd(5)}  ${m.to}  ${m.variant}  ${m.messageId}`),
    ...failed.map((m) => `  ${w.failed}  ${m.channel.padEnd(5)}  ${m.to}  ${m.variant}  ${m.reason}`),
  ];
}

export const CONTROL_COMMANDS = Object.fromEntries(
  (Object.keys(CONTROL_OPTIONS) as ControlCommand[]).map((command) => [
    command,
    { help: CONTROL_HELP[command], run: (args: string[]) => run(command, args) },
  ]),
) as Record<ControlCommand, { help: CommandHelp; run: (args: string[]) => Promise<number> }>;
