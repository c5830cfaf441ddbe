/**
 * The marketer's controls as a property: random sequences of uploads (a new draft version),
 * re-plans, approvals (of the current version and of stale ones), pause / resume / cancel
 * (the whole campaign or one wave), schedule firings (repeated, late, out of order, with a
 * stale version), repeated shard deliveries and worker crashes, played through the real use
 * cases (planDraft, approveCampaign, controlCampaign, dispatchSend, sendShard) on the
 * discrete VirtualClock, over dynalite (the stores have no in-memory version) and the local
 * SMS sink, scheduler and send queue.
 *
 * Checked from the outside only (what the sink accepted, the touches' final statuses, the
 * audit trail), never from the code's own decisions:
 * 1. every message carries the marker of the plan it came from; that plan's version was
 *    approved (an `approve` entry in the audit trail) before the message left;
 * 2. no message leaves more than 1 s after an accepted pause of its campaign or wave, until
 *    a resume is accepted;
 * 3. no message leaves more than 1 s after an accepted cancel of its campaign or wave, ever;
 * 4. no customer gets one wave's SMS twice, and a control group's member never gets that
 *    wave's SMS from the version that held them out;
 * 5. once every firing is delivered and the queue has drained, every touch of the live sends
 *    is sent, failed, unknown, suppressed, expired, cancelled or control, with a reason when
 *    it is not sent (a control touch's status is its reason), and a sent touch matches a
 *    message of the sink. A touch may stay `planned` only while its campaign or its wave is
 *    paused at the end (nothing resumed it) and not cancelled. Nothing dead-lettered;
 * 6. no message leaves later than its send's planned end plus the campaign's resume grace
 *    (what would is dropped as `expired`).
 *
 * A crash kills one worker invocation at a chosen step (after its Nth ledger claim, after
 * its Nth message reached the provider, before its outcomes are flushed, before the shard
 * is finished) or the dispatcher between enqueueing the shards and marking the send: from
 * then on every call it makes fails, as a dead process makes none; the queue redelivers the
 * message (after the dead worker's lease runs out) and the ledger's rule applies: a touch
 * claimed without an outcome ends `unknown`, never sent again. An approval, pause, resume or
 * cancel may die right after its lifecycle write (before the sends, schedules, re-dispatches
 * or sweeps that follow); its caller retries it a second later. Some runs have a provider
 * slower than the campaign's rate, so the workers are throttled and back off.
 *
 * Runs: PROPERTY_RUNS random sequences (default 10: 10-20 s on a busy 2-core machine,
 * 1-2 s a run) plus the pinned examples below. More, or one seed again:
 *   PROPERTY_RUNS=300 npx vitest run test/usecases/lifecycle-sequences.property.test.ts
 *   PROPERTY_SEED=<the seed fast-check printed> npx vitest run test/usecases/lifecycle-sequences.property.test.ts
 * A failure prints the shrunk command list, what each command did and every violation;
 * PROPERTY_VERBOSE=1 (with --silent=false) prints that for passing runs too.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { DynamoCampaignStore, DynamoTouchStore } from '../../functions/adapters/dynamo/campaign-store.ts';
import { DynamoLedger } from '../../functions/adapters/dynamo/ledger.ts';
import { DynamoLifecycleStore } from '../../functions/adapters/dynamo/lifecycle-store.ts';
import { DynamoOptOutStore } from '../../functions/adapters/dynamo/opt-out-store.ts';
import { DynamoPurchaseCheck } from '../../functions/adapters/dynamo/purchase-check.ts';
import { DynamoRateLimiter } from '../../functions/adapters/dynamo/rate-limiter.ts';
import { LocalSmsOptOuts } from '../../functions/adapters/local/opt-outs.ts';
import { LocalScheduler } from '../../functions/adapters/local/scheduler.ts';
import { InProcessSendQueue } from '../../functions/adapters/local/send-queue.ts';
import { LocalSmsSink } from '../../functions/adapters/local/sms-sink.ts';
import { type TimedSource, VirtualClock } from '../../functions/adapters/local/virtual-clock.ts';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor } from '../../functions/composition.ts';
import type { AuditEntry } from '../../functions/domain/campaign-lifecycle.ts';
import type { Customer } from '../../functions/domain/customer.ts';
import { CustomerSet } from '../../functions/domain/customer-set.ts';
import { mulberry32 } from '../../functions/domain/random.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import type { CampaignStore, Touch } from '../../functions/ports/campaign-store.ts';
import type { Clock } from '../../functions/ports/clock.ts';
import type { LifecycleStore } from '../../functions/ports/lifecycle-store.ts';
import type { Scheduler } from '../../functions/ports/scheduler.ts';
import { approveCampaign } from '../../functions/usecases/approve-campaign.ts';
import { controlCampaign } from '../../functions/usecases/control-campaign.ts';
import { CampaignError } from '../../functions/usecases/errors.ts';
import { controlSendId } from '../../functions/usecases/plan-campaign.ts';
import { planDraft } from '../../functions/usecases/plan-draft.ts';
import {
  type DispatchDeps,
  dispatchSend,
  type SendQueue,
  type SendShardDeps,
  sendShard,
} from '../../functions/usecases/send-wave.ts';

const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 10);
const SEED = process.env.PROPERTY_SEED === undefined ? undefined : Number(process.env.PROPERTY_SEED);

const START = Date.parse('2026-10-20T12:00:00+08:00');
const MINUTE = 60_000;
const CUSTOMERS = 10;
/** Slow enough that a send of 10 takes 4 s: a pause or crash lands in the middle of it. */
const SMS_RATE = 3;
const PAUSE_EFFECT_MS = 1_000;
const GRACE_MS = 30 * MINUTE;
const WAVES = ['warm', 'mid'] as const;
type WaveId = (typeof WAVES)[number];

