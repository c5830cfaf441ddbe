/**
 * The lifecycle store in the `campaigns` table: the control item (pk `CAMPAIGN#<id>`, sk
 * `CONTROL`) holds the lifecycle with its audit trail, so a change of state and its audit
 * entry are one conditional write on the revision (no transactions needed, none half-applied);
 * each version is an item of its own (sk `VERSION#<n>`, zero-padded so they sort), reserved
 * by a conditional put before its touches are written, so two plans can never share one; an
 * upload's sharded plan is tied to its version by one more item (sk `SOURCE#<hash>`).
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Lifecycle, LifecycleControl } from '../../domain/campaign-lifecycle.ts';
import type { LifecycleStore, PlanRun, PlanRunView, SourceClaim, StoredVersion } from '../../ports/lifecycle-store.ts';
import { queryAll } from './all-pages.ts';
import { registryChanged } from './live-registry.ts';

const campaignPk = (campaignId: string) => `CAMPAIGN#${campaignId}`;
export const CONTROL_SK = 'CONTROL';
const versionSk = (version: number) => `VERSION#${String(version).padStart(6, '0')}`;

export class DynamoLifecycleStore implements LifecycleStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getLifecycle(campaignId: string): Promise<Lifecycle | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: CONTROL_SK },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...lifecycle } = Item;
    return lifecycle as Lifecycle;
  }

  async getControl(campaignId: string): Promise<LifecycleControl | undefined> {
    // The same item, without its audit trail: less to move and parse on every worker's frequent look.
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: CONTROL_SK },
        ConsistentRead: true,
        ProjectionExpression: '#state, approvedVersion, pausedWaves, cancelledWaves, revision',
        ExpressionAttributeNames: { '#state': 'state' },
      }),
    );
    if (!Item) return undefined;
    return {
      state: Item.state,
      ...(Item.approvedVersion === undefined ? {} : { approvedVersion: Item.approvedVersion }),
      pausedWaves: Item.pausedWaves ?? [],
      cancelledWaves: Item.cancelledWaves ?? [],
      revision: Item.revision,
    } as LifecycleControl;
  }

  async saveLifecycle(next: Lifecycle, expectedRevision: number): Promise<boolean> {
    try {
      return await this.putLifecycle(next, expectedRevision);
    } finally {
      registryChanged();
    }
  }

  private async putLifecycle(next: Lifecycle, expectedRevision: number): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: campaignPk(next.campaignId), sk: CONTROL_SK, ...next },
          ConditionExpression: expectedRevision === 0 ? 'attribute_not_exists(pk)' : 'revision = :expected',
          ...(expectedRevision === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedRevision } }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async reserveVersion(campaignId: string, version: number, at: string): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: campaignPk(campaignId), sk: versionSk(version), campaignId, version, reservedAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async claimSource(campaignId: string, source: string, claim: SourceClaim): Promise<SourceClaim> {
    // Hashed: a key and sequencer may be longer than a sort key should be.
    const key = { pk: campaignPk(campaignId), sk: `SOURCE#${createHash('sha256').update(source).digest('hex')}` };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, source, version: claim.version, now: claim.now },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return claim;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) throw new Error(`the plan claim of ${source} vanished`);
    return { version: Number(Item.version), now: Number(Item.now) };
  }

  async markPlanRun(campaignId: string, version: number, run: PlanRun): Promise<void> {
    await this.updateReservation(campaignId, version, 'SET #run = :run', { ':run': run });
  }

  async refusePlanRun(
    campaignId: string,
    version: number,
    problems: ReadonlyArray<{ path: string; message: string }>,
  ): Promise<void> {
    await this.updateReservation(campaignId, version, 'SET #run.refused = :refused', { ':refused': problems });
  }

  /** A reserved version's run, changed only while the version is not planned (a planned one keeps none). */
  private async updateReservation(
    campaignId: string,
    version: number,
    update: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: campaignPk(campaignId), sk: versionSk(version) },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(planned)',
          ExpressionAttributeNames: { '#run': 'run' },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      // Planned meanwhile (a retried start after the run finished): nothing left to note.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async planRuns(campaignId: string): Promise<PlanRunView[]> {
    const items = await this.versionItems(campaignId, {
      FilterExpression: 'attribute_exists(#run) AND attribute_not_exists(planned)',
      ExpressionAttributeNames: { '#run': 'run' },
      ProjectionExpression: 'version, #run',
    });
    return items
      .map((item) => ({ version: Number(item.version), ...(item.run as PlanRun) }))
      .sort((a, b) => a.version - b.version);
  }

  /** The campaign's version items (reserved or planned), as `options` filters and projects them. */
  private versionItems(
    campaignId: string,
    options: Pick<
      ConstructorParameters<typeof QueryCommand>[0],
      'FilterExpression' | 'ExpressionAttributeNames' | 'ProjectionExpression'
    >,
  ): Promise<Record<string, unknown>[]> {
    return queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :version)',
      ExpressionAttributeValues: { ':pk': campaignPk(campaignId), ':version': 'VERSION#' },
      ConsistentRead: true,
      ...options,
    });
  }

  async saveVersion(version: StoredVersion): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: campaignPk(version.campaignId), sk: versionSk(version.version), ...version, planned: true },
        // Only over its own reservation: a version once planned never changes.
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(planned)',
      }),
    );
  }

  async getVersion(campaignId: string, version: number): Promise<StoredVersion | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: campaignPk(campaignId), sk: versionSk(version) },
        ConsistentRead: true,
      }),
    );
    if (!Item?.planned) return undefined;
    const { pk: _pk, sk: _sk, planned: _planned, reservedAt: _reservedAt, ...stored } = Item;
    return stored as StoredVersion;
  }

  async listVersions(campaignId: string): Promise<Array<Omit<StoredVersion, 'campaign' | 'timeline'>>> {
    const items = await this.versionItems(campaignId, {
      ProjectionExpression: 'campaignId, version, plannedAt, plannedBy, cost, diff, planned',
    });
    return items
      .filter((item) => item.planned)
      .map(({ planned: _planned, ...summary }) => summary as Omit<StoredVersion, 'campaign' | 'timeline'>);
  }
}
