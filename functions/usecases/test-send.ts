/**
 * A test send: a wave's real messages, rendered by the send path's own templates and links,
 * through the same SMS and email adapters, to the marketer's own phones and addresses. Only
 * addresses the campaign file lists in `testRecipients` (anything else is refused before
 * anything is sent: this is no open relay), at most MAX_TEST_RECIPIENTS_PER_REQUEST a request.
 *
 * Every variant a customer could get goes out once: the mobile and the PC link, with a name
 * and without one (the fallback 亲), SMS to phones, email (subject, body and the unsubscribe
 * link as the send path builds it) to addresses; variants that render the same text are sent
 * once. The texts are the latest version's: the draft the marketer reviews.
 *
 * Test messages are marked (`test` in their tags, so the SMS sink, SES and the simulate outbox
 * show it), recorded apart from the plan (TestTouchStore), never claimed in the ledger (no cap
 * counts them) and never read by the report. The request is recorded in the audit trail first:
 * a campaign that is cancelled or completed gets no test, and no test goes out unrecorded.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type Campaign, parseTestAddress, type TestAddress, type Wave } from '../domain/campaign.ts';
import { decide, type LifecycleRefusal } from '../domain/campaign-lifecycle.ts';
import type { Device } from '../domain/customer.ts';
import { maskEmail, maskPersonalData, maskPhone } from '../domain/masking.ts';
import { linkFor, renderSms, smsVariesByGroup } from '../domain/messages.ts';
import { PLAYBOOK_GROUPS } from '../domain/segments.ts';
import type { Clock } from '../ports/clock.ts';
import type { EmailSender } from '../ports/email.ts';
import type { LifecycleStore } from '../ports/lifecycle-store.ts';
import { type MessageTags, RejectedMessageError, type SmsSender, ThrottledError } from '../ports/sms.ts';
import type { TestTouch, TestTouchStore } from '../ports/test-touch-store.ts';
import { CampaignError, type CampaignErrorCode } from './errors.ts';
import { composeEmail, messageValues, type UnsubscribeLinks, waveSms, waveTemplates } from './send-wave.ts';
import { CARE_TEXT, textGroups } from './wave-messages.ts';

/** The most recipients one test send may name. */
export const MAX_TEST_RECIPIENTS_PER_REQUEST = 10;
/** The name a "with a name" variant is rendered with (the one the timeline's examples use). */
export const TEST_NAME = '王小明';
/** How often a throttled test message is tried again before it is reported failed. */
const MAX_THROTTLE_RETRIES = 5;
/** How often the audit entry is tried again when someone else changed the campaign meanwhile. */
const MAX_AUDIT_RETRIES = 5;

export interface TestSendDeps {
  lifecycles: Pick<LifecycleStore, 'getLifecycle' | 'saveLifecycle' | 'getVersion'>;
  testTouches: Pick<TestTouchStore, 'record'>;
  sms: SmsSender;
  email: EmailSender;
  /** The unsubscribe links, made as the send worker makes them (the link key is read once). */
  unsubscribeLinks(): Promise<UnsubscribeLinks>;
  clock: Clock;
  /** One id per request; tests pin it. */
  newRequestId?: () => string;
}

export interface TestSendRequest {
  campaignId: string;
  waveId: string;
  /** Phones (E.164 or 11-digit mainland mobiles) and email addresses. */
  to: string[];
  /**
   * Whose SMS text to send: a playbook group (`d11-loyal`, ...) gets exactly the text that
   * group's customers get, `care` the wave's care text. Default: the first group of the
   * wave's audience when its SMS follows the group, else the wave's own text.
   */
  group?: string;
  /** Who asked (the IAM principal on AWS). */
  actor: string;
}

export interface TestMessage {
  /** The address as the campaign lists it (normalised). */
  to: string;
  channel: 'sms' | 'email';
  variant: string;
  messageId: string;
}

