/**
 * Personal data never reaches a log line, a trace or a stored reason unmasked. Providers
 * echo it in their errors (SNS: "Invalid parameter: PhoneNumber Reason: +8613800138000 is
 * not valid"; SES: the refused address), so every text that came from outside goes through
 * `maskPersonalData` first. Masks keep enough to debug: the carrier prefix and the last
 * four digits of a phone, the first character and the domain of an address.
 *
 * Masking is idempotent: a masked text masks to itself, so a layer may mask what an inner
 * layer already did.
 */

const MASK = '****';

/**
 * An email address: a local part of the characters RFC 5322 allows unquoted (any letter or
 * digit, Chinese included), and a domain of at least two labels.
 */
const EMAIL = /[\p{L}\p{N}._%+!#$&'*/=?^`{|}~-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;

/** E.164: `+` and 8 to 15 digits, not inside a longer run of digits. */
const E164 = /\+\d{8,15}(?!\d)/g;

/**
 * A mainland mobile number written without `+` (11 digits, maybe `86` or `0086` before it,
 * maybe spaced `138 0013 8000` or `138-0013-8000`), not inside a longer run of ASCII letters
 * and digits: a request id or a timestamp that holds 11 digits in a row is left alone, while
 * a number right next to Chinese text (`手机号13800138000无效`) is masked.
 */
const MAINLAND = /(?<![A-Za-z0-9+])(?:(?:00)?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?![A-Za-z0-9])/g;

/**
 * One phone number. Mainland mobiles keep the carrier prefix and the last four digits:
 * `+8613800138000` -> `+86138****8000`, `13800138000` -> `138****8000`. Other numbers keep
 * `+`, two digits and the last four (`+12065550100` -> `+12*****0100`); a short one keeps
 * its last two.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const plus = phone.trimStart().startsWith('+');
  const mainland = /^(0086|86)?(1[3-9]\d{9})$/.exec(digits);
  // With `+` the country code must be there: `+13800138000` is a +1 number.
  if (mainland && (!plus || mainland[1] === '86')) {
    const national = mainland[2] as string;
    return `${plus ? '+' : ''}${mainland[1] ?? ''}${national.slice(0, 3)}${MASK}${national.slice(-4)}`;
  }
  if (digits.length < 6) return '*'.repeat(digits.length);
  const tail = digits.length >= 10 ? 4 : 2;
  return `${plus ? '+' : ''}${digits.slice(0, 2)}${'*'.repeat(digits.length - 2 - tail)}${digits.slice(-tail)}`;
}

/** `zhang@qq.com` -> `z***@qq.com`: the domain stays (which provider refused is worth knowing). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = [...address.slice(0, at)][0] ?? '';
  return `${first}***${address.slice(at)}`;
}

/** The text with every email address and phone number in it masked; anything else unchanged. */
export function maskPersonalData(text: string): string {
  // Addresses first: `13800138000@163.com` is an address, masked as one.
  return text.replace(EMAIL, maskEmail).replace(E164, maskPhone).replace(MAINLAND, maskPhone);
}

/**
 * The error with personal data masked in its message, stack, other text properties (some
 * SDK errors carry the provider's text twice, `Message` beside `message`) and cause, for a
 * log line, a trace or a rethrow that leaves the process. The same object when there was
 * nothing to mask; otherwise a copy with the same prototype (instanceof still holds) and
 * the same other properties (`$metadata`, ...).
 */
export function maskedError<T>(error: T): T {
  if (!(error instanceof Error)) return error;
  const texts = new Map<PropertyKey, string>();
  for (const key of Reflect.ownKeys(error)) {
    const value = Object.getOwnPropertyDescriptor(error, key)?.value;
    if (typeof value === 'string') texts.set(key, value);
  }
  // The stack may be an accessor (newer V8) rather than a value: read it as callers do.
  texts.set('message', error.message);
  if (typeof error.stack === 'string') texts.set('stack', error.stack);
  const masked = new Map([...texts].map(([key, value]) => [key, maskPersonalData(value)] as const));
  const cause = 'cause' in error ? maskedError(error.cause) : undefined;
  const changed = [...texts].some(([key, value]) => masked.get(key) !== value) || cause !== error.cause;
  if (!changed) return error;
  const copy = Object.create(Object.getPrototypeOf(error)) as Error;
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key) as PropertyDescriptor;
    Object.defineProperty(copy, key, { ...descriptor, configurable: true });
  }
  for (const [key, value] of masked) {
    const enumerable = Object.getOwnPropertyDescriptor(error, key)?.enumerable ?? false;
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable });
  }
  if ('cause' in error) Object.defineProperty(copy, 'cause', { value: cause, writable: true, configurable: true });
  return copy as T;
}

/**
 * A cell that was meant to hold a phone, as a reject quotes it: the digits past the first
 * three and before the last four become `*` where they stand (two and two for a short run),
 * so the shape that made it wrong (its length, a stray letter, a separator) still shows.
 * Fewer than six digits are not a phone number and stay; an address in it is masked too.
 */
export function maskPhoneLike(text: string): string {
  let digits = 0;
  for (let index = 0; index < text.length; index += 1) if (isDigit(text.charCodeAt(index))) digits += 1;
  if (digits < 6) return maskPersonalData(text);
  const head = digits >= 10 ? 3 : 2;
  const tail = digits >= 10 ? 4 : 2;
  let seen = 0;
  let masked = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (!isDigit(text.charCodeAt(index))) {
      masked += char;
      continue;
    }
    seen += 1;
    masked += seen <= head || seen > digits - tail ? char : '*';
  }
  return maskPersonalData(masked);
}

/**
 * A cell that was meant to hold an email address, as a reject quotes it: with an `@`, the
 * first character and the domain stay (`z***@qq`); without one, only the first character.
 */
export function maskEmailLike(text: string): string {
  if (text.lastIndexOf('@') > 0) return maskEmail(text);
  const first = [...text][0] ?? '';
  return `${first}***`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
