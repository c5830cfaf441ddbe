/**
 * Key schemas of the tables, for creating them on the local DynamoDB (on AWS the CDK
 * stateful stack owns them; test/lib checks the two agree). Every table uses generic
 * `pk`/`sk` string keys, so each can hold the item types its README section lists.
 * Time to live is not part of them: dynalite has no UpdateTimeToLive and never expires
 * items, so only the CDK enables it (on `CAMPAIGNS_TTL_ATTRIBUTE` of the campaigns table).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { TableName } from '../../config.ts';

export const KEY_ATTRIBUTES = { partition: 'pk', sort: 'sk' } as const;

export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: KEY_ATTRIBUTES.partition, AttributeType: 'S' },
      { AttributeName: KEY_ATTRIBUTES.sort, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: KEY_ATTRIBUTES.partition, KeyType: 'HASH' },
      { AttributeName: KEY_ATTRIBUTES.sort, KeyType: 'RANGE' },
    ],
  };
}

export type { TableName };