export interface FailedTestMessage {
  to: string;
  channel: 'sms' | 'email';
  variant: string;
  /** The provider's refusal, masked. */
  reason: string;
}

export interface TestSendResult {
  version: number;
  /** Whose SMS text was sent: the group, or `care`; absent when the wave has one text for all. */
  group?: string;
  sent: TestMessage[];
  /** Messages the provider refused (an opted-out number, an address it cannot send to). */
  failed: FailedTestMessage[];
}

/** The send id test messages carry in their tags: never one of the plan's sends. */
export const testSendId = (waveId: string): string => `${waveId}.test`;

/**
 * The customer id a test recipient's messages carry (and its unsubscribe link seals): derived
 * from the address, never a store's buyer id, and not the address itself (tags reach the provider).
 */
export function testCustomerId(address: string): string {
  return `test-${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
}

function masked(address: TestAddress): string {
  return address.kind === 'sms' ? maskPhone(address.address) : maskEmail(address.address);
}

export interface Variant {
  label: string;
  device: Device;
  name: string | undefined;
}

/** Every variant a customer could get: the mobile and the PC link, each with a name and with the fallback. */
export const VARIANTS: readonly Variant[] = [
  { label: 'mobile/name', device: 'mobile', name: TEST_NAME },
  { label: 'mobile/fallback-name', device: 'mobile', name: undefined },
  { label: 'pc/name', device: 'pc', name: TEST_NAME },
  { label: 'pc/fallback-name', device: 'pc', name: undefined },
];

/**
 * The variants of one channel whose texts differ: variants that render the same (a template
 * without {name}, the same link for mobile and PC) are one message, labelled with all of them.
 */
function distinct<T>(render: (variant: Variant) => T): Array<{ label: string; content: T }> {
  const byText = new Map<string, { labels: string[]; content: T }>();
  for (const variant of VARIANTS) {
    const content = render(variant);
    const key = JSON.stringify(content);
    const entry = byText.get(key);
    if (entry) entry.labels.push(variant.label);
    else byText.set(key, { labels: [variant.label], content });
  }
  return [...byText.values()].map(({ labels, content }) => ({ label: labels.join(','), content }));
}

function refusalError(refusal: LifecycleRefusal): CampaignError {
  const code: CampaignErrorCode = refusal.code;
  return new CampaignError(code, refusal.message, 'state' in refusal ? { state: refusal.state } : undefined);
}

/** Reads and checks everything before anything is sent: a bad request sends nothing at all. */
function checkRecipients(campaign: Campaign, wave: Wave, to: readonly string[]): TestAddress[] {
  if (to.length === 0) throw new CampaignError('invalid-request', 'to: name at least one test recipient');
  if (to.length > MAX_TEST_RECIPIENTS_PER_REQUEST) {
    throw new CampaignError(
      'invalid-request',
      `to: at most ${MAX_TEST_RECIPIENTS_PER_REQUEST} recipients per test send, not ${to.length}`,
    );
  }
  const problems: Array<{ path: string; message: string }> = [];
  const parsed: Array<TestAddress | null> = to.map((text, index) => {
    const address = parseTestAddress(text);
    if (!address) {
      problems.push({
        path: `to[${index}]`,
        message: `"${maskPersonalData(text)}" is neither a phone nor an email address`,
      });
    }
    return address;
  });
  if (problems.length > 0) {
    throw new CampaignError('invalid-request', problems.map((p) => `${p.path}: ${p.message}`).join('; '), {
      fields: problems,
    });
  }
  const addresses = parsed as TestAddress[];
  const listed = new Set(campaign.testRecipients);
  const strangers = addresses
    .map((address, index) => ({ address, index }))
    .filter(({ address }) => !listed.has(address.address))
    .map(({ address, index }) => ({
      path: `to[${index}]`,
      message: `${masked(address)} is not in the campaign's testRecipients`,
    }));
  if (strangers.length > 0) {
    throw new CampaignError(
      'not-test-recipient',
      `${strangers.map((p) => `${p.path}: ${p.message}`).join('; ')}; nothing was sent (add it to testRecipients in the campaign file and plan again)`,
      { fields: strangers },
    );
  }
  const noEmail = addresses
    .map((address, index) => ({ address, index }))
    .filter(({ address }) => address.kind === 'email' && wave.email === false);
  if (noEmail.length > 0) {
    throw new CampaignError(
      'invalid-request',
      `${noEmail.map(({ index }) => `to[${index}]`).join(', ')}: wave ${wave.id} sends no email; nothing was sent`,
    );
  }
  // The same address twice gets its test once.
  const seen = new Set<string>();
  return addresses.filter((address) => !seen.has(address.address) && seen.add(address.address));
}