/** The instants the commands gather around: the sends' seconds (both plans), later, the day after. */
const ANCHORS = {
  early: START + 10 * MINUTE,
  warmA: Date.parse('2026-11-05T12:00:00+08:00'),
  warmB: Date.parse('2026-11-05T14:00:00+08:00'),
  midnight: Date.parse('2026-11-11T00:00:00+08:00'),
  midnight20: Date.parse('2026-11-11T00:20:00+08:00'),
  midnight45: Date.parse('2026-11-11T00:45:00+08:00'),
  nextDay: Date.parse('2026-11-12T10:00:00+08:00'),
} as const;
type Anchor = keyof typeof ANCHORS;

// ---------------------------------------------------------------------------------------------
// The commands

type CrashMode = 'after-claim' | 'after-send' | 'before-flush' | 'before-finish' | 'dispatch-before-mark';

type Command =
  | { kind: 'plan'; variant: 'A' | 'B' }
  /**
   * `crashAfterCommit`: the function dies right after its lifecycle write (before the sends,
   * schedules, re-dispatches or sweeps that follow it); the caller retries a second later.
   */
  | { kind: 'approve'; which: 'latest' | 'previous' | 'first'; crashAfterCommit?: boolean }
  | {
      kind: 'pause' | 'resume' | 'cancel';
      wave?: WaveId;
      crashAfterCommit?: boolean;
      /** Generated pauses only: a resume of the same scope this long after (expanded before the run). */
      resumeAfterMs?: number;
    }
  /** A schedule's delivery: its own version, or one before (stale) or after it (a draft, maybe never approved). */
  | { kind: 'fire'; pick: number; version: 'own' | 'older' | 'newer' }
  | { kind: 'redeliver'; pick: number }
  | { kind: 'crash'; mode: CrashMode; after: number };

interface Timed {
  anchor: Anchor;
  /** Seconds from the anchor (the schedules fire 2 min before a send's second). */
  offsetMs: number;
  command: Command;
}

const at = (timed: Timed) => ANCHORS[timed.anchor] + timed.offsetMs;

function describeCommand(timed: Timed): string {
  const { command } = timed;
  const when = `${timed.anchor}${timed.offsetMs >= 0 ? '+' : ''}${(timed.offsetMs / 1000).toFixed(3)}s`;
  switch (command.kind) {
    case 'plan':
      return `${when} plan ${command.variant}`;
    case 'approve':
      return `${when} approve ${command.which}${command.crashAfterCommit ? ' (crashes after its commit)' : ''}`;
    case 'pause':
    case 'resume':
    case 'cancel':
      return `${when} ${command.kind}${command.wave ? ` wave ${command.wave}` : ''}${command.crashAfterCommit ? ' (crashes after its commit)' : ''}`;
    case 'fire':
      return `${when} fire send#${command.pick}${command.version === 'own' ? '' : ` (${command.version} version)`}`;
    case 'redeliver':
      return `${when} redeliver shard of send#${command.pick}`;
    case 'crash':
      return `${when} crash ${command.mode} #${command.after}`;
  }
}

