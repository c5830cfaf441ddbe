import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalServers, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { encodeHeaderWord, SesEmailSender, sesTagValue, TEST_HEADER } from '../../functions/adapters/ses-email.ts';
import { LOCAL_CREDENTIALS } from '../../functions/composition.ts';
import type { EmailMessage } from '../../functions/ports/email.ts';
import { RejectedMessageError, ThrottledError } from '../../functions/ports/sms.ts';

const MESSAGE: EmailMessage = {
  to: 'wang@example.com',
  subject: '双11预售开启：老客专享券',
  text: '王先生，您好！专享券已到账：https://shop.example.com',
  html: '<p>王先生，您好！专享券已到账：<a href="https://shop.example.com">立即查看</a></p>',
  unsubscribeUrl: 'https://shop.example.com/unsubscribe?t=abc123',
  tags: { campaignId: 'd11-2026', waveId: 'presale', sendId: 'presale-email-1', customerId: 'c1' },
};

describe('SesEmailSender (mocked SESv2)', () => {
  const ses = mockClient(SESv2Client);
  const client = new SESv2Client({ region: 'ap-northeast-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  afterEach(() => ses.reset());
  afterAll(() => ses.restore());

  it('sends Simple UTF-8 content with one-click unsubscribe headers, configuration set and tags', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    const sender = new SesEmailSender(client, {
      fromEmailAddress: 'd11@shop.example.com',
      configurationSetName: 'campaign-events',
    });

    // Act
    const result = await sender.send(MESSAGE);

    // Assess
    expect(result).toEqual({ messageId: 'ses-1' });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: 'd11@shop.example.com',
      Destination: { ToAddresses: ['wang@example.com'] },
      ConfigurationSetName: 'campaign-events',
      EmailTags: [
        { Name: 'campaign', Value: 'd11-2026' },
        { Name: 'wave', Value: 'presale' },
        { Name: 'send', Value: 'presale-email-1' },
      ],
      Content: {
        Simple: {
          Subject: { Data: MESSAGE.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: MESSAGE.text, Charset: 'UTF-8' },
            Html: { Data: MESSAGE.html, Charset: 'UTF-8' },
          },
          Headers: [
            { Name: 'List-Unsubscribe', Value: '<https://shop.example.com/unsubscribe?t=abc123>' },
            { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          ],
        },
      },
    });
  });

  it('marks a test send with a test tag and an X-Campaign-Test header; a campaign mail carries neither', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-t' });
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com' });

    // Act
    await sender.send({ ...MESSAGE, tags: { ...MESSAGE.tags, test: true } });
    await sender.send(MESSAGE);

    // Assess
    const [test, real] = ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input);
    expect(test?.EmailTags).toContainEqual({ Name: 'test', Value: 'true' });
    expect(test?.Content?.Simple?.Headers).toContainEqual({ Name: TEST_HEADER, Value: 'true' });
    expect(real?.EmailTags?.map((tag) => tag.Name)).not.toContain('test');
    expect(real?.Content?.Simple?.Headers?.map((header) => header.Name)).not.toContain(TEST_HEADER);
  });

  it('sanitises tag values to [A-Za-z0-9_-] without merging different ids', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-2' });
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com' });

    // Act
    await sender.send({ ...MESSAGE, tags: { ...MESSAGE.tags, waveId: '预热 1', sendId: 'presale.email/1' } });

    // Assess
    const tags = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.EmailTags ?? [];
    for (const tag of tags) expect(tag.Value).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
    expect(sesTagValue('春季')).not.toBe(sesTagValue('夏季'));
    expect(sesTagValue('')).toBe('none');
    expect(sesTagValue('x'.repeat(300))).toHaveLength(256);
  });

  it('encodes a Chinese display name and sends to an internationalised domain in punycode', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-3' });
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com', fromName: '示例旗舰店' });

    // Act
    await sender.send({ ...MESSAGE, to: 'li@例子.中国' });

    // Assess
    const input = ses.commandCalls(SendEmailCommand)[0]?.args[0].input;
    expect(input?.FromEmailAddress).toBe(`${encodeHeaderWord('示例旗舰店')} <d11@shop.example.com>`);
    expect(input?.FromEmailAddress).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <d11@shop\.example\.com>$/);
    expect(input?.Destination?.ToAddresses).toEqual(['li@xn--fsqu00a.xn--fiqs8s']);
  });

  it('refuses an address SES cannot take without calling SES', async () => {
    // Prepare
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com' });

    // Act
    const outcome = await sender.send({ ...MESSAGE, to: '王@example.com' }).catch((error: unknown) => error);

    // Assess
    expect(outcome).toBeInstanceOf(RejectedMessageError);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('masks the addresses SES echoes, and the one it cannot take, in the reason', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message: 'Email address is not verified. The following identities failed the check: wang@example.com',
        $metadata: {},
      }),
    );
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com' });

    // Act
    const refused = await sender.send(MESSAGE).catch((error: unknown) => error);
    const unusable = await sender.send({ ...MESSAGE, to: '王先生@example.com' }).catch((error: unknown) => error);

    // Assess
    expect((refused as RejectedMessageError).reason).toBe(
      'MessageRejected: Email address is not verified. The following identities failed the check: w***@example.com',
    );
    expect((unusable as RejectedMessageError).reason).toBe('address SES cannot send to: "王***@example.com"');
  });

  it('maps SES errors: rate to ThrottledError, refusals to RejectedMessageError, the rest rethrown', async () => {
    // Prepare
    const meta = { $metadata: {} };
    const throttled = [
      new TooManyRequestsException({ message: 'Too many requests', ...meta }),
      new LimitExceededException({ message: 'Maximum sending rate exceeded', ...meta }),
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', ...meta }),
    ];
    const rejected = [
      new MessageRejected({ message: 'Email address is not verified', ...meta }),
      new AccountSuspendedException({ message: 'suspended', ...meta }),
      new MailFromDomainNotVerifiedException({ message: 'mail from', ...meta }),
      new NotFoundException({ message: 'configuration set does not exist', ...meta }),
      new BadRequestException({ message: 'Missing final @domain', ...meta }),
    ];
    const transient = [
      new InternalServiceErrorException({ message: 'boom', ...meta }),
      new SendingPausedException({ message: 'paused', ...meta }),
    ];
    const sender = new SesEmailSender(client, { fromEmailAddress: 'd11@shop.example.com' });
    const outcomeOf = async (error: Error) => {
      ses.reset();
      ses.on(SendEmailCommand).rejects(error);
      return sender.send(MESSAGE).catch((thrown: unknown) => thrown);
    };

    // Act
    const throttledOutcomes = [];
    for (const error of throttled) throttledOutcomes.push(await outcomeOf(error));
    const rejectedOutcomes = [];
    for (const error of rejected) rejectedOutcomes.push(await outcomeOf(error));
    const transientOutcomes = [];
    for (const error of transient) transientOutcomes.push(await outcomeOf(error));

    // Assess
    for (const outcome of throttledOutcomes) expect(outcome).toBeInstanceOf(ThrottledError);
    for (const outcome of rejectedOutcomes) expect(outcome).toBeInstanceOf(RejectedMessageError);
    expect((rejectedOutcomes[0] as RejectedMessageError).reason).toBe('MessageRejected: Email address is not verified');
    expect(transientOutcomes).toEqual(transient);
  });
});

