/**
 * Presigned PUTs to the data bucket (@aws-sdk/s3-request-presigner), and listing a prefix.
 * The signer's client computes no request checksum: a checksum signed into the URL would be
 * the one of an empty body, and the browser's upload of the real file would then be refused.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectListing, PresignedUpload, UploadSigner } from '../ports/upload-signer.ts';
import { metadataValue } from './s3-object-storage.ts';

export class S3UploadSigner implements UploadSigner, ObjectListing {
  private readonly signing: S3Client;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    signingConfig: S3ClientConfig,
  ) {
    this.signing = new S3Client({
      ...signingConfig,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async presignPut(
    key: string,
    expiresInSeconds: number,
    metadata: Readonly<Record<string, string>> = {},
  ): Promise<PresignedUpload> {
    // Signed on the machine's real clock, whatever clock the campaign runs on: the bucket
    // judges the signature's age by its own.
    const now = Date.now();
    const encoded = Object.fromEntries(Object.entries(metadata).map(([name, value]) => [name, metadataValue(value)]));
    const headers = Object.fromEntries(Object.entries(encoded).map(([name, value]) => [`x-amz-meta-${name}`, value]));
    const url = await getSignedUrl(
      this.signing,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Metadata: encoded }),
      {
        expiresIn: expiresInSeconds,
        signingDate: new Date(now),
        // Kept as signed headers, not query parameters: the upload must send them as they are.
        unhoistableHeaders: new Set(Object.keys(headers)),
      },
    );
    return { method: 'PUT', url, headers, key, expiresAt: new Date(now + expiresInSeconds * 1000).toISOString() };
  }

  async list(prefix: string): Promise<Array<{ key: string; size: number; lastModified?: string }>> {
    const objects: Array<{ key: string; size: number; lastModified?: string }> = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const item of page.Contents ?? []) {
        if (!item.Key) continue;
        objects.push({
          key: item.Key,
          size: item.Size ?? 0,
          ...(item.LastModified ? { lastModified: item.LastModified.toISOString() } : {}),
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }
}
