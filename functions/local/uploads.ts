/**
 * A marketer's upload on the embedded stack: the object goes to the local S3, whose event
 * runs the import handler; this waits for the import record of exactly that content (read
 * with the folder's column mapping, when it has one).
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoImportStore } from '../adapters/dynamo/import-store.ts';
import { metadataValue, S3ObjectStorage } from '../adapters/s3-object-storage.ts';
import { clientsFor } from '../composition.ts';
import type { LocalConfig } from '../config.ts';
import { SHEET_METADATA } from '../contract.ts';
import type { ImportRecord } from '../ports/import-store.ts';
import { importEtag, parseSegmentKey, readFolderMapping } from '../usecases/import-segment.ts';

export async function uploadSegmentAndWait(
  config: LocalConfig,
  key: string,
  body: string | Uint8Array,
  onProgress?: (rows: number) => void,
  /** The sheet of a workbook to import (the upload's metadata); its first visible one when not given. */
  sheet?: string,
): Promise<ImportRecord> {
  const clients = clientsFor(config);
  await clients.s3.send(
    new PutObjectCommand({
      Bucket: config.dataBucket,
      Key: key,
      Body: body,
      ...(sheet !== undefined ? { Metadata: { [SHEET_METADATA]: metadataValue(sheet) } } : {}),
    }),
  );
  const storage = new S3ObjectStorage(clients.s3, config.dataBucket);
  const head = await storage.head(key);
  if (!head) throw new Error(`the upload of ${key} did not land`);
  const campaignId = parseSegmentKey(key)?.campaignId;
  const mapping = campaignId === undefined ? undefined : await readFolderMapping(storage, campaignId);
  const etag = importEtag(head.etag, mapping, head.sheet);
  const imports = new DynamoImportStore(clients.documents, config.tables.imports);
  for (;;) {
    const record = await imports.get({ key, etag });
    if (record && record.status !== 'running') return record;
    onProgress?.(record?.progressRows ?? 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
