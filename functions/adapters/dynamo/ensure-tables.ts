/**
 * Creates the tables on the local DynamoDB (on AWS the CDK stateful stack owns them):
 * each missing table is created from its definition, an existing one is left as it is,
 * and the call returns once every table is ACTIVE.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from './table-definitions.ts';

const POLL_MS = 100;
const ACTIVE_TIMEOUT_MS = 30_000;

async function createIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    // Already there (or being created by a concurrent caller): both are fine.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} is still ${Table?.TableStatus} after ${ACTIVE_TIMEOUT_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function ensureTables(client: DynamoDBClient, tableNames: string[]): Promise<void> {
  await Promise.all(
    tableNames.map(async (tableName) => {
      await createIfMissing(client, tableName);
      await waitUntilActive(client, tableName);
    }),
  );
}