const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('plan' as const), variant: fc.constantFrom('A', 'B') }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        kind: fc.constant('approve' as const),
        which: fc.constantFrom('latest', 'previous', 'first'),
        crashAfterCommit: fc.constant(true),
      },
      { requiredKeys: ['kind', 'which'] },
    ),
  },
  {
    // A pause usually comes with its resume: a second later, within the grace, past it, the next morning.
    weight: 5,
    arbitrary: fc.record(
      {
        kind: fc.constant('pause' as const),
        wave: fc.constantFrom(...WAVES),
        crashAfterCommit: fc.constant(true),
        resumeAfterMs: fc.constantFrom(2_000, 30_000, 4 * MINUTE, 40 * MINUTE, 10 * 60 * MINUTE),
      },
      { requiredKeys: ['kind'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      {
        kind: fc.constantFrom('resume' as const, 'cancel' as const),
        wave: fc.constantFrom(...WAVES),
        crashAfterCommit: fc.constant(true),
      },
      { requiredKeys: ['kind'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fire' as const),
      pick: fc.nat(5),
      version: fc.constantFrom('own' as const, 'older' as const, 'newer' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat(5) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('crash' as const),
      mode: fc.constantFrom<CrashMode>(
        'after-claim',
        'after-send',
        'before-flush',
        'before-finish',
        'dispatch-before-mark',
      ),
      after: fc.integer({ min: 1, max: 6 }),
    }),
  },
);

/** Where the commands land: mostly where something is sending, some early, some late. */
function anchorArbitrary(earlyWeight: number): fc.Arbitrary<Anchor> {
  const weights: Record<Anchor, number> = {
    early: earlyWeight,
    warmA: 2,
    warmB: 2,
    midnight: 4,
    midnight20: 1,
    midnight45: 1,
    nextDay: 1,
  };
  return fc.oneof(
    ...(Object.entries(weights) as [Anchor, number][]).map(([anchor, weight]) => ({
      weight,
      arbitrary: fc.constant(anchor),
    })),
  );
}

const timedArbitrary: fc.Arbitrary<Timed> = commandArbitrary.chain((command) =>
  fc.record({
    // Plans and approvals mostly weeks ahead, as marketers make them; some late (refused, or too late).
    anchor: anchorArbitrary(command.kind === 'plan' || command.kind === 'approve' ? 8 : 1),
    // Often within the seconds a send takes (10 messages at 3 a second), else from 3 min
    // before the anchor (before its schedule fires) to 8 s after.
    offsetMs: fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: -1_000, max: 5_000 }) },
      { weight: 2, arbitrary: fc.integer({ min: -180_000, max: 8_000 }) },
    ),
    command: fc.constant(command),
  }),
);

/** Mostly a provider that takes all; sometimes one slower than the campaign's 3 a second. */
const providerRateArbitrary = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(2) },
);

/** A generated pause and the resume that comes with it, as two commands. */
function expand(timed: Timed): Timed[] {
  const { command } = timed;
  if (command.kind !== 'pause' || command.resumeAfterMs === undefined) return [timed];
  const { resumeAfterMs, ...pause } = command;
  const resume: Command = { kind: 'resume', ...(command.wave ? { wave: command.wave } : {}) };
  return [
    { ...timed, command: pause },
    { anchor: timed.anchor, offsetMs: timed.offsetMs + resumeAfterMs, command: resume },
  ];
}

/** Usually a first upload approved at once, then anything: most runs send something. */
const scenarioArbitrary = fc
  .tuple(
    fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    fc.array(timedArbitrary, { minLength: 1, maxLength: 14 }),
  )
  .map(([approveFirst, rest]) => [
    { anchor: 'early', offsetMs: 0, command: { kind: 'plan', variant: 'A' } } as Timed,
    ...(approveFirst
      ? [{ anchor: 'early', offsetMs: 1_000, command: { kind: 'approve', which: 'latest' } } as Timed]
      : []),
    ...rest.flatMap(expand),
  ]);

// ---------------------------------------------------------------------------------------------
// The world of one run

class WorkerCrash extends Error {
  constructor(step: string) {
    super(`worker crashed (${step})`);
    this.name = 'WorkerCrash';
  }
}

let stack: LocalStack | undefined;
let runNumber = 0;

beforeAll(async () => {
  // The tables and the bucket; every run has a campaign, customers and a rate counter of its own.
  stack = await startEphemeralStack({ dataBucket: 'campaign-data', clock: new VirtualClock(START) });
});

afterAll(async () => {
  await stack?.stop();
});

function customersOf(prefix: string): CustomerSet {
  const set = new CustomerSet();
  for (let index = 0; index < CUSTOMERS; index += 1) {
    const customer: Customer = {
      customerId: `${prefix}c${index}`,
      phone: `+861380013${String(index).padStart(4, '0')}`,
      device: 'mobile',
      d11Years: [2024, 2025],
      orderCount: 3,
      totalSpend: 1200,
      lastOrderAt: START - 20 * 86_400_000,
      segment: 'customers',
      ...(index % 3 === 0 ? { name: `顾客${index}` } : {}),
    };
    set.upsert(customer, 0);
  }
  return set;
}

function campaignFile(campaignId: string, variant: 'A' | 'B', marker: string) {
  const text = (wave: string) => `{signature}{name} 双11 ${wave} ${marker} {link} {optOut}`;
  return {
    id: campaignId,
    midnight: '2026-11-11T00:00',
    smsRules: 'none', // not about China's SMS rules (registered templates): those have their own tests
    smsRatePerSecond: SMS_RATE,
    resumeGraceMinutes: GRACE_MS / MINUTE,
    // Groups of 4: a wave is several sends, sent by several workers at once (a pause stops each).
    groupSize: 4,
    waves: [
      {
        id: 'warm',
        sms: variant === 'A' ? '2026-11-05T12:00' : '2026-11-05T14:00',
        audience: ['*'],
        templates: { sms: text('warm') },
      },
      // Plan B holds a fifth of the midnight wave out as its control group.
      {
        id: 'mid',
        sms: 'midnight',
        audience: ['*'],
        templates: { sms: text('mid') },
        ...(variant === 'B' ? { controlShare: 0.2 } : {}),
      },
    ],
  };
}

