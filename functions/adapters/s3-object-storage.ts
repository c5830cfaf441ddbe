/** Object storage on S3 (and on s3rver locally: same client, endpoint from config). */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { SHEET_METADATA, UPLOADED_BY_METADATA } from '../contract.ts';
import {
  exactlySized,
  type LineWriter,
  ObjectChangedError,
  type ObjectListing,
  type ObjectStorage,
  type StoredObject,
} from '../ports/object-storage.ts';

const LINE_BUFFER_CHARS = 256 * 1024;

export class S3ObjectStorage implements ObjectStorage, ObjectListing {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const result = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      const object: StoredObject = {
        key,
        etag: (result.ETag ?? '').replaceAll('"', ''),
        size: result.ContentLength ?? 0,
      };
      const sheet = metadataText(result.Metadata?.[SHEET_METADATA]);
      if (sheet !== undefined) object.sheet = sheet;
      const uploadedBy = metadataText(result.Metadata?.[UPLOADED_BY_METADATA]);
      if (uploadedBy !== undefined) object.uploadedBy = uploadedBy;
      return object;
    } catch (error) {
      if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
      // Without s3:ListBucket on the key, S3 answers a missing object with 403, not 404; the
      // function can read every key it is sent, so a 403 here means there is no such object.
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403) return undefined;
      throw error;
    }
  }

  async *read(key: string): AsyncIterable<Uint8Array> {
    const result = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const body = result.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) return;
    yield* body;
  }

  async *readRange(key: string, etag: string, start: number, end: number): AsyncIterable<Uint8Array> {
    if (end <= start) return;
    let result: GetObjectCommandOutput;
    try {
      result = await this.s3.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: `bytes=${start}-${end - 1}`,
          IfMatch: `"${etag}"`,
        }),
      );
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // 412: not that content any more; 416: a range within the size it had is no longer in it
      // (a stand-in that ignores If-Match says so); 404: deleted since.
      if (status === 412 || status === 416 || status === 404) throw new ObjectChangedError(key, etag);
      throw error;
    }
    // Not every S3 stand-in honours If-Match: the answer's ETag says which content it is.
    if ((result.ETag ?? '').replaceAll('"', '') !== etag) {
      await result.Body?.transformToByteArray();
      throw new ObjectChangedError(key, etag);
    }
    const body = result.Body as AsyncIterable<Uint8Array> | undefined;
    if (body) yield* body;
  }

  /** A multipart upload fed by a stream: memory stays at two parts however much is written. */
  private streamedUpload(key: string, contentType: string) {
    const stream = new PassThrough();
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: stream, ContentType: contentType },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
    });
    return { stream, upload, done: upload.done() };
  }

  openLineWriter(key: string, contentType: string): LineWriter {
    const { stream, upload, done } = this.streamedUpload(key, contentType);
    let buffer = '';
    const flush = async () => {
      if (buffer === '') return;
      const chunk = buffer;
      buffer = '';
      if (!stream.write(chunk)) await new Promise((resolve) => stream.once('drain', resolve));
    };
    return {
      async write(line) {
        buffer += `${line}\n`;
        if (buffer.length >= LINE_BUFFER_CHARS) await flush();
      },
      async close() {
        await flush();
        stream.end();
        await done;
      },
      async abort() {
        stream.destroy();
        await upload.abort().catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) if (object.Key) yield object.Key;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  async putBlocks(key: string, blocks: Iterable<Uint8Array>, size: number, contentType: string): Promise<void> {
    // Fed block by block, as the line writer is: blocks of the wrong size abort it, so no object lands.
    const { stream, upload, done } = this.streamedUpload(key, contentType);
    // Handled here so a failed upload is not an unhandled rejection while a block is being made.
    done.catch(() => undefined);
    try {
      for (const block of exactlySized(key, blocks, size)) {
        if (!stream.write(block)) await Promise.race([once(stream, 'drain'), done]);
      }
    } catch (error) {
      stream.destroy();
      await upload.abort().catch(() => undefined);
      throw error;
    }
    stream.end();
    await done;
  }
}

/** A text in an object's metadata (a sheet, an uploader): percent-encoded UTF-8, or plain ASCII as typed into a console. */
export function metadataText(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The metadata value for a text (a sheet name, an uploader; S3 metadata travels in ASCII headers). */
export function metadataValue(sheet: string): string {
  return encodeURIComponent(sheet);
}
