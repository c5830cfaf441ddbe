/**
 * The console's campaign page as pure data: what the marketer sees and may do, decided from
 * the campaign's lifecycle, its latest planned version and the time. No markup here (page.ts
 * renders it); every action offered is one the lifecycle would accept now, so no button is dead.
 */
import { REQUIRED_ROLE, type Role } from '../../contract.ts';
import type { Campaign } from '../../domain/campaign.ts';
import { type AuditEntry, type CampaignState, decide, type Lifecycle } from '../../domain/campaign-lifecycle.ts';
import { fieldMessageZh } from '../../domain/field-texts.ts';
import { groupName, warningTexts } from '../../domain/i18n.ts';
import { wallClockAt } from '../../domain/local-time.ts';
import type { CostEstimate, PlanDiff } from '../../domain/plan-review.ts';
import { formatCount } from '../../domain/text.ts';
import type { Timeline } from '../../domain/timeline.ts';
import type { PlanRunView, StoredVersion } from '../../ports/lifecycle-store.ts';
import { testSendGroups, type WaveMessages, waveMessages } from '../../usecases/wave-messages.ts';
import { type SubGroupRow, subGroupRows } from '../sub-group-rows.ts';
import { formatWhen } from './format.ts';
import type { Lang } from './words.ts';

export interface ConsoleActions {
  /** The version an approval would schedule: the latest, when it is not approved yet. */
  approve?: { version: number; costCny: number };
  pause: boolean;
  resume: boolean;
  cancel: boolean;
  /**
   * Waves, with the texts a test of each can choose (group codes and `care`; empty when the
   * wave has one text for all), and the campaign's own test recipients; absent when a test
   * send is not possible now.
   */
  testSend?: { waves: Array<{ id: string; groups: string[] }>; recipients: string[] };
  /** True when the campaign file lists no test recipients (the page says how to add them). */
  testSendNeedsRecipients: boolean;
}

export interface WaveRow {
  id: string;
  smsAt: string;
  emailAt?: string;
  midnight: boolean;
  stopOnPurchase: boolean;
  audience: string[];
  audienceSize: number;
  control: number;
  planned: { sms: number; email: number };
  dropped: Array<[string, number]>;
  sends: Array<{ id: string; channel: 'sms' | 'email'; at: string; group: number; slice: number; customers: number }>;
  messages: WaveMessages;
}

export interface PlanModel {
  version: number;
  plannedAt: string;
  plannedBy: string;
  timezone: string;
  /** The marketer's own names for groups, segments and tiers. */
  groupLabels: Readonly<Record<string, string>>;
  prices: Campaign['prices'];
  cost: CostEstimate;
  warnings: string[];
  diff?: PlanDiff;
  /** The plan's playbook groups with customers, and the dormant and churned groups' sub-groups. */
  groups: Array<{ code: string; name: string; count: string }>;
  subGroups: SubGroupRow[];
  waves: WaveRow[];
}

export interface CampaignPageModel {
  lang: Lang;
  campaignId: string;
  /** False before the first plan: the page offers the imports and the campaign file only. */
  exists: boolean;
  state?: CampaignState;
  latestVersion?: number;
  approvedVersion?: number;
  pausedWaves: string[];
  cancelledWaves: string[];
  actions: ConsoleActions;
  plan?: PlanModel;
  /** The latest version's campaign file, as the editor's starting text. */
  campaignFile: string;
  /** Newest first, the last 20. */
  audit: AuditEntry[];
  timezone: string;
  /** Sharded plans of newer versions, oldest first: still planning, or refused with why. */
  planning: PlanRunModel[];
}

export interface PlanRunModel {
  version: number;
  shards: string;
  customers: string;
  /** When it started, in the campaign's zone. */
  startedAt: string;
  /** Why it was refused, each problem as `<path>: <message>` in the page's language; absent while it plans. */
  refused?: string[];
}

export interface CampaignPageInput {
  lang: Lang;
  campaignId: string;
  lifecycle?: Lifecycle;
  latest?: StoredVersion;
  runs?: readonly PlanRunView[];
  now: number;
  /** The caller's roles: an action their role may not take is not offered. */
  roles: readonly Role[];
}

const NO_ACTIONS: ConsoleActions = { pause: false, resume: false, cancel: false, testSendNeedsRecipients: false };

/** A first campaign file for a campaign not planned yet: valid as it is once its segments are imported. */
export function starterCampaignFile(campaignId: string, now: number): string {
  const year = wallClockAt(now, 'Asia/Shanghai').year;
  return `${JSON.stringify(
    {
      id: campaignId,
      midnight: `${year}-11-11T00:00`,
      waves: [
        { id: 'presale', sms: `${year}-11-05T12:00`, audience: ['*'] },
        { id: 'midnight', sms: 'midnight', audience: ['*'] },
      ],
      testRecipients: [],
    },
    null,
    2,
  )}\n`;
}

function planRunsOf(runs: readonly PlanRunView[] | undefined, timeZone: string, lang: Lang): PlanRunModel[] {
  return (runs ?? []).map((run) => ({
    version: run.version,
    shards: formatCount(run.shards),
    customers: formatCount(run.customers),
    startedAt: formatWhen(run.startedAt, timeZone, lang),
    ...(run.refused
      ? {
          refused: run.refused.map(
            (problem) => `${problem.path}: ${lang === 'zh' ? fieldMessageZh(problem.message) : problem.message}`,
          ),
        }
      : {}),
  }));
}

