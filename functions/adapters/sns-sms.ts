/**
 * SMS through Amazon SNS: Publish straight to a phone number (no topic), and the account's
 * opt-out list (numbers that replied STOP / 回T退订), read once before a wave.
 *
 * Errors are sorted for the sender: rate refusals become ThrottledError (pause and retry),
 * refusals of this message for good become RejectedMessageError (never retried), and the
 * rest is rethrown unchanged (transient: the sender decides; a Publish that timed out may
 * have been delivered, so it is not blindly re-sent).
 */
import {
  ListPhoneNumbersOptedOutCommand,
  type MessageAttributeValue,
  PublishCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { maskPersonalData } from '../domain/masking.ts';
import type { SmsOptOuts } from '../ports/opt-outs.ts';
import { RejectedMessageError, type SmsMessage, type SmsSender, ThrottledError } from '../ports/sms.ts';

export interface SnsSmsOptions {
  /** Alphanumeric sender ID (`AWS.SNS.SMS.SenderID`), where the destination country supports one. */
  senderId?: string;
  /** A number the account owns (`AWS.MM.SMS.OriginationNumber`), E.164: long code, short code, 10DLC. */
  originationNumber?: string;
  /** Regulated countries (India DLT): the registered entity id (`AWS.MM.SMS.EntityId`). */
  entityId?: string;
  /**
   * Regulated countries: the registered template id (`AWS.MM.SMS.TemplateId`) for every
   * message; a message's own `templateId` (the text's registration) takes its place.
   */
  templateId?: string;
}

/** Error names (SDK class names and raw wire codes) that mean "too fast, retry later". */
const THROTTLING = new Set([
  'ThrottledException',
  'Throttled',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/** Error names that refuse this one message for good (bad number, opted out, ...). */
const PERMANENT = new Set([
  'InvalidParameterException',
  'InvalidParameter',
  'InvalidParameterValueException',
  'ParameterValueInvalid',
  'OptedOutException',
  'OptedOut',
]);

interface AwsErrorShape {
  name?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The error's name, or its wire code when the SDK had no class for it. */
export function awsErrorName(error: unknown): string {
  const shape = (error ?? {}) as AwsErrorShape;
  return shape.name && shape.name !== 'Error' ? shape.name : (shape.Code ?? shape.name ?? 'Error');
}

export function awsHttpStatus(error: unknown): number | undefined {
  return ((error ?? {}) as AwsErrorShape).$metadata?.httpStatusCode;
}

/** The error as a reason text, masked: SNS echoes the phone number it refuses. */
function describe(error: unknown): string {
  const message = ((error ?? {}) as AwsErrorShape).message;
  return message ? `${awsErrorName(error)}: ${maskPersonalData(message)}` : awsErrorName(error);
}

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

export class SnsSmsSender implements SmsSender {
  private readonly fixedAttributes: Record<string, MessageAttributeValue>;

  constructor(
    private readonly sns: SNSClient,
    options: SnsSmsOptions = {},
  ) {
    // Marketing text is Promotional: cheaper routes, and the type the regulations expect.
    const attributes: Record<string, MessageAttributeValue> = {
      'AWS.SNS.SMS.SMSType': stringAttribute('Promotional'),
    };
    if (options.senderId) attributes['AWS.SNS.SMS.SenderID'] = stringAttribute(options.senderId);
    if (options.originationNumber) {
      attributes['AWS.MM.SMS.OriginationNumber'] = stringAttribute(options.originationNumber);
    }
    if (options.entityId) attributes['AWS.MM.SMS.EntityId'] = stringAttribute(options.entityId);
    if (options.templateId) attributes['AWS.MM.SMS.TemplateId'] = stringAttribute(options.templateId);
    this.fixedAttributes = attributes;
  }

  async send(message: SmsMessage): Promise<{ messageId: string }> {
    // SNS has no per-message tags for SMS; the returned message id is what ties the
    // delivery-status logs back to the send record (which carries message.tags).
    try {
      const result = await this.sns.send(
        new PublishCommand({
          PhoneNumber: message.phone,
          Message: message.text,
          MessageAttributes: messageAttributes(this.fixedAttributes, message.templateId),
        }),
      );
      if (!result.MessageId) throw new Error('SNS Publish answered without a MessageId');
      return { messageId: result.MessageId };
    } catch (error) {
      throw classifySnsError(error);
    }
  }
}

/** The Publish attributes of one message: the fixed ones, and the text's own registered template id. */
export function messageAttributes(
  fixed: Readonly<Record<string, MessageAttributeValue>>,
  templateId: string | undefined,
): Record<string, MessageAttributeValue> {
  const attributes = { ...fixed };
  if (templateId !== undefined) attributes['AWS.MM.SMS.TemplateId'] = stringAttribute(templateId);
  return attributes;
}

/** ThrottledError, RejectedMessageError, or the error itself (transient). */
export function classifySnsError(error: unknown): unknown {
  const name = awsErrorName(error);
  if (THROTTLING.has(name) || awsHttpStatus(error) === 429) {
    return new ThrottledError(`throttled by SNS (${describe(error)})`);
  }
  if (PERMANENT.has(name)) return new RejectedMessageError(describe(error));
  return error;
}

/** The account's SNS SMS opt-out list, all pages (SNS returns 100 numbers per page). */
export class SnsOptOuts implements SmsOptOuts {
  constructor(private readonly sns: SNSClient) {}

  async list(): Promise<Set<string>> {
    const numbers = new Set<string>();
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.sns.send(
        new ListPhoneNumbersOptedOutCommand(nextToken === undefined ? {} : { nextToken }),
      );
      for (const phone of page.phoneNumbers ?? []) numbers.add(phone);
      nextToken = page.nextToken || undefined;
      // A token that comes back twice would loop for ever: stop rather than spin.
      if (nextToken !== undefined) {
        if (seenTokens.has(nextToken)) throw new Error('SNS ListPhoneNumbersOptedOut repeated a nextToken');
        seenTokens.add(nextToken);
      }
    } while (nextToken !== undefined);
    return numbers;
  }
}