interface RunResult {
  log: string[];
  violations: string[];
  /** Messages the sink accepted, and the touches of the live sends by final status. */
  summary: { messages: number; statuses: Record<string, number>; state: string | undefined };
}

interface RunOptions {
  /**
   * What the SMS provider accepts per second; below the campaign's rate it throttles, so the
   * workers back off, and a pause during a back-off gives the claim back. Default unlimited.
   */
  providerRate?: number;
}

async function runScenario(scenario: Timed[], options: RunOptions = {}): Promise<RunResult> {
  if (!stack) throw new Error('no stack');
  runNumber += 1;
  const prefix = `p${runNumber}${randomUUID().slice(0, 6)}`;
  const campaignId = `lc-${prefix}`;
  const config = stack.config;
  const clients = clientsFor(config);
  const clock = new VirtualClock(START);
  const log: string[] = [];
  const note = (line: string): void => {
    log.push(`${new Date(clock.now()).toISOString()} ${line}`);
  };

  const lifecycle = new DynamoLifecycleStore(clients.documents, config.tables.campaigns);
  const campaigns = new DynamoCampaignStore(clients.documents, config.tables.campaigns);
  const storage = new S3ObjectStorage(clients.s3, config.dataBucket);
  const sink = new LocalSmsSink({ ratePerSecond: options.providerRate, clock });
  const optOuts = new LocalSmsOptOuts();
  const customers = customersOf(prefix);
  const random = mulberry32(runNumber);
  const faults: Array<{ mode: CrashMode; after: number }> = [];
  /** Plan marker -> version, so a message tells which plan it came from. */
  const versionOfMarker = new Map<string, number>();
  const versions: number[] = [];

  const scheduler: LocalScheduler = new LocalScheduler({
    invoke: (payload) =>
      dispatchSend(dispatchDeps(), payload as { campaignId: string; sendId: string; version: number }),
    oneAtATime: true,
    retryDelayMs: 1,
    log: note,
  });
  const queue: InProcessSendQueue = new InProcessSendQueue({
    workers: 3,
    handle: (message) => clock.spawn(() => sendShard(workerDeps(), message)),
    pause: (ms) => clock.spawn(() => clock.sleepUntil(clock.now() + ms)),
    // Past the dead worker's lease (5 min) within a few redeliveries.
    retryDelayMs: 2 * MINUTE,
    maxReceives: 10,
    onError: (message, error) => note(`worker ${message.sendId}/${message.shard}: ${(error as Error).message}`),
  });

  function dispatchDeps(): DispatchDeps {
    const fault = faults[0]?.mode === 'dispatch-before-mark' ? faults.shift() : undefined;
    return {
      campaigns: fault
        ? {
            ...bindAll<CampaignStore>(campaigns),
            markDispatched: async () => {
              note('dispatcher crashed between enqueue and mark');
              throw new WorkerCrash('dispatch-before-mark');
            },
          }
        : campaigns,
      lifecycle,
      queue,
      clock,
      optOuts,
      storage,
    };
  }

  /** One worker invocation; a crash armed for workers kills it at its step. */
  function workerDeps(): SendShardDeps {
    const fault = faults[0] && faults[0].mode !== 'dispatch-before-mark' ? faults.shift() : undefined;
    let dead = false;
    const counts = { claims: 0, sends: 0, outcomes: 0 };
    const alive = () => {
      if (dead) throw new WorkerCrash('dead');
    };
    const die = (step: string): never => {
      dead = true;
      note(`worker crashed ${step}`);
      throw new WorkerCrash(step);
    };
    /** Every call of a dead worker fails: a dead process makes none. */
    const mortal = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            alive();
            return (value as (...a: unknown[]) => unknown).apply(object, args);
          };
        },
      });
    const ledger = new DynamoLedger(clients.documents, config.tables.customers);
    const touches = new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches);
    const workerClock: Clock = {
      now: () => clock.now(),
      sleepUntil: async (instant) => {
        alive();
        await clock.sleepUntil(instant);
      },
      hold: (work) => clock.hold(work),
    };
    return {
      campaigns: mortal({
        ...bindAll<CampaignStore>(campaigns),
        finishShard: async (...args: Parameters<DynamoCampaignStore['finishShard']>) => {
          if (fault?.mode === 'before-finish') die('before finishing its shard');
          await campaigns.finishShard(...args);
        },
      }),
      lifecycle: mortal(bindAll(lifecycle)),
      touches: mortal({
        writeTouches: touches.writeTouches.bind(touches),
        readShard: touches.readShard.bind(touches),
        recordOutcome: async (...args: Parameters<DynamoTouchStore['recordOutcome']>) => {
          counts.outcomes += 1;
          await touches.recordOutcome(...args);
        },
        flush: async () => {
          if (fault?.mode === 'before-flush' && counts.outcomes >= fault.after) {
            die(`with ${counts.outcomes} outcomes not flushed`);
          }
          await touches.flush();
        },
      }),
      ledger: mortal({
        claim: async (request) => {
          const outcome = await ledger.claim(request);
          counts.claims += 1;
          if (fault?.mode === 'after-claim' && counts.claims === fault.after) die(`after claim #${counts.claims}`);
          return outcome;
        },
        release: ledger.release.bind(ledger),
        claimedAmong: ledger.claimedAmong.bind(ledger),
      }),
      purchases: mortal(new DynamoPurchaseCheck(clients.documents, config.tables.customers)),
      emailOptOuts: mortal(new DynamoOptOutStore(clients.documents, config.tables.customers)),
      storage: mortal(storage),
      sms: mortal({
        send: async (message) => {
          const result = await sink.send(message);
          counts.sends += 1;
          if (fault?.mode === 'after-send' && counts.sends === fault.after) die(`after send #${counts.sends}`);
          return result;
        },
      }),
      email: {
        send: async () => {
          throw new Error('these campaigns send no email');
        },
      },
      limiter: (channel, rate) =>
        mortal(
          new DynamoRateLimiter(
            clients.documents,
            config.tables.campaigns,
            `${channel}-${prefix}`,
            Math.max(1, Math.floor(rate)),
            workerClock,
            Math.max(1, Math.floor(rate)),
          ),
        ),
      queue: mortal(queue),
      clock: workerClock,
      owner: randomUUID(),
      unsubscribeLinks: async () => {
        throw new Error('these campaigns send no email');
      },
      log: { info: () => {} },
      inOrder: true,
      random,
    };
  }

  /**
   * The stores of one API call; with `crash`, the call dies right after its lifecycle write:
   * every call after it fails (nothing of what follows the commit happens).
   */
  function apiDeps(crash: boolean | undefined) {
    if (!crash) return { lifecycle, clock, campaigns, scheduler, queue };
    let dead = false;
    const guard = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, property, receiver) {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            if (dead) throw new WorkerCrash('after its commit');
            const result = await (value as (...a: unknown[]) => unknown).apply(object, args);
            if (property === 'saveLifecycle' && result === true) dead = true;
            return result;
          };
        },
      });
    return {
      lifecycle: guard(bindAll<LifecycleStore>(lifecycle)),
      clock,
      campaigns: guard(bindAll<CampaignStore>(campaigns)),
      scheduler: guard(bindAll<Scheduler>(scheduler)),
      queue: guard(bindAll<SendQueue>(queue)),
    };
  }
  /** A caller's retry of a call that died: the same command, a second later, without the crash. */
  const retryLater = (timed: Timed, index: number) => {
    const { crashAfterCommit: _crash, ...again } = timed.command as Command & { crashAfterCommit?: boolean };
    const retry = { timed: { ...timed, offsetMs: timed.offsetMs + 1_000, command: again as Command }, index };
    let position = next;
    while (position < ordered.length && at((ordered[position] as typeof retry).timed) <= at(retry.timed)) position += 1;
    ordered.splice(position, 0, retry);
  };

  async function perform(timed: Timed, index: number): Promise<void> {
    const { command } = timed;
    const actor = 'marketer';
    try {
      switch (command.kind) {
        case 'plan': {
          const marker = `P${index}`;
          const result = await planDraft(
            {
              loadCustomers: async () => customers,
              lifecycle,
              touches: new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches),
            },
            { campaign: campaignFile(campaignId, command.variant, marker), actor, now: clock.now() },
          );
          versionOfMarker.set(marker, result.version);
          versions.push(result.version);
          note(`planned v${result.version} (${command.variant}, ${marker})`);
          return;
        }
        case 'approve': {
          if (versions.length === 0) return note('approve: nothing planned');
          const latest = versions[versions.length - 1] as number;
          const version =
            command.which === 'latest'
              ? latest
              : command.which === 'first'
                ? (versions[0] as number)
                : Math.max(1, latest - 1);
          const result = await approveCampaign(apiDeps(command.crashAfterCommit), {
            campaignId,
            version,
            actor,
            now: clock.now(),
          });
          note(`approved v${version}: scheduled ${result.scheduled.length}, frozen ${result.frozen.length}`);
          return;
        }
        case 'pause':
        case 'resume':
        case 'cancel': {
          await controlCampaign(apiDeps(command.crashAfterCommit), {
            campaignId,
            action: command.kind,
            actor,
            ...(command.wave ? { waveId: command.wave } : {}),
          });
          note(`${command.kind}${command.wave ? ` ${command.wave}` : ''} accepted`);
          return;
        }
        case 'fire': {
          const sends = (await campaigns.getSends(campaignId)).sort((a, b) => a.id.localeCompare(b.id));
          const send = sends[command.pick % Math.max(1, sends.length)];
          if (!send) return note('fire: no sends');
          const version = send.version + (command.version === 'older' ? -1 : command.version === 'newer' ? 1 : 0);
          const outcome = await dispatchSend(dispatchDeps(), { campaignId, sendId: send.id, version });
          note(`fire ${send.id} v${version}: ${JSON.stringify(outcome)}`);
          return;
        }
        case 'redeliver': {
          const sends = (await campaigns.getSends(campaignId))
            .filter((send) => send.state === 'dispatched')
            .sort((a, b) => a.id.localeCompare(b.id));
          const send = sends[command.pick % Math.max(1, sends.length)];
          if (!send) return note('redeliver: nothing dispatched');
          await queue.enqueue([
            { campaignId, version: send.version, sendId: send.id, shard: 0, releaseAt: Date.parse(send.at) },
          ]);
          note(`redelivered ${send.id}/0`);
          return;
        }
        case 'crash':
          faults.push({ mode: command.mode, after: command.after });
          note(`armed crash ${command.mode} #${command.after}`);
          return;
      }
    } catch (error) {
      if (error instanceof WorkerCrash && 'crashAfterCommit' in command && command.crashAfterCommit) {
        note(`${command.kind} crashed after its commit; the caller retries in 1 s`);
        retryLater(timed, index);
        return;
      }
      if (error instanceof CampaignError || error instanceof WorkerCrash) {
        note(`${command.kind} refused: ${error.message}`);
        return;
      }
      throw error;
    }
  }

  // Commands in time order (ties: as generated), each delivered while no worker runs.
  // Retries of calls that crashed are spliced in.
  const ordered = scenario.map((timed, index) => ({ timed, index })).sort((a, b) => at(a.timed) - at(b.timed));
  let next = 0;
  const commands: TimedSource = {
    nextAt: () => {
      const entry = ordered[next];
      return entry ? Math.max(at(entry.timed), clock.now()) : undefined;
    },
    deliverDue: async (now) => {
      for (let entry = ordered[next]; entry && at(entry.timed) <= now; entry = ordered[next]) {
        next += 1;
        await perform(entry.timed, entry.index);
      }
    },
  };
  const schedules: TimedSource = { nextAt: () => scheduler.nextFireAt(), deliverDue: (now) => scheduler.runDue(now) };
  await clock.play([commands, schedules]);
  await scheduler.idle();

  const statuses: Record<string, number> = {};
  const violations = await check();
  const state = (await lifecycle.getLifecycle(campaignId))?.state;
  return { log, violations, summary: { messages: sink.messages().length, statuses, state } };

  async function check(): Promise<string[]> {
    const violations: string[] = [];
    const messages = sink.messages();
    const final = await lifecycle.getLifecycle(campaignId);
    const audit: AuditEntry[] = final?.audit ?? [];
    const approvedAt = new Map<number, number>();
    for (const entry of audit) {
      if (entry.action === 'approve' && entry.version !== undefined && !approvedAt.has(entry.version)) {
        approvedAt.set(entry.version, Date.parse(entry.at));
      }
    }

    /** Whether, by the audit trail as of `instant`, a wave may not send: paused or cancelled. */
    const blockedAt = (instant: number, wave: string, kinds: readonly ('pause' | 'cancel')[]): boolean => {
      let paused = false;
      const pausedWaves = new Set<string>();
      let cancelled = false;
      const cancelledWaves = new Set<string>();
      for (const entry of audit) {
        if (Date.parse(entry.at) > instant) break;
        if (entry.action === 'pause') {
          if (entry.waveId) pausedWaves.add(entry.waveId);
          else if (entry.to === 'paused') paused = true;
        } else if (entry.action === 'resume') {
          if (entry.waveId) pausedWaves.delete(entry.waveId);
          else paused = false;
        } else if (entry.action === 'cancel') {
          if (entry.waveId) cancelledWaves.add(entry.waveId);
          else if (entry.to === 'cancelled') cancelled = true;
        }
      }
      const isPaused = paused || pausedWaves.has(wave);
      const isCancelled = cancelled || cancelledWaves.has(wave);
      return (kinds.includes('pause') && isPaused && !isCancelled) || (kinds.includes('cancel') && isCancelled);
    };
    /** Blocked without a break from `PAUSE_EFFECT_MS` before the message to the message itself. */
    const blockedThroughout = (sentAt: number, wave: string, kinds: readonly ('pause' | 'cancel')[]) => {
      const from = sentAt - PAUSE_EFFECT_MS;
      const instants = [from, ...audit.map((e) => Date.parse(e.at)).filter((t) => t > from && t <= sentAt)];
      return instants.every((instant) => blockedAt(instant, wave, kinds));
    };

    /** When each version's sends were planned to end: none may leave later than that plus the grace. */
    const plannedEnd = new Map<string, number>();
    for (const version of new Set(versionOfMarker.values())) {
      const stored = await lifecycle.getVersion(campaignId, version);
      for (const send of stored?.timeline.sends ?? []) {
        plannedEnd.set(`${version}#${send.id}`, Date.parse(send.at) + send.estimatedSeconds * 1000);
      }
    }
    const perTouch = new Map<string, number>();
    for (const message of messages) {
      const what = `message ${message.messageId} (${message.tags.waveId}, ${message.tags.customerId}) at ${new Date(message.at).toISOString()}`;
      // 1. From an approved version only.
      const marker = /\bP\d+\b/.exec(message.text)?.[0];
      const version = marker === undefined ? undefined : versionOfMarker.get(marker);
      if (version === undefined) violations.push(`${what}: carries no known plan marker`);
      else {
        const approved = approvedAt.get(version);
        if (approved === undefined) violations.push(`${what}: from v${version}, which was never approved`);
        else if (approved > message.at) violations.push(`${what}: from v${version}, approved only later`);
        // 6. Never stale: no later than its send's planned end plus the resume grace (else `expired`).
        const end = plannedEnd.get(`${version}#${message.tags.sendId}`);
        if (end === undefined) violations.push(`${what}: v${version} planned no send ${message.tags.sendId}`);
        else if (message.at > end + GRACE_MS) {
          violations.push(`${what}: more than the grace after its send's planned end ${new Date(end).toISOString()}`);
        }
      }
      // 2. and 3. Not after a pause took effect (until a resume), never after a cancel.
      if (blockedThroughout(message.at, message.tags.waveId, ['pause'])) {
        violations.push(`${what}: sent more than 1 s after a pause was accepted, with no resume since`);
      }
      if (blockedThroughout(message.at, message.tags.waveId, ['cancel'])) {
        violations.push(`${what}: sent more than 1 s after a cancel was accepted`);
      }
      // 4. Nobody twice.
      const key = `${message.tags.customerId}#${message.tags.waveId}`;
      perTouch.set(key, (perTouch.get(key) ?? 0) + 1);
    }
    for (const [key, count] of perTouch)
      if (count > 1) violations.push(`touch ${key} reached the provider ${count} times`);

    // 5. Every touch of the live sends accounted for.
    const finalStatuses = new Set(['sent', 'failed', 'unknown', 'suppressed', 'expired', 'cancelled', 'control']);
    const byMessageId = new Map(messages.map((message) => [message.messageId, message]));
    const sends = await campaigns.getSends(campaignId);
    const reader = new DynamoTouchStore(clients.dynamodb, clients.documents, config.tables.touches);
    for (const send of sends) {
      const touches: Touch[] = [];
      for (let shard = 0; shard < send.shards; shard += 1) {
        touches.push(...(await reader.readShard({ campaignId, version: send.version, sendId: send.id, shard })));
      }
      // Left for a resume: its campaign or wave paused at the end, and neither cancelled.
      const pausedAtEnd =
        final !== undefined &&
        (final.state === 'paused' || final.pausedWaves.includes(send.waveId)) &&
        !final.cancelledWaves.includes(send.waveId);
      // 7. The live view's figures (the workers' tallies, never the touches) agree with the touches.
      if (send.state === 'dispatched') {
        const tallied: Record<string, number> = {};
        for (const tally of await campaigns.shardTallies(campaignId, send.version, send.id)) {
          for (const [status, count] of Object.entries(tally.counts)) tallied[status] = (tallied[status] ?? 0) + count;
        }
        const counted: Record<string, number> = {};
        for (const touch of touches) {
          if (touch.status !== 'planned') counted[touch.status] = (counted[touch.status] ?? 0) + 1;
        }
        if (JSON.stringify(sortedEntries(tallied)) !== JSON.stringify(sortedEntries(counted))) {
          violations.push(
            `send ${send.id} v${send.version}: the live view counts ${JSON.stringify(sortedEntries(tallied))}, its touches ${JSON.stringify(sortedEntries(counted))}`,
          );
        }
      }
      for (const touch of touches) {
        statuses[touch.status] = (statuses[touch.status] ?? 0) + 1;
        const what = `touch ${touch.customerId} of ${send.id} v${send.version}`;
        if (touch.status === 'planned') {
          if (!pausedAtEnd)
            violations.push(
              `${what}: still planned, and its campaign ends ${final?.state} (paused waves: ${final?.pausedWaves.join(',') || 'none'}; cancelled waves: ${final?.cancelledWaves.join(',') || 'none'})`,
            );
          continue;
        }
        if (!finalStatuses.has(touch.status)) violations.push(`${what}: ends ${touch.status}`);
        if (touch.status !== 'sent' && touch.status !== 'control' && !touch.reason) {
          violations.push(`${what}: ends ${touch.status} with no reason`);
        }
        if (touch.status === 'sent') {
          const message = touch.providerMessageId ? byMessageId.get(touch.providerMessageId) : undefined;
          if (!message || message.tags.customerId !== touch.customerId) {
            violations.push(`${what}: sent, but the sink has no such message (${touch.providerMessageId})`);
          }
        }
      }
    }
    // A control group of an approved version: kept as `control`, never sent that wave from that version.
    for (const version of approvedAt.keys()) {
      for (const wave of WAVES) {
        const held = await reader.readShard({ campaignId, version, sendId: controlSendId(wave), shard: 0 });
        for (const touch of held) {
          statuses[touch.status] = (statuses[touch.status] ?? 0) + 1;
          if (touch.status !== 'control')
            violations.push(`control touch ${touch.customerId} of v${version} ends ${touch.status}`);
          const reached = messages.some(
            (message) =>
              message.tags.customerId === touch.customerId &&
              message.tags.waveId === wave &&
              versionOfMarker.get(/\bP\d+\b/.exec(message.text)?.[0] ?? '') === version,
          );
          if (reached)
            violations.push(`control touch ${touch.customerId} of v${version} got the ${wave} SMS of v${version}`);
        }
      }
    }
    if (!queue.isIdle()) violations.push('the send queue did not drain');
    for (const dead of queue.deadLetters) {
      violations.push(`shard ${dead.message.sendId}/${dead.message.shard} dead-lettered: ${String(dead.error)}`);
    }
    for (const dead of scheduler.deadLetters()) violations.push(`schedule ${dead.name} dead-lettered: ${dead.error}`);
    return violations;
  }
}

