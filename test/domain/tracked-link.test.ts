/** The tracked link's id: opaque, unforgeable, deterministic, self-checking, and short. */
import { describe, expect, it } from 'vitest';
import { tokenKeys } from '../../functions/domain/signed-token.ts';
import {
  isTrackedLinkId,
  LINK_ID_LENGTH,
  type LinkedTouch,
  messageLinks,
  trackedLinkId,
  trackedLinkShape,
  trackedLinkUrl,
  withTrackingBase,
} from '../../functions/domain/tracked-link.ts';

const keys = tokenKeys('a link secret of the test, 32 chars', 'link');
const touch: LinkedTouch = { campaignId: 'd11-2026', waveId: 'warmup', channel: 'sms', customerId: 'TB:000123' };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('a tracked link id', () => {
  it('is 16 URL-safe characters, the same for the same touch, another for any other touch', () => {
    // Act
    const id = trackedLinkId(keys, touch);
    const others = [
      { ...touch, campaignId: 'd11-2027' },
      { ...touch, waveId: 'midnight' },
      { ...touch, channel: 'email' as const },
      { ...touch, customerId: 'TB:000124' },
    ].map((other) => trackedLinkId(keys, other));

    // Assess
    expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(id).toHaveLength(LINK_ID_LENGTH);
    expect(trackedLinkId(keys, { ...touch })).toBe(id);
    expect(new Set([id, ...others]).size).toBe(5);
  });

  it('is another under another secret: nobody without the key makes the id of a customer', () => {
    // Act
    const other = trackedLinkId(tokenKeys('another secret, 32 characters long', 'link'), touch);

    // Assess
    expect(other).not.toBe(trackedLinkId(keys, touch));
    expect(isTrackedLinkId(keys, other)).toBe(false);
  });

  it('is accepted as it was made, and refused with any one character changed', () => {
    // Prepare
    const id = trackedLinkId(keys, touch);
    const accepted: string[] = [];

    // Act
    for (let at = 0; at < id.length; at += 1) {
      for (const character of BASE64URL) {
        if (character === id[at]) continue;
        const altered = `${id.slice(0, at)}${character}${id.slice(at + 1)}`;
        if (isTrackedLinkId(keys, altered)) accepted.push(altered);
      }
    }

    // Assess: 16 x 63 alterations; a 16-bit check lets through about 1 in 65,536 of random ids.
    expect(isTrackedLinkId(keys, id)).toBe(true);
    expect(accepted).toEqual([]);
    for (const bad of [undefined, 42, '', `${id}A`, id.slice(1), `${id.slice(0, 15)}=`, 'A'.repeat(16)]) {
      expect(isTrackedLinkId(keys, bad), String(bad)).toBe(false);
    }
  });

  it('is refused by the keys of another purpose', () => {
    // Act / Assess
    expect(() => trackedLinkId(tokenKeys('a link secret of the test, 32 chars', 'unsubscribe'), touch)).toThrow(
      /link keys/,
    );
  });
});

describe('the link', () => {
  it('is the base, /l/ and the id, with nothing of the customer in it', () => {
    // Act
    const url = trackedLinkUrl('https://t.shop.cn/', trackedLinkId(keys, touch));

    // Assess
    expect(url).toMatch(/^https:\/\/t\.shop\.cn\/l\/[A-Za-z0-9_-]{16}$/);
    expect(url).not.toContain('000123');
    expect(url).not.toContain('warmup');
    expect(trackedLinkShape('https://t.shop.cn')).toHaveLength(url.length);
  });

  it('stands for {link} on both devices when the campaign tracks, the wave links when it does not', () => {
    // Prepare
    const links: { mobile: string; pc: string; trackingBase?: string } = {
      mobile: 'https://s.example.cn/d11',
      pc: 'https://shop.example.com',
    };
    const wave = { links: { mobile: 'https://s.example.cn/w', pc: 'https://shop.example.com/w' } };

    // Act
    const tracked = messageLinks(withTrackingBase({ links }, 'https://t.shop.cn'), wave);
    const untracked = messageLinks({ links }, wave);
    const own = withTrackingBase({ links: { ...links, trackingBase: 'https://own.cn' } }, 'https://api.example');

    // Assess
    expect(tracked).toEqual({
      mobile: trackedLinkShape('https://t.shop.cn'),
      pc: trackedLinkShape('https://t.shop.cn'),
    });
    expect(untracked).toEqual(wave.links);
    expect(own.links.trackingBase).toBe('https://own.cn');
  });
});
