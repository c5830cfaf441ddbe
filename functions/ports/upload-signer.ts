/**
 * Presigned uploads: a request the marketer's browser sends straight to the bucket (S3 on AWS,
 * s3rver locally), so a segment file never passes through the API and its 10 MB body limit.
 */

export interface PresignedUpload {
  method: 'PUT';
  url: string;
  /** Headers the upload must carry exactly as signed. */
  headers: Record<string, string>;
  key: string;
  /** ISO 8601: the request is refused by the bucket after this. */
  expiresAt: string;
}

export interface UploadSigner {
  /**
   * Signed on the real clock (the bucket checks the signature's age against its own). The
   * metadata is signed in as headers the upload must carry, so it cannot be changed or left out.
   */
  presignPut(
    key: string,
    expiresInSeconds: number,
    metadata?: Readonly<Record<string, string>>,
  ): Promise<PresignedUpload>;
}

/** The objects under a prefix, for the imports of one campaign's folder. */
export interface ObjectListing {
  list(prefix: string): Promise<Array<{ key: string; size: number; lastModified?: string }>>;
}