const sortedEntries = (counts: Record<string, number>) => Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));

/** A store with its methods bound, so a spread copy still calls them on the store. */
function bindAll<T extends object>(store: T): T {
  const bound: Record<string, unknown> = {};
  for (let proto = store; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (store as Record<string, unknown>)[name];
      if (name !== 'constructor' && typeof value === 'function' && !(name in bound)) {
        bound[name] = (value as (...a: unknown[]) => unknown).bind(store);
      }
    }
  }
  return bound as T;
}

async function holds(scenario: Timed[], options: RunOptions = {}): Promise<RunResult['summary']> {
  const { log, violations, summary } = await runScenario(scenario, options);
  if (process.env.PROPERTY_VERBOSE)
    console.error([...scenario.map(describeCommand), ...log, JSON.stringify(summary)].join('\n'));
  if (violations.length > 0) {
    throw new Error(
      [
        `commands (provider rate ${options.providerRate ?? 'unlimited'}/s):`,
        ...scenario.map((timed) => `  ${describeCommand(timed)}`),
        'what happened:',
        ...log.map((line) => `  ${line}`),
        'violations:',
        ...violations.map((line) => `  ${line}`),
      ].join('\n'),
    );
  }
  return summary;
}

const t = (anchor: Anchor, seconds: number, command: Command): Timed => ({ anchor, offsetMs: seconds * 1000, command });

