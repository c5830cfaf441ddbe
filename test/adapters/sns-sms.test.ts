import {
  InternalErrorException,
  InvalidParameterException,
  ListPhoneNumbersOptedOutCommand,
  OptedOutException,
  PublishCommand,
  SNSClient,
  SNSServiceException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsOptOuts, SnsSmsSender } from '../../functions/adapters/sns-sms.ts';
import { clientsFor, dispatchDependencies } from '../../functions/composition.ts';
import type { AwsConfig } from '../../functions/config.ts';
import { RejectedMessageError, type SmsMessage, ThrottledError } from '../../functions/ports/sms.ts';

const sns = mockClient(SNSClient);
const client = new SNSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const MESSAGE: SmsMessage = {
  phone: '+8613800138000',
  text: '【示例旗舰店】双11零点开抢，https://s.example.cn/d11 回T退订',
  tags: { campaignId: 'd11-2026', waveId: 'midnight', sendId: 'midnight-sms-1', customerId: 'c1' },
};

afterEach(() => sns.reset());

describe('SnsSmsSender', () => {
  it('publishes to the phone number as a Promotional SMS and returns the message id', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    const sender = new SnsSmsSender(client);

    // Act
    const result = await sender.send(MESSAGE);

    // Assess
    expect(result).toEqual({ messageId: 'sns-1' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      PhoneNumber: '+8613800138000',
      Message: MESSAGE.text,
      MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' } },
    });
  });

  it('adds sender id, origination number and the regulated-country ids when configured', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-2' });
    const sender = new SnsSmsSender(client, {
      senderId: 'SHOP',
      originationNumber: '+12065550100',
      entityId: 'PE-1',
      templateId: 'TPL-9',
    });

    // Act
    await sender.send(MESSAGE);

    // Assess
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.MessageAttributes).toEqual({
      'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Promotional' },
      'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'SHOP' },
      'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+12065550100' },
      'AWS.MM.SMS.EntityId': { DataType: 'String', StringValue: 'PE-1' },
      'AWS.MM.SMS.TemplateId': { DataType: 'String', StringValue: 'TPL-9' },
    });
  });

  it('names each message’s own registered template (AWS.MM.SMS.TemplateId), in place of a configured one', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'sns-3' });
    const plain = new SnsSmsSender(client);
    const configured = new SnsSmsSender(client, { templateId: 'TPL-9' });

    // Act
    await plain.send({ ...MESSAGE, templateId: 'SMS_123456789' });
    await configured.send({ ...MESSAGE, templateId: 'SMS_CARE' });
    await configured.send(MESSAGE);

    // Assess
    const templateIds = sns
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.MessageAttributes?.['AWS.MM.SMS.TemplateId']?.StringValue);
    expect(templateIds).toEqual(['SMS_123456789', 'SMS_CARE', 'TPL-9']);
  });

  it('maps SNS throttling (ThrottledException, Throttling, HTTP 429) to ThrottledError', async () => {
    // Prepare
    const errors = [
      new ThrottledException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
      Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      new SNSServiceException({
        name: 'SomethingNew',
        $fault: 'client',
        message: 'slow down',
        $metadata: { httpStatusCode: 429 },
      }),
    ];
    const sender = new SnsSmsSender(client);

    for (const error of errors) {
      sns.reset();
      sns.on(PublishCommand).rejects(error);

      // Act
      const outcome = sender.send(MESSAGE);

      // Assess
      await expect(outcome).rejects.toBeInstanceOf(ThrottledError);
    }
  });

  it('maps invalid-parameter and opted-out refusals to RejectedMessageError with the reason', async () => {
    // Prepare
    const sender = new SnsSmsSender(client);
    sns
      .on(PublishCommand)
      .rejectsOnce(new InvalidParameterException({ message: 'Invalid parameter: PhoneNumber', $metadata: {} }))
      .rejectsOnce(new OptedOutException({ message: 'Phone number is opted out', $metadata: {} }));

    // Act
    const invalid = await sender.send(MESSAGE).catch((error: unknown) => error);
    const optedOut = await sender.send(MESSAGE).catch((error: unknown) => error);

    // Assess
    expect(invalid).toBeInstanceOf(RejectedMessageError);
    expect((invalid as RejectedMessageError).reason).toBe('InvalidParameterException: Invalid parameter: PhoneNumber');
    expect(optedOut).toBeInstanceOf(RejectedMessageError);
    expect((optedOut as RejectedMessageError).reason).toContain('OptedOutException');
  });

  it('masks the phone number SNS echoes in a refusal or a throttling, in the reason and the message', async () => {
    // Prepare
    const sender = new SnsSmsSender(client);
    sns
      .on(PublishCommand)
      .rejectsOnce(
        new InvalidParameterException({
          message: 'Invalid parameter: PhoneNumber Reason: +8613800138000 is not valid',
          $metadata: {},
        }),
      )
      .rejectsOnce(new ThrottledException({ message: 'Rate exceeded for +8613800138000', $metadata: {} }));

    // Act
    const invalid = await sender.send(MESSAGE).catch((error: unknown) => error);
    const throttled = await sender.send(MESSAGE).catch((error: unknown) => error);

    // Assess
    expect((invalid as RejectedMessageError).reason).toBe(
      'InvalidParameterException: Invalid parameter: PhoneNumber Reason: +86138****8000 is not valid',
    );
    expect((invalid as Error).message).not.toContain('+8613800138000');
    expect(throttled).toBeInstanceOf(ThrottledError);
    expect((throttled as Error).message).toBe(
      'throttled by SNS (ThrottledException: Rate exceeded for +86138****8000)',
    );
  });

  it('rethrows other errors unchanged (transient: the sender decides)', async () => {
    // Prepare
    const internal = new InternalErrorException({ message: 'boom', $metadata: { httpStatusCode: 500 } });
    sns.on(PublishCommand).rejects(internal);
    const sender = new SnsSmsSender(client);

    // Act
    const outcome = await sender.send(MESSAGE).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBe(internal);
  });
});

