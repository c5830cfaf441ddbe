import { describe, expect, it } from 'vitest';
import { maskEmail, maskedError, maskPersonalData, maskPhone } from '../../functions/domain/masking.ts';

describe('maskPhone', () => {
  it.each([
    ['+8613800138000', '+86138****8000'],
    ['13800138000', '138****8000'],
    ['8613800138000', '86138****8000'],
    ['008613800138000', '0086138****8000'],
    ['138 0013 8000', '138****8000'],
    ['+12065550100', '+12*****0100'],
    // `+1` and eleven digits is a North American number, not a mainland one.
    ['+13800138000', '+13*****8000'],
    ['+4478912', '+44***12'],
    ['12345', '*****'],
  ])('masks %s as %s', (phone, masked) => {
    // Act
    const result = maskPhone(phone);

    // Assess
    expect(result).toBe(masked);
  });
});

describe('maskEmail', () => {
  it.each([
    ['zhang@qq.com', 'z***@qq.com'],
    ['王@example.com', '王***@example.com'],
    ['li@例子.中国', 'l***@例子.中国'],
    ['not an address', '***'],
  ])('masks %s as %s', (address, masked) => {
    // Act
    const result = maskEmail(address);

    // Assess
    expect(result).toBe(masked);
  });
});

describe('maskPersonalData', () => {
  it.each([
    [
      'Invalid parameter: PhoneNumber Reason: +8613800138000 is not valid',
      'Invalid parameter: PhoneNumber Reason: +86138****8000 is not valid',
    ],
    [
      'MessageRejected: Email address is not verified. The following identities failed the check: zhang@qq.com, li@163.com',
      'MessageRejected: Email address is not verified. The following identities failed the check: z***@qq.com, l***@163.com',
    ],
    ['OptedOut: +8613900000001 opted out', 'OptedOut: +86139****0001 opted out'],
    ['手机号13800138000无效', '手机号138****8000无效'],
    ['call +86 138-0013-8000 now', 'call +86 138****8000 now'],
    // An address made of a phone number is masked as an address.
    ['13800138000@163.com bounced', '1***@163.com bounced'],
  ])('masks %j', (text, masked) => {
    // Act
    const result = maskPersonalData(text);

    // Assess
    expect(result).toBe(masked);
  });

  it.each([
    'arn:aws:lambda:ap-northeast-1:123456789012:function:campaign-send',
    'request 3f1c2a9e-13800138000a-4b1d timestamp 1764621901665',
    'shard 3 of midnight.sms.g1: 1500 sent in 12 s',
    'https://shop.example.com/unsubscribe?c=d11-2026&u=C17',
  ])('leaves %j alone', (text) => {
    // Act
    const result = maskPersonalData(text);

    // Assess
    expect(result).toBe(text);
  });

  it('masks a masked text to itself', () => {
    // Prepare
    const once = maskPersonalData('to +8613800138000, 13900139000 and zhang@qq.com');

    // Act
    const twice = maskPersonalData(once);

    // Assess
    expect(once).toBe('to +86138****8000, 139****9000 and z***@qq.com');
    expect(twice).toBe(once);
  });
});

class ProviderError extends Error {
  readonly $metadata = { httpStatusCode: 400 };
  constructor(
    message: string,
    readonly Message: string,
  ) {
    super(message);
    this.name = 'InvalidParameterException';
  }
}

describe('maskedError', () => {
  it('masks message, stack, text properties and cause, keeping the class and the other properties', () => {
    // Prepare
    const cause = new Error('first try for zhang@qq.com');
    const error = new ProviderError('Reason: +8613800138000 is not valid', 'Reason: +8613800138000 is not valid');
    Object.defineProperty(error, 'cause', { value: cause });

    // Act
    const masked = maskedError(error);

    // Assess
    expect(masked).not.toBe(error);
    expect(masked).toBeInstanceOf(ProviderError);
    expect(masked.name).toBe('InvalidParameterException');
    expect(masked.message).toBe('Reason: +86138****8000 is not valid');
    expect(masked.Message).toBe('Reason: +86138****8000 is not valid');
    expect(masked.stack).toContain('Reason: +86138****8000 is not valid');
    expect(masked.stack).not.toContain('+8613800138000');
    expect(masked.$metadata).toEqual({ httpStatusCode: 400 });
    expect((masked.cause as Error).message).toBe('first try for z***@qq.com');
    expect(error.message, 'the original is left as it was').toContain('+8613800138000');
  });

  it('hands back the same error when there is nothing to mask, and non-errors unchanged', () => {
    // Prepare
    const clean = new Error('ConditionalCheckFailedException');

    // Act
    const results = [maskedError(clean), maskedError('text'), maskedError(undefined)];

    // Assess
    expect(results).toEqual([clean, 'text', undefined]);
    expect(results[0]).toBe(clean);
  });
});
