/**
 * Test messages in the `touches` table, under a partition of their own: pk `TEST#<campaign>`,
 * sk `<at>#<requestId>#<channel>#<variant>#<address>` (time first, so they list in order). The plan's touches live under
 * `TOUCH#...` keys the report reads shard by shard; it never reads these, so no test message
 * is ever counted in a report. On AWS the test-send function may put items only under
 * `TEST#` keys (an IAM condition on the partition key).
 */
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TestTouch, TestTouchStore } from '../../ports/test-touch-store.ts';
import { queryAll } from './all-pages.ts';

/** The partition key prefix of test messages; the CDK limits the test-send function to it. */
export const TEST_TOUCH_PK_PREFIX = 'TEST#';
const testPk = (campaignId: string) => `${TEST_TOUCH_PK_PREFIX}${campaignId}`;

export class DynamoTestTouchStore implements TestTouchStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(touch: TestTouch): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: testPk(touch.campaignId),
          // One message per address and variant in a request: the key is unique without a counter.
          sk: `${touch.at}#${touch.requestId}#${touch.channel}#${touch.variant}#${touch.address}`,
          ...touch,
        },
      }),
    );
  }

  async list(campaignId: string): Promise<TestTouch[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': testPk(campaignId) },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, ...touch }) => touch as unknown as TestTouch);
  }
}