describe('SnsOptOuts', () => {
  it('reads every page of ListPhoneNumbersOptedOut, following nextToken', async () => {
    // Prepare
    const page1 = Array.from({ length: 100 }, (_, i) => `+86138${String(i).padStart(8, '0')}`);
    sns
      .on(ListPhoneNumbersOptedOutCommand)
      .resolvesOnce({ phoneNumbers: page1, nextToken: 't1' })
      .resolvesOnce({ phoneNumbers: ['+8613900000001'], nextToken: 't2' })
      .resolvesOnce({ phoneNumbers: ['+8613900000002'] });
    const optOuts = new SnsOptOuts(client);

    // Act
    const numbers = await optOuts.list();

    // Assess
    expect(numbers.size).toBe(102);
    expect(numbers.has('+8613900000002')).toBe(true);
    expect(sns.commandCalls(ListPhoneNumbersOptedOutCommand).map((call) => call.args[0].input)).toEqual([
      {},
      { nextToken: 't1' },
      { nextToken: 't2' },
    ]);
  });

  it('refuses to loop on a repeated nextToken', async () => {
    // Prepare
    sns.on(ListPhoneNumbersOptedOutCommand).resolves({ phoneNumbers: [], nextToken: 'same' });
    const optOuts = new SnsOptOuts(client);

    // Act
    const outcome = optOuts.list();

    // Assess
    await expect(outcome).rejects.toThrow(/repeated a nextToken/);
  });
});

describe('the SNS clients on AWS', () => {
  const config: AwsConfig = {
    runtime: 'aws',
    region: 'ap-northeast-1',
    tables: { customers: 'c', imports: 'i', campaigns: 'k', touches: 't', links: 'l' },
    dataBucket: 'data',
    importQueueUrl: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/import',
    sendQueueUrl: 'https://sqs.ap-northeast-1.amazonaws.com/123456789012/send',
    scheduler: { targetArn: 'arn:target', roleArn: 'arn:role', deadLetterArn: 'arn:dlq' },
    email: { from: 'campaign@mail.d11-shop.cn', configurationSet: 'set' },
    sms: {},
    webhookSecretArn: 'arn:secret',
    linkSecretArn: 'arn:link-secret',
    maxOrderAmount: 1_000_000,
  };

  it('send with one attempt (a retried Publish may send twice) and read the opt-out list with SDK retries', async () => {
    // Prepare
    const clients = clientsFor(config);

    // Act
    const sending = await clients.sns?.config.maxAttempts();
    const reading = await clients.snsReads?.config.maxAttempts();
    const readingMode = await clients.snsReads?.config.retryStrategy();

    // Assess
    expect(sending).toBe(1);
    expect(reading).toBeGreaterThan(1);
    expect((readingMode as { mode?: string } | undefined)?.mode).toBe('adaptive');
  });

  it('give the dispatcher the retrying client for the opt-out list', async () => {
    // Prepare
    sns.on(ListPhoneNumbersOptedOutCommand).resolves({ phoneNumbers: ['+8613900000001'] });
    const { optOuts } = dispatchDependencies(config);

    // Act
    const numbers = await optOuts.list();

    // Assess
    expect([...numbers]).toEqual(['+8613900000001']);
    const calls = sns.commandCalls(ListPhoneNumbersOptedOutCommand);
    expect(calls.map((call) => call.thisValue)).toEqual([clientsFor(config).snsReads]);
  });
});
