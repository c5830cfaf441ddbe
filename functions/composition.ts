/**
 * The composition root: the one place that knows where the code runs. It builds every
 * AWS client from the config (with the endpoint override locally) and the adapters the
 * use cases take, so a handler is the same code on AWS and on the embedded stack.
 */

import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoCustomerStore } from './adapters/dynamo/customer-store.ts';
import { DynamoImportStore } from './adapters/dynamo/import-store.ts';
import { InProcessImportContinuation } from './adapters/local/import-continuation.ts';
import { S3ObjectStorage } from './adapters/s3-object-storage.ts';
import { SqsImportContinuation } from './adapters/sqs-import-continuation.ts';
import type { Config } from './config.ts';
import type { ImportRef } from './ports/import-store.ts';
import type { ImportLog, ImportSegmentDeps } from './usecases/import-segment.ts';

/** s3rver accepts only this key pair; every local client uses it (the others ignore it). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient | undefined;
}

function common(config: Config) {
  return config.runtime === 'local'
    ? { region: config.region, credentials: LOCAL_CREDENTIALS, maxAttempts: 5 }
    : { region: config.region, maxAttempts: 5 };
}

export function createClients(config: Config): AwsClients {
  const base = common(config);
  const local = config.runtime === 'local' ? config : undefined;
  const dynamodb = new DynamoDBClient({ ...base, ...(local ? { endpoint: local.endpoints.dynamodb } : {}) });
  const documents = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  const s3 = new S3Client({
    ...base,
    ...(local
      ? {
          endpoint: local.endpoints.s3,
          forcePathStyle: true,
          // s3rver stores streamed uploads with the chunk framing inside unless checksums are off.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  const sqs = config.runtime === 'aws' ? new SQSClient(base) : undefined;
  return { dynamodb, documents, s3, sqs };
}

/** The zone for segment dates without an offset, until a campaign says otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const clientCache = new Map<string, AwsClients>();

/** Clients are built once per container (per distinct config) and reused by every invocation. */
export function clientsFor(config: Config): AwsClients {
  const key = JSON.stringify(config);
  let clients = clientCache.get(key);
  if (!clients) {
    clients = createClients(config);
    clientCache.set(key, clients);
  }
  return clients;
}

export function importDependencies(
  config: Config,
  options: {
    log: ImportLog;
    owner?: string;
    /** Locally, how a continuation is delivered (the handler itself). */
    deliverLocally: (body: { continueImport: ImportRef }) => Promise<unknown>;
  },
): ImportSegmentDeps {
  const clients = clientsFor(config);
  const continuation =
    config.runtime === 'aws'
      ? new SqsImportContinuation(clients.sqs as NonNullable<AwsClients['sqs']>, config.importQueueUrl)
      : new InProcessImportContinuation(options.deliverLocally);
  return {
    storage: new S3ObjectStorage(clients.s3, config.dataBucket),
    customers: new DynamoCustomerStore(clients.dynamodb, config.tables.customers),
    imports: new DynamoImportStore(clients.documents, config.tables.imports),
    continuation,
    timeZone: DEFAULT_TIME_ZONE,
    owner: options.owner ?? randomUUID(),
    clock: Date.now,
    log: options.log,
  };
}