export async function testSend(deps: TestSendDeps, request: TestSendRequest): Promise<TestSendResult> {
  const { campaignId, waveId } = request;
  let lifecycle = await deps.lifecycles.getLifecycle(campaignId);
  if (!lifecycle) throw new CampaignError('unknown-campaign', `no campaign ${campaignId}: plan it first`);
  const version = lifecycle.latestVersion;
  const stored = await deps.lifecycles.getVersion(campaignId, version);
  if (!stored) {
    throw new CampaignError(
      'unknown-campaign',
      `version ${version} of ${campaignId} is still being planned: try again`,
    );
  }
  const { campaign } = stored;
  const wave = campaign.waves.find((candidate) => candidate.id === waveId);
  if (!wave) {
    throw new CampaignError(
      'unknown-wave',
      `waveId: version ${version} of ${campaignId} has no wave "${waveId}" (its waves: ${campaign.waves.map((w) => w.id).join(', ')})`,
      { waveId },
    );
  }
  const recipients = checkRecipients(campaign, wave, request.to);
  const choice = textChoice(wave, request.group, recipients);

  // Recorded before anything leaves: a test never goes out unaudited, nor for a campaign that is over.
  for (let attempt = 1; ; attempt += 1) {
    const decision = decide(
      lifecycle,
      { kind: 'test-send', waveId, recipients: recipients.length },
      { campaignId, now: deps.clock.now(), actor: request.actor, waveIds: campaign.waves.map((w) => w.id) },
    );
    if (!decision.ok) throw refusalError(decision.refusal);
    if (await deps.lifecycles.saveLifecycle(decision.next, lifecycle.revision)) break;
    if (attempt >= MAX_AUDIT_RETRIES) {
      throw new CampaignError('wrong-state', `${campaignId} kept changing while the test send was recorded: try again`);
    }
    lifecycle = await deps.lifecycles.getLifecycle(campaignId);
    if (!lifecycle) throw new CampaignError('unknown-campaign', `no campaign ${campaignId}`);
  }

  const templates = waveTemplates(campaign, wave, choice.group);
  // Exactly what the chosen customers get: their group's text (or the care text), with the id it is registered under.
  const sms = waveSms(campaign, wave, choice.group, choice.variant);
  const links = recipients.some((r) => r.kind === 'email') ? await deps.unsubscribeLinks() : undefined;
  // The wave's own links, not a tracked one: a tester's tap lands on the store's page, and counts no click.
  const valuesOf = (variant: (typeof VARIANTS)[number]) =>
    messageValues(campaign, wave, { ...variant, link: linkFor(variant.device, wave.links ?? campaign.links) });
  const requestId = (deps.newRequestId ?? randomUUID)();
  const chosen = choice.variant ?? choice.group;
  const result: TestSendResult = { version, ...(chosen === undefined ? {} : { group: chosen }), sent: [], failed: [] };
  for (const recipient of recipients) {
    const customerId = testCustomerId(recipient.address);
    const tags: MessageTags = { campaignId, waveId, sendId: testSendId(waveId), customerId, test: true };
    const variants =
      recipient.kind === 'sms'
        ? distinct((variant) => renderSms(sms.template, valuesOf(variant)))
        : distinct((variant) => {
            const unsubscribeUrl = (links as UnsubscribeLinks).urlFor(campaignId, customerId);
            return {
              ...composeEmail(templates, valuesOf(variant), unsubscribeUrl),
              unsubscribeUrl,
            };
          });
    for (const { label, content } of variants) {
      const outcome = await deliver(deps, () =>
        typeof content === 'string'
          ? deps.sms.send({
              phone: recipient.address,
              text: content,
              tags,
              ...(sms.templateId === undefined ? {} : { templateId: sms.templateId }),
            })
          : deps.email.send({ to: recipient.address, ...content, tags }),
      );
      const touch: TestTouch = {
        campaignId,
        version,
        waveId,
        channel: recipient.kind,
        variant: label,
        ...(chosen === undefined ? {} : { group: chosen }),
        address: recipient.address,
        requestId,
        actor: request.actor,
        at: new Date(deps.clock.now()).toISOString(),
        ...outcome,
      };
      await deps.testTouches.record(touch);
      if (outcome.status === 'sent') {
        result.sent.push({
          to: recipient.address,
          channel: recipient.kind,
          variant: label,
          messageId: outcome.providerMessageId,
        });
      } else {
        result.failed.push({ to: recipient.address, channel: recipient.kind, variant: label, reason: outcome.reason });
      }
    }
  }
  return result;
}