describe('SesEmailSender against aws-ses-v2-local', () => {
  let servers: LocalServers;
  let client: SESv2Client;

  beforeAll(async () => {
    servers = await startLocalServers({ bucket: 'x' });
    client = new SESv2Client({
      region: 'ap-northeast-1',
      endpoint: servers.endpoints.ses,
      credentials: LOCAL_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await servers?.stop();
  });

  it('delivers subject, bodies and unsubscribe headers intact, Chinese included', async () => {
    // Prepare
    const sender = new SesEmailSender(client, {
      fromEmailAddress: 'd11@shop.example.com',
      configurationSetName: 'campaign-events',
    });

    // Act
    const { messageId } = await sender.send(MESSAGE);
    const response = await fetch(`${servers.endpoints.ses}/store`);
    const store = (await response.json()) as {
      emails: {
        messageId: string;
        from: string;
        destination: { to: string[] };
        subject: string;
        body: { text?: string; html?: string };
        headers?: { name: string; value: string }[];
      }[];
    };

    // Assess
    const email = store.emails.find((stored) => stored.messageId === messageId);
    expect(email).toBeDefined();
    expect(email?.from).toBe('d11@shop.example.com');
    expect(email?.destination.to).toEqual(['wang@example.com']);
    expect(email?.subject).toBe('双11预售开启：老客专享券');
    expect(email?.body.text).toBe(MESSAGE.text);
    expect(email?.body.html).toBe(MESSAGE.html);
    expect(email?.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://shop.example.com/unsubscribe?t=abc123>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });
});
