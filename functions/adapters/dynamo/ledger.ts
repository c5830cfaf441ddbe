/**
 * The ledger item (`customers` table, sk `LEDGER`): one conditional UpdateItem per message
 * enforces idempotency (the touch id is not in `claims`), the campaign's touch cap and the
 * SMS cap of the calendar month across campaigns, all at once. Only a refusal costs a read.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ClaimOutcome, Ledger, LedgerClaim } from '../../ports/ledger.ts';
import { customerPk } from './customer-store.ts';

export const LEDGER_SK = 'LEDGER';

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
}
