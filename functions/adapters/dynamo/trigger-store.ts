/**
 * Triggered reminders in DynamoDB. In the `campaigns` table: the registry of campaigns with
 * order rules (pk `TRIGGERS`, sk `CAMPAIGN#<id>`, the approved campaign as JSON) and one item
 * per check (pk `CHECKS#<campaign>`, sk `<rule>#<orderId>`). In the `customers` table the
 * contacts are read from the segment rows. Single-item conditional writes only: a check's
 * outcome is written once, whoever races.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { parseCampaign } from '../../domain/campaign.ts';
import type { CheckRule } from '../../domain/triggers.ts';
import type { CheckRecord, Contact, ContactBook, RegisteredCampaign, TriggerStore } from '../../ports/trigger-store.ts';
import { queryAll } from './all-pages.ts';
import { customerPk } from './customer-store.ts';
import { registryChanged } from './live-registry.ts';

const REGISTRY_PK = 'TRIGGERS';
const registrySk = (campaignId: string) => `CAMPAIGN#${campaignId}`;
/** The partition key prefix of the check records: the only items the webhook and the check write here. */
export const CHECKS_PK_PREFIX = 'CHECKS#';
const checksPk = (campaignId: string) => `${CHECKS_PK_PREFIX}${campaignId}`;
const checkSk = (rule: CheckRule, orderId: string) => `${rule}#${orderId}`;

function conditionFailed(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}

export class DynamoTriggerStore implements TriggerStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(entry: RegisteredCampaign): Promise<void> {
    try {
      await this.putRegistration(entry);
    } finally {
      registryChanged();
    }
  }

  private async putRegistration(entry: RegisteredCampaign): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: REGISTRY_PK,
            sk: registrySk(entry.campaignId),
            campaignId: entry.campaignId,
            version: entry.version,
            campaignJson: JSON.stringify(entry.campaign),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR version <= :version',
          ExpressionAttributeValues: { ':version': entry.version },
        }),
      );
    } catch (error) {
      // A newer approved version is registered already.
      if (!conditionFailed(error)) throw error;
    }
  }

  async unregister(campaignId: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: REGISTRY_PK, sk: registrySk(campaignId) } }),
      );
    } finally {
      registryChanged();
    }
  }

  async registered(): Promise<RegisteredCampaign[]> {
    const items = await this.queryAll(REGISTRY_PK);
    return items.map(registeredOf);
  }

  async registeredOne(campaignId: string): Promise<RegisteredCampaign | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: REGISTRY_PK, sk: registrySk(campaignId) } }),
    );
    return Item ? registeredOf(Item) : undefined;
  }

  async recordScheduled(record: CheckRecord): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: checksPk(record.campaignId), sk: checkSk(record.rule, record.orderId), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  }

  async recordOutcome(record: CheckRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: checksPk(record.campaignId), sk: checkSk(record.rule, record.orderId), ...record },
          // Only a check with no outcome yet moves on: the first outcome is the only one.
          ConditionExpression: 'attribute_not_exists(pk) OR #status IN (:scheduled, :waiting)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':scheduled': 'scheduled', ':waiting': 'waiting' },
        }),
      );
      return true;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
      return false;
    }
  }

  async getCheck(campaignId: string, rule: CheckRule, orderId: string): Promise<CheckRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: checksPk(campaignId), sk: checkSk(rule, orderId) },
        ConsistentRead: true,
      }),
    );
    return Item ? recordOf(Item) : undefined;
  }

  async checksOf(campaignId: string): Promise<CheckRecord[]> {
    return (await this.queryAll(checksPk(campaignId))).map(recordOf);
  }

  private queryAll(pk: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    });
  }
}

function registeredOf(item: Record<string, unknown>): RegisteredCampaign {
  return {
    campaignId: String(item.campaignId),
    version: Number(item.version),
    campaign: parseCampaign(String(item.campaignJson)),
  };
}

function recordOf(item: Record<string, unknown>): CheckRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as CheckRecord;
}

/** Contacts from the segment rows (`customers` table): this campaign's rows first, then any with a phone. */
export class DynamoContactBook implements ContactBook {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async contactOf(campaignId: string, customerId: string): Promise<Contact | undefined> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :segment)',
        ExpressionAttributeValues: { ':pk': customerPk(customerId), ':segment': 'SEGMENT#' },
      }),
    );
    if (Items.length === 0) return undefined;
    const ranked = [...Items].sort((a, b) => rank(b, campaignId) - rank(a, campaignId));
    const best = ranked[0] as Record<string, unknown>;
    const contact: Contact = {};
    if (typeof best.phone === 'string') contact.phone = best.phone;
    if (typeof best.name === 'string') contact.name = best.name;
    if (best.device === 'mobile' || best.device === 'pc' || best.device === 'both') contact.device = best.device;
    // An opt-out in any file counts: opt-outs are absolute.
    if (Items.some((item) => item.optOutSms === true)) contact.optOutSms = true;
    return contact;
  }
}

function rank(item: Record<string, unknown>, campaignId: string): number {
  return (item.campaignId === campaignId ? 2 : 0) + (typeof item.phone === 'string' ? 1 : 0);
}
