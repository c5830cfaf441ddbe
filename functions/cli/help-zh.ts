/**
 * `campaign --help` in Simplified Chinese (the CLI's default language; `--lang en` or
 * CAMPAIGN_LANG=en gives the English): the overview, the section headings and, per command,
 * what it does. Keyed by the command names, so a command without its Chinese does not compile.
 * Each option's Chinese sits beside its English in the command's help (OptionHelp.zh); flags
 * and examples stay as they are: they are what a script copies.
 */
import type { Lang } from '../domain/i18n.ts';
import type { ControlCommand } from './control-commands.ts';

export type CliCommand = 'plan' | 'sample' | 'import' | 'simulate' | ControlCommand;

export interface HelpWords {
  usage: string;
  options: string;
  writes: string;
  exitCodes: string;
  example: string;
  examples: string;
  required: string;
  default: string;
  /** Between a note's parts (`required, at least once`) and after its label (`default: off`). */
  comma: string;
  colon: string;
  parens: (text: string) => string;
  /** The line under a wrong command line: where the whole help is. */
  moreHelp: (name: string) => string;
  overview: {
    title: string;
    commands: string;
    lines: (langEnv: string) => string[];
  };
}

export const HELP_WORDS: Record<Lang, HelpWords> = {
  zh: {
    usage: '用法',
    options: '选项',
    writes: '输出',
    exitCodes: '退出码',
    example: '示例',
    examples: '示例',
    required: '必填',
    default: '默认',
    comma: '，',
    colon: '：',
    parens: (text) => `（${text}）`,
    moreHelp: (name) => `（${name} --help 说明每个选项）`,
    overview: {
      title: 'campaign：在命令行里规划、试跑和执行双11活动',
      commands: '命令',
      lines: (langEnv) => [
        '结果写到 stdout；进度、提醒和错误写到 stderr。',
        `提示信息默认中文；任何命令加 --lang en（或设置 ${langEnv}=en）改为英文。`,
        '退出码：0 成功；2 输入有误或请求被拒绝（信息会指出字段、路径、行或状态）；',
        '1 意外错误（或接口出错、无法连接）。',
      ],
    },
  },
  en: {
    usage: 'usage',
    options: 'options',
    writes: 'writes',
    exitCodes: 'exit codes',
    example: 'example',
    examples: 'examples',
    required: 'required',
    default: 'default',
    comma: ', ',
    colon: ': ',
    parens: (text) => `(${text})`,
    moreHelp: (name) => `(${name} --help explains every option)`,
    overview: {
      title: 'campaign: plan, try and run a Double-11 campaign from the command line',
      commands: 'commands',
      lines: (langEnv) => [
        'Results go to stdout; progress, warnings and errors to stderr.',
        `Messages are in Chinese; --lang en on any command (or ${langEnv}=en) prints them in English.`,
        'Exit codes: 0 success, 2 invalid input or a refused request (the message names the field, path,',
        'line or state), 1 unexpected (or the API failed or could not be reached).',
      ],
    },
  },
};

