/**
 * Import records in DynamoDB (the `imports` table): pk = the object key, sk = its ETag, so
 * one file content has exactly one record however often its event arrives. Ownership is
 * a lease taken and renewed with single-item conditional writes (no transactions).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ClaimResult,
  type ImportRecord,
  type ImportRef,
  type ImportStore,
  LeaseLostError,
  type NewImport,
} from '../../ports/import-store.ts';
import { scanAll } from './all-pages.ts';

type StoredImport = ImportRecord & { pk: string; sk: string };

function toRecord(item: Record<string, unknown>): ImportRecord {
  const { pk: _pk, sk: _sk, ...record } = item as unknown as StoredImport;
  return record;
}

export class DynamoImportStore implements ImportStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(request: NewImport, owner: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const record: ImportRecord = {
      ...request,
      status: 'running',
      owner,
      leaseUntil: now + leaseMs,
      checkpointLine: 0,
      progressRows: 0,
      invocations: 1,
      workedMs: 0,
      startedAt: new Date(now).toISOString(),
      rows: 0,
      imported: 0,
      rejected: 0,
      repeats: 0,
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: request.key, sk: request.etag, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { kind: 'claimed', record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const existing = await this.get(request);
    if (!existing) return this.claim(request, owner, now, leaseMs);
    if (existing.status !== 'running') return { kind: 'done', record: existing };
    if (existing.leaseUntil > now) return { kind: 'busy', record: existing };
    // The holder stopped renewing (crashed, or handed over to a continuation): take over.
    try {
      const result = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: request.key, sk: request.etag },
          UpdateExpression: 'SET #owner = :owner, leaseUntil = :lease ADD invocations :one',
          ConditionExpression: '#status = :running AND #owner = :previous AND leaseUntil = :previousLease',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':lease': now + leaseMs,
            ':one': 1,
            ':running': 'running',
            ':previous': existing.owner,
            ':previousLease': existing.leaseUntil,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'claimed', record: toRecord(result.Attributes ?? {}) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { kind: 'busy', record: existing };
      throw error;
    }
  }

  async checkpoint(
    ref: ImportRef,
    owner: string,
    progress: { checkpointLine: number; progressRows: number; workedMs: number },
    leaseUntil: number,
  ): Promise<void> {
    await this.whileLeased(ref, owner, {
      checkpointLine: progress.checkpointLine,
      progressRows: progress.progressRows,
      workedMs: progress.workedMs,
      leaseUntil,
    });
  }

  async finish(ref: ImportRef, owner: string, result: Parameters<ImportStore['finish']>[2]): Promise<ImportRecord> {
    return toRecord(await this.whileLeased(ref, owner, { ...result, leaseUntil: 0 }));
  }

  async handOverToRun(ref: ImportRef, owner: string, run: string, leaseUntil: number): Promise<void> {
    await this.whileLeased(ref, owner, { owner: run, run, mode: 'distributed', leaseUntil });
  }

  /**
   * Sets these attributes only while `owner` holds the running import (every write of an import
   * in progress is one): anyone else's write, after a lease was taken over, is LeaseLostError.
   * Undefined values are left as they are. Answers the item as it now is.
   */
  private async whileLeased(
    ref: ImportRef,
    owner: string,
    attributes: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const fields = Object.entries(attributes).filter(([, value]) => value !== undefined);
    try {
      const updated = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ref.key, sk: ref.etag },
          UpdateExpression: `SET ${fields.map(([name]) => `#${name} = :${name}`).join(', ')}`,
          ConditionExpression: '#lease_owner = :lease_owner AND #lease_state = :lease_running',
          ExpressionAttributeNames: {
            ...Object.fromEntries(fields.map(([name]) => [`#${name}`, name])),
            '#lease_owner': 'owner',
            '#lease_state': 'status',
          },
          ExpressionAttributeValues: {
            ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])),
            ':lease_owner': owner,
            ':lease_running': 'running',
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return updated.Attributes ?? {};
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(ref.key);
      throw error;
    }
  }

  async recordExecution(ref: ImportRef, run: string, executionArn: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: ref.key, sk: ref.etag },
          UpdateExpression: 'SET executionArn = :arn',
          ConditionExpression: '#owner = :run',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':arn': executionArn, ':run': run },
        }),
      );
    } catch (error) {
      // The run finished first (it no longer owns a running import): the ARN is only a pointer.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async get(ref: Pick<ImportRef, 'key' | 'etag'>): Promise<ImportRecord | undefined> {
    const result = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: ref.key, sk: ref.etag }, ConsistentRead: true }),
    );
    return result.Item ? toRecord(result.Item) : undefined;
  }

  async latest(key: string): Promise<ImportRecord | undefined> {
    const result = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :key',
        ExpressionAttributeValues: { ':key': key },
        ConsistentRead: true,
      }),
    );
    const records = (result.Items ?? []).map(toRecord);
    return records.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))[0];
  }

  async importedCustomers(campaignId: string): Promise<number> {
    // The table holds one item per file content: small beside the customers table, read whole.
    const newest = new Map<string, { startedAt: string; imported: number }>();
    const items = await scanAll(this.documents, {
      TableName: this.tableName,
      FilterExpression: 'campaignId = :campaign AND #status = :succeeded',
      ProjectionExpression: 'pk, startedAt, imported',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':campaign': campaignId, ':succeeded': 'succeeded' },
      ConsistentRead: true,
    });
    for (const item of items) {
      const { pk, startedAt, imported } = item as { pk: string; startedAt: string; imported?: number };
      const earlier = newest.get(pk);
      if (!earlier || startedAt > earlier.startedAt) newest.set(pk, { startedAt, imported: imported ?? 0 });
    }
    let total = 0;
    for (const { imported } of newest.values()) total += imported;
    return total;
  }
}
