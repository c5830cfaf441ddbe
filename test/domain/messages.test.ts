/** Templates, links by device and SMS part counting. */
import { describe, expect, it } from 'vitest';
import { linkFor, render, smsParts, templatesFor } from '../../functions/domain/messages.ts';

const links = { mobile: 'https://s.example.cn/d11', pc: 'https://shop.example.com' };

describe('messages', () => {
  it.each([
    ['mobile', links.mobile],
    ['both', links.mobile],
    ['pc', links.pc],
  ] as const)('gives a %s customer the %s link', (device, expected) => {
    // Prepare / Act
    const link = linkFor(device, links);

    // Assess
    expect(link).toBe(expected);
  });

  it('renders every placeholder and addresses a nameless customer as 亲', () => {
    // Prepare
    const template = templatesFor('midnight', {}).sms;

    // Act
    const text = render(template, { link: links.mobile, signature: '【示例旗舰店】', optOut: '回T退订' });

    // Assess
    expect(text).toBe('【示例旗舰店】亲，双11已开抢，好物现在下单 https://s.example.cn/d11 回T退订');
    expect(text).not.toMatch(/\{/);
  });

  it.each([
    ['70 Chinese characters fit one part', '双'.repeat(70), 1],
    ['71 are two parts of 67', '双'.repeat(71), 2],
    ['134 are two parts', '双'.repeat(134), 2],
    ['135 are three parts', '双'.repeat(135), 3],
    ['160 GSM characters are one part', 'a'.repeat(160), 1],
    ['161 GSM characters are two parts of 153', 'a'.repeat(161), 2],
    ['one Chinese character makes the whole text UCS-2', `${'a'.repeat(100)}双`, 2],
  ])('%s', (_, text, parts) => {
    // Prepare / Act
    const counted = smsParts(text);

    // Assess
    expect(counted).toBe(parts);
  });
});
