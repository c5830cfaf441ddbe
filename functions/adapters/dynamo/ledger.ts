/**
 * The ledger item (`customers` table, sk `LEDGER`): one conditional UpdateItem per message
 * enforces idempotency (the touch id is not in `claims`), the campaign's touch cap and the
 * SMS cap of the calendar month across campaigns, all at once. Only a refusal costs a read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimOutcome, Ledger, LedgerClaim } from '../../ports/ledger.ts';
import { customerPk } from './customer-store.ts';

export const LEDGER_SK = 'LEDGER';
/** BatchGetItem takes at most 100 keys. */
const BATCH_GET = 100;

export class DynamoLedger implements Ledger {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(request: LedgerClaim): Promise<ClaimOutcome> {
    const names: Record<string, string> = { '#touches': `touches:${request.campaignId}` };
    const values: Record<string, unknown> = {
      ':claim': new Set([request.touchId]),
      ':touchId': request.touchId,
      ':one': 1,
      ':touchCap': request.touchCap,
    };
    let update = 'ADD claims :claim, #touches :one';
    let condition =
      '(attribute_not_exists(claims) OR NOT contains(claims, :touchId)) AND (attribute_not_exists(#touches) OR #touches < :touchCap)';
    if (request.smsMonth) {
      names['#month'] = `sms:${request.smsMonth.month}`;
      values[':smsCap'] = request.smsMonth.cap;
      update += ', #month :one';
      condition += ' AND (attribute_not_exists(#month) OR #month < :smsCap)';
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: customerPk(request.customerId), sk: LEDGER_SK },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: customerPk(request.customerId), sk: LEDGER_SK },
        ConsistentRead: true,
      }),
    );
    const claims = (Item?.claims as Set<string> | undefined) ?? new Set<string>();
    if (claims.has(request.touchId)) return { kind: 'already' };
    if (Number(Item?.[names['#touches'] as string] ?? 0) >= request.touchCap) {
      return { kind: 'refused', reason: 'cap:touches' };
    }
    return { kind: 'refused', reason: 'cap:sms-month' };
  }

  async release(request: LedgerClaim): Promise<void> {
    const names: Record<string, string> = { '#touches': `touches:${request.campaignId}` };
    const values: Record<string, unknown> = {
      ':claim': new Set([request.touchId]),
      ':touchId': request.touchId,
      ':minus': -1,
    };
    let update = 'DELETE claims :claim ADD #touches :minus';
    if (request.smsMonth) {
      names['#month'] = `sms:${request.smsMonth.month}`;
      update += ', #month :minus';
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: customerPk(request.customerId), sk: LEDGER_SK },
          UpdateExpression: update,
          // Only a claim that is there: a repeated release gives nothing back twice.
          ConditionExpression: 'contains(claims, :touchId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async claimedAmong(touches: ReadonlyArray<Pick<LedgerClaim, 'customerId' | 'touchId'>>): Promise<Set<string>> {
    const claimed = new Set<string>();
    const wanted = new Map(touches.map((touch) => [customerPk(touch.customerId), touch]));
    const keys = [...wanted.keys()];
    for (let start = 0; start < keys.length; start += BATCH_GET) {
      let pending: Array<Record<string, unknown>> = keys
        .slice(start, start + BATCH_GET)
        .map((pk) => ({ pk, sk: LEDGER_SK }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        const result = await this.documents.send(
          new BatchGetCommand({
            RequestItems: {
              [this.tableName]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk, claims' },
            },
          }),
        );
        for (const item of result.Responses?.[this.tableName] ?? []) {
          const touch = wanted.get(String(item.pk));
          const claims = item.claims as Set<string> | undefined;
          if (touch && claims?.has(touch.touchId)) claimed.add(touch.customerId);
        }
        pending = (result.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
        if (pending.length > 0 && attempt >= 8) throw new Error(`ledger read: ${pending.length} keys left unprocessed`);
      }
    }
    return claimed;
  }
}
