/** Presigned uploads against the embedded S3: who uploaded travels with the file, signed in. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStorage } from '../../functions/adapters/s3-object-storage.ts';
import { clientsFor, segmentUploadDependencies } from '../../functions/composition.ts';
import { UPLOADED_BY_METADATA } from '../../functions/contract.ts';
import { type LocalStack, startEphemeralStack } from '../../functions/local/stack.ts';
import { systemClock } from '../../functions/ports/clock.ts';
import type { UploadSigner } from '../../functions/ports/upload-signer.ts';

let stack: LocalStack;
let signer: UploadSigner;
let storage: S3ObjectStorage;

beforeAll(async () => {
  stack = await startEphemeralStack({ dataBucket: 'upload-signer', clock: systemClock });
  const clients = clientsFor(stack.config);
  // As the upload function builds it: signed with the embedded S3's own keys, which it checks.
  signer = segmentUploadDependencies(stack.config).signer;
  storage = new S3ObjectStorage(clients.s3, 'upload-signer');
});

afterAll(async () => {
  await stack.stop();
});

describe('the upload signer', () => {
  it('signs the uploader in as a header the PUT must carry, percent-encoded, and the object keeps it', async () => {
    // Prepare
    const key = 'segments/signer/vip.csv';

    // Act
    const upload = await signer.presignPut(key, 900, { [UPLOADED_BY_METADATA]: '王小明' });
    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: 'customer_id\nC1\n' });
    const object = await storage.head(key);

    // Assess
    const signed = new URL(upload.url).searchParams.get('X-Amz-SignedHeaders') ?? '';
    // S3 refuses a PUT whose signed header differs (the embedded S3 checks only the signature's keys).
    expect(signed.split(';'), 'a signed header, not a query parameter anyone may drop').toContain(
      'x-amz-meta-uploaded-by',
    );
    expect(new URL(upload.url).searchParams.has('x-amz-meta-uploaded-by')).toBe(false);
    expect(upload.headers).toEqual({ 'x-amz-meta-uploaded-by': encodeURIComponent('王小明') });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(object?.uploadedBy, 'the import reads the uploader back as it was').toBe('王小明');
  });

  it('signs no header when there is nothing to sign', async () => {
    // Act
    const upload = await signer.presignPut('segments/signer/plain.csv', 900);

    // Assess
    expect(upload.headers).toEqual({});
    expect(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });
});
