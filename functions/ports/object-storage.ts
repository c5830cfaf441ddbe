/** Object storage (S3 on AWS, s3rver locally): segment files in, reports out. */

export interface StoredObject {
  key: string;
  /** Content identity: the same bytes uploaded again have the same ETag. */
  etag: string;
  size: number;
}

/** Lines streamed into one object; nothing is visible until `close()`, and `abort()` leaves nothing. */
export interface LineWriter {
  write(line: string): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

export interface ObjectStorage {
  /** The object's identity, or undefined when there is no such key. */
  head(key: string): Promise<StoredObject | undefined>;
  /** The object's bytes as a stream (never loaded whole). */
  read(key: string): AsyncIterable<Uint8Array>;
  openLineWriter(key: string, contentType: string): LineWriter;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
}