/**
 * Whose texts a test sends, checked before anything is: a playbook group, the care text, or
 * (none named) the first group of the audience when the wave's SMS follows the group.
 */
function textChoice(
  wave: Wave,
  group: string | undefined,
  recipients: readonly TestAddress[],
): { group?: string; variant?: 'care' } {
  if (group === CARE_TEXT) {
    if (wave.care === undefined) {
      throw new CampaignError('invalid-request', `group: wave ${wave.id} has no care text; nothing was sent`);
    }
    if (recipients.some((recipient) => recipient.kind === 'email')) {
      throw new CampaignError(
        'invalid-request',
        `group: the care text is an SMS (recent buyers get no email from wave ${wave.id}); name phones only; nothing was sent`,
      );
    }
    return { variant: 'care' };
  }
  if (group !== undefined) {
    if (!(PLAYBOOK_GROUPS as readonly string[]).includes(group)) {
      throw new CampaignError(
        'invalid-request',
        `group: "${group}" is neither a playbook group (${PLAYBOOK_GROUPS.join(', ')}) nor ${CARE_TEXT}; nothing was sent`,
      );
    }
    return { group };
  }
  return smsVariesByGroup(wave.templates) ? { group: textGroups(wave)[0] as string } : {};
}

type Outcome = { status: 'sent'; providerMessageId: string } | { status: 'failed'; reason: string };

/** One message to the provider: throttling is waited out a few times; a refusal is reported, masked. */
async function deliver(
  deps: Pick<TestSendDeps, 'clock'>,
  send: () => Promise<{ messageId: string }>,
): Promise<Outcome> {
  for (let throttled = 0; ; throttled += 1) {
    try {
      const { messageId } = await send();
      return { status: 'sent', providerMessageId: messageId };
    } catch (error) {
      if (error instanceof ThrottledError && throttled < MAX_THROTTLE_RETRIES) {
        await deps.clock.sleepUntil(deps.clock.now() + 200 * 2 ** throttled);
        continue;
      }
      if (error instanceof RejectedMessageError)
        return { status: 'failed', reason: `rejected: ${maskPersonalData(error.reason)}` };
      if (error instanceof ThrottledError) return { status: 'failed', reason: 'throttled' };
      // It may or may not have reached the provider; a test is never re-sent blindly either.
      return { status: 'failed', reason: `provider error: ${(error as Error).name} (may have been delivered)` };
    }
  }
}
