import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_TOKEN_LENGTH, open, openJson, seal, sealJson, tokenKeys } from '../../functions/domain/signed-token.ts';
import {
  readUnsubscribeToken,
  UNSUBSCRIBE_PURPOSE,
  unsubscribeToken,
  unsubscribeUrl,
} from '../../functions/domain/unsubscribe-link.ts';

const SECRET = 'test-link-secret-0123456789abcdef';
const keys = tokenKeys(SECRET, UNSUBSCRIBE_PURPOSE);
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('sealed tokens', () => {
  it('open to the payload they sealed, URL-safe, and the same payload always seals the same', () => {
    // Prepare
    const payload = Buffer.from('{"c":"d11-2026","u":"C123"}', 'utf8');

    // Act
    const token = seal(keys, payload);
    const again = seal(tokenKeys(SECRET, UNSUBSCRIBE_PURPOSE), payload);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(again, 'deterministic: simulation outputs must be byte-identical').toBe(token);
    expect(open(keys, token)?.toString('utf8')).toBe(payload.toString('utf8'));
  });

  it('do not show the payload in clear', () => {
    // Prepare
    const customerId = 'customer-13800138000';

    // Act
    const token = sealJson(keys, { u: customerId });
    const decoded = Buffer.from(token, 'base64url').toString('latin1');

    // Assess
    expect(decoded).not.toContain(customerId);
    expect(token).not.toContain(customerId);
    expect(token).not.toContain(Buffer.from(customerId).toString('base64url').slice(0, 12));
  });

  it('give different tokens for different payloads', () => {
    // Act
    const tokens = ['C1', 'C2', 'C10', 'c1'].map((u) => sealJson(keys, { u }));

    // Assess
    expect(new Set(tokens).size).toBe(4);
  });

  it('refuse a token with any one character changed, at every position', () => {
    // Prepare
    const token = unsubscribeToken(keys, { campaignId: 'd11-2026', customerId: 'C42' });
    const accepted: string[] = [];

    // Act
    for (let position = 0; position < token.length; position += 1) {
      for (const replacement of [BASE64URL[(BASE64URL.indexOf(token[position]!) + 1) % 64]!, 'A', '_']) {
        if (replacement === token[position]) continue;
        const altered = token.slice(0, position) + replacement + token.slice(position + 1);
        if (open(keys, altered) !== undefined) accepted.push(altered);
      }
    }

    // Assess
    expect(accepted, 'altered tokens that still opened').toEqual([]);
  });

  it('refuse every altered byte of the sealed bytes, truncations and extensions', () => {
    // Prepare
    const raw = Buffer.from(sealJson(keys, { c: 'd11-2026', u: 'C42' }), 'base64url');
    const variants: Buffer[] = [];
    for (let index = 0; index < raw.length; index += 1) {
      const flipped = Buffer.from(raw);
      flipped[index] = (flipped[index] ?? 0) ^ 0x01;
      variants.push(flipped);
    }
    for (let length = 0; length < raw.length; length += 1) variants.push(raw.subarray(0, length));
    variants.push(Buffer.concat([raw, Buffer.of(0)]));

    // Act
    const opened = variants.filter((variant) => open(keys, variant.toString('base64url')) !== undefined);

    // Assess
    expect(opened).toHaveLength(0);
  });

  it('refuse garbage without throwing', () => {
    // Prepare
    const garbage: unknown[] = [
      '',
      'x',
      'not a token',
      '%00%00',
      '====',
      'A'.repeat(MAX_TOKEN_LENGTH + 1),
      'A'.repeat(200),
      undefined,
      null,
      42,
      { t: 'x' },
      ['a'],
    ];

    // Act
    const results = garbage.map((value) => open(keys, value));

    // Assess
    expect(results.every((result) => result === undefined)).toBe(true);
  });

  it('do not open under another purpose or another secret', () => {
    // Prepare
    const token = unsubscribeToken(keys, { campaignId: 'd11-2026', customerId: 'C42' });

    // Act
    const asTrackedLink = open(tokenKeys(SECRET, 'link'), token);
    const otherSecret = open(tokenKeys('another-link-secret-0123456789', UNSUBSCRIBE_PURPOSE), token);

    // Assess
    expect(asTrackedLink).toBeUndefined();
    expect(otherSecret).toBeUndefined();
    expect(readUnsubscribeToken(keys, token)).toEqual({ campaignId: 'd11-2026', customerId: 'C42', channel: 'email' });
  });

  it('seal the same payload differently under different purposes', () => {
    // Act
    const a = sealJson(tokenKeys(SECRET, 'unsubscribe'), { u: 'C1' });
    const b = sealJson(tokenKeys(SECRET, 'link'), { u: 'C1' });

    // Assess
    expect(a).not.toBe(b);
  });

  it('refuse a payload that does not fit the schema it is opened with', () => {
    // Prepare
    const token = sealJson(keys, { v: 1, ch: 'sms', c: 'd11-2026', u: 'C42' });
    const notJson = seal(keys, Buffer.from('not json'));

    // Act
    const asUnsubscribe = readUnsubscribeToken(keys, token);
    const asAnything = openJson(keys, notJson, z.unknown());

    // Assess
    expect(asUnsubscribe, 'an SMS payload is not an email unsubscribe').toBeUndefined();
    expect(asAnything).toBeUndefined();
  });

  it('refuse a secret too short to be a key and a purpose that is not a short id', () => {
    // Act / Assess
    expect(() => tokenKeys('short', UNSUBSCRIBE_PURPOSE)).toThrow(/at least 16/);
    expect(() => tokenKeys(SECRET, '')).toThrow(/purpose/);
    expect(() => tokenKeys(SECRET, 'Has Spaces')).toThrow(/purpose/);
  });
});

describe('unsubscribe links', () => {
  it('are <base>/unsubscribe?t=<token>, whatever slash the base ends with', () => {
    // Prepare
    const token = unsubscribeToken(keys, { campaignId: '双11', customerId: 'C 1&2' });

    // Act
    const links = ['https://shop.example.com', 'https://shop.example.com/', 'https://x.example.com/mail/'].map((base) =>
      unsubscribeUrl(base, token),
    );

    // Assess
    expect(links).toEqual([
      `https://shop.example.com/unsubscribe?t=${token}`,
      `https://shop.example.com/unsubscribe?t=${token}`,
      `https://x.example.com/mail/unsubscribe?t=${token}`,
    ]);
    expect(readUnsubscribeToken(keys, new URL(links[0]!).searchParams.get('t'))).toEqual({
      campaignId: '双11',
      customerId: 'C 1&2',
      channel: 'email',
    });
  });
});