export function campaignPageModel(input: CampaignPageInput): CampaignPageModel {
  const { lifecycle, latest, lang, campaignId, now } = input;
  if (!lifecycle || !latest) {
    return {
      lang,
      campaignId,
      exists: false,
      pausedWaves: [],
      cancelledWaves: [],
      actions: NO_ACTIONS,
      campaignFile: starterCampaignFile(campaignId, now),
      audit: [],
      timezone: 'Asia/Shanghai',
      planning: planRunsOf(input.runs, 'Asia/Shanghai', lang),
    };
  }
  const { campaign, timeline } = latest;
  return {
    lang,
    campaignId,
    exists: true,
    state: lifecycle.state,
    latestVersion: lifecycle.latestVersion,
    ...(lifecycle.approvedVersion === undefined ? {} : { approvedVersion: lifecycle.approvedVersion }),
    pausedWaves: lifecycle.pausedWaves,
    cancelledWaves: lifecycle.cancelledWaves,
    actions: actionsFor(lifecycle, latest, now, input.roles),
    plan: planModel(latest, campaign, timeline, lang),
    campaignFile: `${JSON.stringify(campaign, null, 2)}\n`,
    audit: [...lifecycle.audit].reverse().slice(0, 20),
    timezone: campaign.timezone,
    planning: planRunsOf(input.runs, campaign.timezone, lang),
  };
}

/** What the lifecycle would accept now: asked of the same decision the API makes. */
function actionsFor(lifecycle: Lifecycle, latest: StoredVersion, now: number, roles: readonly Role[]): ConsoleActions {
  const may = (action: 'approve' | 'pause' | 'resume' | 'cancel' | 'test-send') =>
    roles.includes(REQUIRED_ROLE[`POST /campaigns/{id}/${action}`]);
  const context = {
    campaignId: lifecycle.campaignId,
    now,
    actor: 'console',
    waveIds: latest.campaign.waves.map((wave) => wave.id),
  };
  const would = (command: Parameters<typeof decide>[1]) => {
    const decision = decide(lifecycle, command, context);
    return decision.ok && decision.changed;
  };
  const approvable =
    may('approve') &&
    lifecycle.approvedVersion !== lifecycle.latestVersion &&
    would({ kind: 'approve', version: lifecycle.latestVersion, graceMs: Number.MAX_SAFE_INTEGER });
  const recipients = latest.campaign.testRecipients;
  const testable =
    may('test-send') &&
    decide(lifecycle, { kind: 'test-send', waveId: latest.campaign.waves[0]?.id ?? '', recipients: 1 }, context).ok;
  return {
    ...(approvable ? { approve: { version: lifecycle.latestVersion, costCny: latest.cost.totalCny } } : {}),
    pause: may('pause') && would({ kind: 'pause' }),
    resume: may('resume') && would({ kind: 'resume' }),
    cancel: may('cancel') && would({ kind: 'cancel' }),
    ...(testable && recipients.length > 0
      ? {
          testSend: {
            waves: latest.campaign.waves.map((wave) => ({ id: wave.id, groups: testSendGroups(wave) })),
            recipients: [...recipients],
          },
        }
      : {}),
    testSendNeedsRecipients: testable && recipients.length === 0,
  };
}

function planModel(latest: StoredVersion, campaign: Campaign, timeline: Timeline, lang: Lang): PlanModel {
  return {
    version: latest.version,
    plannedAt: latest.plannedAt,
    groupLabels: campaign.groupLabels ?? {},
    plannedBy: latest.plannedBy,
    timezone: campaign.timezone,
    prices: campaign.prices,
    cost: latest.cost,
    warnings: warningTexts(timeline, lang),
    ...(latest.diff ? { diff: latest.diff } : {}),
    groups: Object.entries(timeline.summary?.groups ?? {})
      .filter(([, count]) => typeof count === 'number' && count > 0)
      .map(([code, count]) => ({ code, name: groupName(code, lang, campaign.groupLabels), count: formatCount(count) })),
    subGroups: subGroupRows(timeline.summary, lang, campaign.groupLabels),
    waves: timeline.waves.map((summary) => {
      const wave = campaign.waves.find((candidate) => candidate.id === summary.id);
      return {
        id: summary.id,
        smsAt: summary.smsAt,
        ...(summary.emailAt ? { emailAt: summary.emailAt } : {}),
        midnight: summary.midnight,
        stopOnPurchase: summary.stopOnPurchase,
        audience: summary.audience,
        audienceSize: summary.audience_size,
        control: summary.control,
        planned: summary.planned,
        dropped: Object.entries(summary.dropped).sort((a, b) => b[1] - a[1]),
        sends: timeline.sends
          .filter((send) => send.waveId === summary.id)
          .map(({ id, channel, at, group, slice, customers }) => ({ id, channel, at, group, slice, customers })),
        messages: wave ? waveMessages(campaign, wave) : { waveId: summary.id, sms: [], email: [] },
      };
    }),
  };
}
