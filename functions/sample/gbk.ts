/**
 * Text to GBK bytes (code page 936, what Excel on Chinese Windows saves a CSV in). Node
 * decodes GBK but does not encode it: the table is the decoder's, read backwards once.
 */

let table: Map<number, number> | undefined;

/** Code point -> the two GBK bytes (lead << 8 | trail), from every double-byte sequence GBK decodes. */
function gbkTable(): Map<number, number> {
  if (table) return table;
  const decoder = new TextDecoder('gbk');
  const built = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let lead = 0x81; lead <= 0xfe; lead += 1) {
    for (let trail = 0x40; trail <= 0xfe; trail += 1) {
      if (trail === 0x7f) continue;
      pair[0] = lead;
      pair[1] = trail;
      const text = decoder.decode(pair);
      const code = text.codePointAt(0);
      if (text.length === 1 && code !== undefined && code !== 0xfffd && !built.has(code)) {
        built.set(code, (lead << 8) | trail);
      }
    }
  }
  table = built;
  return built;
}

/** An encoder; a character GBK has no bytes for is an error (a sample must not hold one). */
export function gbkEncoder(): (text: string) => Uint8Array {
  const codes = gbkTable();
  return (text) => {
    const bytes = new Uint8Array(text.length * 2);
    let length = 0;
    for (const char of text) {
      const code = char.codePointAt(0) as number;
      if (code < 0x80) {
        bytes[length++] = code;
        continue;
      }
      const pair = codes.get(code);
      if (pair === undefined) throw new RangeError(`"${char}" (U+${code.toString(16).toUpperCase()}) has no GBK bytes`);
      bytes[length++] = pair >> 8;
      bytes[length++] = pair & 0xff;
    }
    return bytes.subarray(0, length);
  };
}
