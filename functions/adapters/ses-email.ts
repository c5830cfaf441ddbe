/**
 * Email through Amazon SES v2 (SendEmail, Simple content) and, locally, aws-ses-v2-local
 * (same client, endpoint from config). UTF-8 subject and bodies (SES writes the MIME and
 * the RFC 2047 encoded-words), RFC 8058 one-click unsubscribe headers, the configuration
 * set that publishes delivery events, and tags that tie those events back to the send.
 */
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { type MessageTag, type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { maskEmail, maskPersonalData } from '../domain/masking.ts';
import type { EmailMessage, EmailSender } from '../ports/email.ts';
import { RejectedMessageError, ThrottledError } from '../ports/sms.ts';

export interface SesEmailOptions {
  /** A verified identity (address or an address at a verified domain). */
  fromEmailAddress: string;
  /** Display name; non-ASCII (the store's Chinese name) is RFC 2047 encoded here. */
  fromName?: string;
  /** The configuration set whose event destination receives bounces, complaints, deliveries. */
  configurationSetName?: string;
  replyToAddresses?: string[];
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException']);

/**
 * Refusals of this message for good. BadRequestException is SES's answer to an address it
 * cannot send to (syntax, missing domain): retrying it would never succeed.
 * SendingPausedException is NOT here: sending resumes when the operator re-enables it.
 */
const PERMANENT = new Set([
  'MessageRejected',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
  'BadRequestException',
]);

interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function errorName(error: unknown): string {
  const shape = (error ?? {}) as AwsErrorShape;
  return shape.name && shape.name !== 'Error' ? shape.name : (shape.Code ?? shape.name ?? 'Error');
}

/** The error as a reason text, masked: SES echoes the addresses it refuses. */
function describe(error: unknown): string {
  const message = ((error ?? {}) as AwsErrorShape).message;
  return message ? `${errorName(error)}: ${maskPersonalData(message)}` : errorName(error);
}

/** ThrottledError, RejectedMessageError, or the error itself (transient). */
export function classifySesError(error: unknown): unknown {
  const name = errorName(error);
  if (THROTTLING.has(name) || ((error ?? {}) as AwsErrorShape).$metadata?.httpStatusCode === 429) {
    return new ThrottledError(`throttled by SES (${describe(error)})`);
  }
  if (PERMANENT.has(name)) return new RejectedMessageError(describe(error));
  return error;
}

const TAG_VALUE = /^[A-Za-z0-9_-]{1,256}$/;

/** The header that marks a test send's mail (beside the `test` tag). */
export const TEST_HEADER = 'X-Campaign-Test';

/**
 * An SES tag value ([A-Za-z0-9_-], 1 to 256). A valid value passes unchanged; anything else
 * has its other characters replaced by `_` and a short hash of the original appended, so
 * two different ids (`春季` and `夏季`) never end up as the same tag.
 */
export function sesTagValue(value: string): string {
  if (TAG_VALUE.test(value)) return value;
  if (value === '') return 'none';
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  const readable = value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256 - 9);
  return `${readable}-${hash}`;
}

/** RFC 2047 encoded-word (base64, UTF-8) when the text is not plain printable ASCII. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  // Encoded-words are at most 75 characters: split on whole characters, 45 bytes a chunk.
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join(' ');
}

/** A header value SES accepts: printable ASCII, so non-ASCII in a URL is percent-encoded. */
function asciiUrl(url: string): string {
  return url.replace(/[^\x21-\x7e]/g, (char) => encodeURIComponent(char));
}

/**
 * SES (no SMTPUTF8) takes ASCII local parts only; an internationalised domain goes in
 * punycode. Returns undefined for an address SES cannot take.
 */
function sesAddress(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return undefined;
  const local = address.slice(0, at);
  if (!/^[\x21-\x7e]+$/.test(local)) return undefined;
  const domain = domainToASCII(address.slice(at + 1));
  return domain ? `${local}@${domain}` : undefined;
}

export class SesEmailSender implements EmailSender {
  private readonly from: string;

  constructor(
    private readonly ses: SESv2Client,
    private readonly options: SesEmailOptions,
  ) {
    const name = options.fromName?.replace(/["\\\r\n]/g, '');
    this.from = name
      ? `${/^[\x20-\x7e]*$/.test(name) ? `"${name}"` : encodeHeaderWord(name)} <${options.fromEmailAddress}>`
      : options.fromEmailAddress;
  }

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    const to = sesAddress(message.to);
    if (!to) throw new RejectedMessageError(`address SES cannot send to: ${JSON.stringify(maskEmail(message.to))}`);
    const tags: MessageTag[] = [
      { Name: 'campaign', Value: sesTagValue(message.tags.campaignId) },
      { Name: 'wave', Value: sesTagValue(message.tags.waveId) },
      { Name: 'send', Value: sesTagValue(message.tags.sendId) },
      // Delivery events of a test send's mail say so, and are never counted with the campaign's.
      ...(message.tags.test ? [{ Name: 'test', Value: 'true' }] : []),
    ];
    try {
      const result = await this.ses.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [to] },
          ...(this.options.replyToAddresses?.length ? { ReplyToAddresses: this.options.replyToAddresses } : {}),
          ...(this.options.configurationSetName ? { ConfigurationSetName: this.options.configurationSetName } : {}),
          EmailTags: tags,
          Content: {
            Simple: {
              // A line break in a subject would end the header: fold it into a space.
              Subject: { Data: message.subject.replace(/[\r\n]+/g, ' '), Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: message.html, Charset: 'UTF-8' },
              },
              Headers: [
                { Name: 'List-Unsubscribe', Value: `<${asciiUrl(message.unsubscribeUrl)}>` },
                { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
                // A test send's mail says so in its headers too: the tag stays with SES, the header with the mail.
                ...(message.tags.test ? [{ Name: TEST_HEADER, Value: 'true' }] : []),
              ],
            },
          },
        }),
      );
      if (!result.MessageId) throw new Error('SES SendEmail answered without a MessageId');
      return { messageId: result.MessageId };
    } catch (error) {
      throw classifySesError(error);
    }
  }
}
