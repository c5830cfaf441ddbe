/**
 * Sealed tokens: a small payload encrypted and authenticated into an opaque, URL-safe string
 * (base64url), and opened again. Used for links a customer follows (unsubscribe, tracked
 * links): nobody can make a token for someone else, alter one without it being refused, or
 * read the customer id out of it.
 *
 * Construction: AES-256-GCM with a synthetic IV (the first 12 bytes of an HMAC-SHA256 of the
 * payload), so the same payload always seals to the same token: outputs stay byte-identical
 * run to run, and the same link is never two links. The only thing a deterministic token
 * tells is "same payload", which the link itself says anyway. Opening checks the GCM tag and
 * then that the IV is the payload's own HMAC.
 *
 * Keys are derived with HKDF-SHA256 from one secret and a purpose string: a token sealed for
 * one purpose (`unsubscribe`) never opens for another (`link`), so one secret serves every
 * kind of link without one kind standing in for another.
 *
 * Pure: data in, data out; the secret and the payload are the caller's.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/** The first byte of every token: lets a later format live beside this one. */
const FORMAT = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** Fixed, public: separates these keys from any other use of the same secret. */
const HKDF_SALT = 'd11-campaign-scheduler/sealed-token/v1';
/** Secrets shorter than this are a configuration mistake, not a key. */
export const MIN_SECRET_LENGTH = 16;
/** Far above any payload here; bounds the work a hostile token can cause. */
export const MAX_TOKEN_LENGTH = 2048;

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The keys of one purpose, derived once and reused for every token of it. */
export interface TokenKeys {
  readonly purpose: string;
  readonly encryption: Buffer;
  readonly iv: Buffer;
  readonly header: Buffer;
  /** For ids that only need to be unforgeable and opaque, not opened again (tracked-link ids). */
  readonly mac: Buffer;
}

export function tokenKeys(secret: string | Uint8Array, purpose: string): TokenKeys {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(purpose))
    throw new Error(`token purpose "${purpose}" is not a short lowercase id`);
  const material = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (material.length < MIN_SECRET_LENGTH) {
    throw new Error(`the link secret must be at least ${MIN_SECRET_LENGTH} bytes`);
  }
  const derive = (use: string) => Buffer.from(hkdfSync('sha256', material, HKDF_SALT, `${purpose}/${use}`, KEY_BYTES));
  return {
    purpose,
    encryption: derive('encryption'),
    iv: derive('synthetic-iv'),
    // Authenticated with the ciphertext: the format byte and the purpose are bound to the token.
    header: Buffer.from(`${FORMAT}:${purpose}`, 'utf8'),
    mac: derive('mac'),
  };
}

function syntheticIv(keys: TokenKeys, payload: Uint8Array): Buffer {
  return createHmac('sha256', keys.iv).update(payload).digest().subarray(0, IV_BYTES);
}

/** Seals `payload` into a token: the same keys and payload always give the same token. */
export function seal(keys: TokenKeys, payload: Uint8Array): string {
  const iv = syntheticIv(keys, payload);
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(keys.header);
  const body = Buffer.concat([cipher.update(payload), cipher.final()]);
  return Buffer.concat([Buffer.of(FORMAT), iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The payload of a token sealed with these keys; undefined for anything else (never throws). */
export function open(keys: TokenKeys, token: unknown): Buffer | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) return undefined;
  const raw = Buffer.from(token, 'base64url');
  // base64url decoding ignores the spare bits of the last character: insist on the one
  // canonical spelling, so that no altered character still opens.
  if (raw.toString('base64url') !== token) return undefined;
  if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== FORMAT) return undefined;
  const iv = raw.subarray(1, 1 + IV_BYTES);
  const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
  const tag = raw.subarray(raw.length - TAG_BYTES);
  let payload: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.encryption, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(keys.header);
    decipher.setAuthTag(tag);
    payload = Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
  return timingSafeEqual(syntheticIv(keys, payload), iv) ? payload : undefined;
}

/** Seals a JSON value (keep it small: a token is 4/3 of the JSON's bytes plus about 39 characters). */
export function sealJson(keys: TokenKeys, value: unknown): string {
  return seal(keys, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Opens a token sealed by `sealJson` and checks its payload against `schema`; undefined if either fails. */
export function openJson<T>(keys: TokenKeys, token: unknown, schema: z.ZodType<T>): T | undefined {
  const payload = open(keys, token);
  if (!payload) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
