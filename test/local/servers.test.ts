import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables } from '../../functions/adapters/dynamo/ensure-tables.ts';
import { localConfigFor } from '../../functions/adapters/local/local-config.ts';
import { type LocalServers, PortInUseError, startLocalServers } from '../../functions/adapters/local/servers.ts';
import { createClients, LOCAL_CREDENTIALS } from '../../functions/composition.ts';
import type { LocalConfig } from '../../functions/config.ts';

const BUCKET = 'campaign-data';
const KEY = 'segments/d11-2026/vip 客户.csv';
const FAILING_KEY = 'segments/d11-2026/handler-throws.csv';

function localConfig(endpoints: LocalServers['endpoints'], dataDir: string): LocalConfig {
  return localConfigFor(endpoints, { dataBucket: BUCKET, dataDir, httpPort: 3000 });
}

/** Waits for an event the servers report; only the test's own time limit bounds it, however slow the machine. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('startLocalServers', () => {
  let dataDir: string;
  let servers: LocalServers;
  let config: LocalConfig;
  const events: { Records: S3EventRecord[] }[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'local-servers-test-'));
    servers = await startLocalServers({
      dataDir,
      ports: { dynamodb: 0, s3: 0, ses: 0 },
      bucket: BUCKET,
      onObjectCreated: (event) => {
        events.push(event);
        if (event.Records[0]?.s3.object.key === FAILING_KEY) throw new Error('import exploded');
      },
      log: (line) => logs.push(line),
    });
    config = localConfig(servers.endpoints, dataDir);
  });

  afterAll(async () => {
    await servers?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts all three on distinct ephemeral 127.0.0.1 ports', () => {
    // Prepare: the servers were started in beforeAll.
    // Act: read the endpoints.
    const ports = Object.values(servers.endpoints).map((endpoint) => new URL(endpoint));
    // Assess
    for (const url of ports) {
      expect(url.hostname).toBe('127.0.0.1');
      expect(Number(url.port)).toBeGreaterThan(0);
    }
    expect(new Set(ports.map((url) => url.port)).size).toBe(3);
  });

  it('creates tables with ensureTables (twice is fine) and stores items on disk under dataDir', async () => {
    // Prepare
    const { dynamodb, documents } = createClients(config);
    // Act
    await ensureTables(dynamodb, ['customers', 'imports']);
    await ensureTables(dynamodb, ['customers', 'imports']);
    await documents.send(
      new PutCommand({ TableName: 'customers', Item: { pk: 'CUSTOMER#c1', sk: 'PROFILE', name: '王小明' } }),
    );
    const { Item } = await documents.send(
      new GetCommand({ TableName: 'customers', Key: { pk: 'CUSTOMER#c1', sk: 'PROFILE' } }),
    );
    // Assess
    expect(Item).toEqual({ pk: 'CUSTOMER#c1', sk: 'PROFILE', name: '王小明' });
    expect(existsSync(join(dataDir, 'dynamodb', 'CURRENT'))).toBe(true);
    dynamodb.destroy();
  });

  it('delivers an S3 upload with spaces and Chinese in the key as an ObjectCreated notification', async () => {
    // Prepare
    const { s3 } = createClients(config);
    // Act
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: 'customer_id,phone\nc1,+8613800000000\n' }));
    await until(() => events.some((event) => event.Records[0]?.s3.object.key === KEY));
    // Assess
    const event = events.find((candidate) => candidate.Records[0]?.s3.object.key === KEY)!;
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      // s3rver leaves the key decoded (AWS would send `vip+%E5%AE%A2%E6%88%B7.csv`).
      s3: { bucket: { name: BUCKET }, object: { key: KEY } },
    });
    expect(await readdir(join(dataDir, 's3', BUCKET), { recursive: true })).not.toHaveLength(0);
    s3.destroy();
  });

  it('logs an onObjectCreated failure and keeps serving', async () => {
    // Prepare
    const { s3 } = createClients(config);
    // Act
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: FAILING_KEY, Body: 'x' }));
    await until(() => logs.some((line) => line.includes('import exploded')));
    // Assess
    expect(logs.find((line) => line.includes('import exploded'))).toContain(FAILING_KEY);
    expect(await servers.health()).toEqual({ dynamodb: true, s3: true, ses: true });
    s3.destroy();
  });

  it('accepts an SES v2 SendEmail and shows it in GET /store', async () => {
    // Prepare
    const ses = new SESv2Client({
      region: config.region,
      credentials: LOCAL_CREDENTIALS,
      endpoint: servers.endpoints.ses,
    });
    // Act
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'campaign@example.com',
        Destination: { ToAddresses: ['customer@example.com'] },
        Content: { Simple: { Subject: { Data: '双十一预告' }, Body: { Text: { Data: '明晚 20:00 开抢' } } } },
      }),
    );
    const store = (await (await fetch(`${servers.endpoints.ses}/store`)).json()) as {
      emails: { messageId: string; subject: string; destination: { to: string[] } }[];
    };
    // Assess
    expect(MessageId).toBeTruthy();
    expect(store.emails).toContainEqual(
      expect.objectContaining({
        messageId: MessageId,
        subject: '双十一预告',
        destination: expect.objectContaining({ to: ['customer@example.com'] }),
      }),
    );
    ses.destroy();
  });

  it('reports every server healthy', async () => {
    // Prepare: running servers.
    // Act
    const health = await servers.health();
    // Assess
    expect(health).toEqual({ dynamodb: true, s3: true, ses: true });
  });

  it('refuses a second server on a port that is taken, naming the service', async () => {
    // Prepare
    const s3Port = Number(new URL(servers.endpoints.s3).port);
    // Act
    const attempt = startLocalServers({ bucket: BUCKET, ports: { s3: s3Port } });
    // Assess
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toMatchObject({ service: 's3', port: s3Port });
  });

  it('stops everything (twice is safe), then health is false and the endpoints refuse', async () => {
    // Prepare: running servers.
    // Act
    await servers.stop();
    await servers.stop();
    const health = await servers.health();
    // Assess
    expect(health).toEqual({ dynamodb: false, s3: false, ses: false });
    for (const endpoint of Object.values(servers.endpoints)) {
      await expect(fetch(endpoint, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
    }
  });

  it('keeps the DynamoDB data across a restart on the same dataDir', async () => {
    // Prepare: the servers above were stopped; start new ones on the same folder.
    const again = await startLocalServers({ dataDir, bucket: BUCKET });
    const { documents, dynamodb } = createClients(localConfig(again.endpoints, dataDir));
    try {
      // Act
      const { Item } = await documents.send(
        new GetCommand({ TableName: 'customers', Key: { pk: 'CUSTOMER#c1', sk: 'PROFILE' } }),
      );
      // Assess
      expect(Item?.name).toBe('王小明');
    } finally {
      dynamodb.destroy();
      await again.stop();
    }
  });
});

describe('startLocalServers without a dataDir', () => {
  it('runs in memory and a temp S3 folder', async () => {
    // Prepare
    const servers = await startLocalServers({ bucket: BUCKET });
    try {
      const { dynamodb } = createClients(localConfig(servers.endpoints, 'unused'));
      // Act
      await ensureTables(dynamodb, ['imports']);
      const health = await servers.health();
      // Assess
      expect(health).toEqual({ dynamodb: true, s3: true, ses: true });
      dynamodb.destroy();
    } finally {
      await servers.stop();
    }
  });
});