/** Pinned examples: the stories the random ones are made of. */
const PINNED: Record<string, Timed[]> = {
  'pause in the middle of the midnight push, resume four minutes later': [
    t('early', 0, { kind: 'plan', variant: 'A' }),
    t('early', 1, { kind: 'approve', which: 'latest' }),
    t('midnight', 1.2, { kind: 'pause' }),
    t('midnight', 240, { kind: 'resume' }),
  ],
  'a stale approval, a re-plan, a crash after a claim and a repeated firing': [
    t('early', 0, { kind: 'plan', variant: 'A' }),
    t('early', 1, { kind: 'plan', variant: 'B' }),
    t('early', 2, { kind: 'approve', which: 'previous' }),
    t('early', 3, { kind: 'approve', which: 'latest' }),
    t('warmB', -150, { kind: 'crash', mode: 'after-claim', after: 2 }),
    t('warmB', 2, { kind: 'fire', pick: 1, version: 'own' }),
    t('warmB', 3, { kind: 'redeliver', pick: 0 }),
  ],
  'a wave cancelled while it sends, the campaign paused and never resumed': [
    t('early', 0, { kind: 'plan', variant: 'A' }),
    t('early', 1, { kind: 'approve', which: 'latest' }),
    t('warmA', 1.5, { kind: 'cancel', wave: 'warm' }),
    t('midnight', -60, { kind: 'pause' }),
  ],
  'a resume and a cancel that die after their commit, retried by the caller': [
    t('early', 0, { kind: 'plan', variant: 'B' }),
    t('early', 1, { kind: 'approve', which: 'latest', crashAfterCommit: true }),
    t('warmB', -150, { kind: 'pause' }),
    t('warmB', 60, { kind: 'resume', crashAfterCommit: true }),
    t('midnight', 1, { kind: 'cancel', wave: 'mid', crashAfterCommit: true }),
  ],
  'a resume after the grace: the rest expires': [
    t('early', 0, { kind: 'plan', variant: 'A' }),
    t('early', 1, { kind: 'approve', which: 'latest' }),
    t('midnight', 0.5, { kind: 'pause' }),
    t('midnight45', 0, { kind: 'resume' }),
  ],
};

describe('the marketer controls a campaign: random sequences checked from the outside', () => {
  for (const [name, scenario] of Object.entries(PINNED)) {
    it(`holds for: ${name}`, async () => {
      await holds(scenario);
    });
  }

  it('holds for: a pause while the provider throttles (claims given back), resumed a minute later', async () => {
    await holds(
      [
        t('early', 0, { kind: 'plan', variant: 'A' }),
        t('early', 1, { kind: 'approve', which: 'latest' }),
        t('midnight', 1.5, { kind: 'pause' }),
        t('midnight', 60, { kind: 'resume' }),
      ],
      { providerRate: 2 },
    );
  });

  it('holds for random sequences of plans, approvals, controls, firings, redeliveries and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, providerRateArbitrary, async (scenario, providerRate) => {
        await holds(scenario, providerRate === undefined ? {} : { providerRate });
      }),
      {
        numRuns: NUM_RUNS,
        ...(SEED === undefined ? {} : { seed: SEED }),
      },
    );
  }, 600_000);
});