/** What each command does, in Chinese: its one-line summary and the lines before its options. */
export const COMMAND_TEXTS_ZH: Record<CliCommand, { summary: string; description: string[] }> = {
  plan: {
    summary: '离线规划一个活动（不需要 AWS 和服务器），写出它的时间线',
    description: [
      '读取活动文件和每个客群文件，把客户分进运营客群，在触达上限和免打扰时段内排好各波次，',
      '写出计划。坏行逐行拒绝（rejects.jsonl），好行照常规划。相同的输入和 --now 写出完全相同的文件。',
      '摘要写到 stdout；进度和提醒写到 stderr。',
    ],
  },
  sample: {
    summary: '生成一份模拟的店铺导出（客群文件），用来试用规划器',
    description: [
      '按店铺 CRM 的导出格式写一个 CSV：客群文件的每一列、各运营客群的客户、中文姓名、手机端和',
      '仅 PC 端客户、已退订客户，以及几行故意写错的数据，便于查看拒绝行。相同选项写出相同字节。',
      '加 --orders 时还为这些客户写出订单 webhook 事件，供 `campaign simulate --orders` 使用：',
      '一部分是客户本来就会下的单，一部分是因为收到消息才下的单（--uplift），报告因此能对照',
      '对照组算出活动带来的增量。它按 --now 为这些客户规划活动，以知道每个波次触达谁：',
      '请给 simulate 相同的 --campaign 和 --now。写出的内容在 stdout；进度在 stderr。',
    ],
  },
  import: {
    summary: '把客群文件上传到正在运行的本地环境，并跟踪导入进度',
    description: [
      '需要另一个终端里正在运行 `npm start`（会检查 GET /health）。把 FILE 像营销人员上传到',
      '数据桶那样上传到本地 S3 的 segments/<活动>/<客群>.<扩展名>；S3 事件触发导入处理程序，',
      '客户写入本地 DynamoDB，被拒绝的行写到 reports/<key>.rejects.jsonl。它等待导入记录并',
      '在 stdout 打印（进度在 stderr）：哪个表头对应哪一列、哪些被忽略、掩码了多少手机号。',
      '同一文件再导入一次不会改变任何数据。表头按名称或内置别名匹配（客户ID、手机号、',
      '最近下单时间……）；其他列用 --columns 映射。',
    ],
  },
  simulate: {
    summary: '在内置的本地服务上、用虚拟时钟完整跑一遍活动',
    description: [
      '启动自己的本地 DynamoDB、S3、SES、短信接收端和调度器（空闲端口，不保留任何数据），运行真实的',
      '处理程序：每个客群文件上传到本地 S3 并导入，活动文件上传后规划成草稿，再以 "simulate" 的',
      '身份像营销人员一样批准；本地调度器在离散的虚拟时钟上从 --now 到最后一次发送逐一触发，',
      '发送处理程序投递到本地短信接收端和 SES，每个订单事件在其时间点签名后发到本地订单 webhook。',
      '相同输入写出完全相同的文件，与机器快慢无关。不需要 AWS 账号。',
      '摘要写到 stdout；进度和提醒写到 stderr。',
    ],
  },
  status: {
    summary: '查看活动的状态、版本、发送和审计记录',
    description: [
      '显示状态（草稿、已批准、发送中、已暂停、已完成、已取消）、已规划的版本和已批准的版本、',
      '各批发送，以及谁在何时因何改了什么。',
    ],
  },
  approve: {
    summary: '批准活动的某个规划版本：它会被排期并发送',
    description: [
      '只排期这个版本。若之后又规划了更新的版本（信息会指出），或它的第一批发送已过窗口，则拒绝（退出码 2）。',
    ],
  },
  pause: {
    summary: '暂停整个活动或某个波次：恢复之前不再发送',
    description: ['一秒内在所有发送进程生效，发送进行中也一样。'],
  },
  resume: {
    summary: '从停下的地方恢复已暂停的活动或波次',
    description: [
      '没有人会收到两次消息；恢复后会落在窗口之外的消息（免打扰时段、下一个波次、离原定时间太久）',
      '按过期丢弃，不会迟发。',
    ],
  },
  cancel: {
    summary: '永久取消整个活动或某个波次：所有未发送的消息都被丢弃',
    description: ['不可撤销：未发送的消息按已取消丢弃，排期被删除。', '不加 --yes 会被拒绝。'],
  },
  'test-send': {
    summary: '把某个波次的真实消息发到你自己的手机和邮箱，标记为测试',
    description: [
      '客户可能收到的每个版本（手机端和 PC 端链接，带姓名和用“亲”代替）：按最新版本的文案给每个',
      '手机号发短信、给每个邮箱发邮件。只发给活动文件 testRecipients 中的地址（每次最多 10 个）；',
      '其他地址会被拒绝，且什么都不发。测试不计入任何上限，也不会出现在报告里。',
    ],
  },
};

/** Lines every command that talks to the API adds to its description, in Chinese. */
export const API_DESCRIPTION_ZH = [
  '它调用活动的 HTTP 接口：默认是本地的（npm start），或用 --api https://... 指定已部署的环境，',
  '以 --token 所给令牌的登录用户身份调用。',
];
