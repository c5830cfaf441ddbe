/**
 * Which text encoding a segment file's rows are in: UTF-8 (with or without BOM) or
 * GB18030/GBK, as Excel on Chinese Windows writes it.
 *
 * Rows are told apart one by one. The bytes that end a row or a field (`\n`, `\r`, `"`,
 * `,`) are ASCII and never occur inside a multi-byte UTF-8 or GB18030 character, so a
 * file can be cut into rows on bytes and each row decoded, and judged, on its own: a row
 * pasted in from a file of the other encoding is caught on its own line instead of
 * turning into mojibake (`张三` read as `寮犱笁`) that would go out in an SMS.
 *
 * Most non-ASCII rows are valid in only one of the two encodings. Some are valid in both
 * (about 1 in 140 GBK rows of Chinese names is also valid UTF-8, and most UTF-8 Chinese
 * is also valid GBK); those are judged by what the text reads as. UTF-8 Chinese is
 * 3-byte characters in the CJK ranges that read as at least as common hanzi as the same
 * bytes read as GB18030. GBK read as UTF-8 comes out as 2-byte characters (Hebrew
 * points, IPA, letters of several scripts at once) or as rare hanzi. Some GBK (short
 * names that read as plain Cyrillic or Latin letters) cannot be told from UTF-8 at all;
 * in a UTF-8 file it is read as UTF-8.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';

export type TextEncodingName = 'utf-8' | 'gb18030';

/** What a row's bytes say about their own encoding, whatever the file's. */
export type RowEncoding =
  /** Reads the same in both. */
  | 'ascii'
  /** UTF-8, and not readable (or not plausible) as GB18030. */
  | 'utf-8'
  /** GB18030, and not readable (or not plausible) as UTF-8. */
  | 'gb18030'
  /** Valid and plausible in both: the file's encoding decides. */
  | 'either'
  /** Valid in neither. */
  | 'neither';

export const ENCODING_LABELS: Record<TextEncodingName, string> = {
  'utf-8': 'UTF-8',
  gb18030: 'GB18030/GBK',
};

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const gb18030Lenient = new TextDecoder('gb18030');
const gb18030Strict = new TextDecoder('gb18030', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/**
 * Text as a Chinese store writes it, beyond ASCII: CJK ideographs (with extension A and
 * the supplementary planes), CJK and full-width punctuation, general punctuation
 * (dashes, quotes, ellipsis) and the middle dot of transliterated names.
 */
const CHINESE_TEXT =
  /^[\u0000-\u007f\u00b7\u2010-\u2027\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\u{20000}-\u{3134f}]*$/u;
/** At least one character written with 3 or 4 bytes in UTF-8. */
const WIDE_CHARACTER = /[\u0800-\uffff]/;
/** Only ASCII and 2-byte characters: what GBK read as UTF-8 looks like. */
const NARROW_ONLY = /^[\u0000-\u07ff]*$/;
/**
 * Characters names and addresses do not hold, but GBK read as UTF-8 produces: C1
 * controls, IPA and spacing modifiers, Hebrew accents and points, Syriac to N'Ko.
 */
const UNLIKELY_NARROW = /[\u0080-\u009f\u0250-\u02ff\u0591-\u05c7\u0700-\u07ff]/;
/** Scripts written with 2-byte characters; one row's text is in one of them, GBK read as UTF-8 mixes them. */
const NARROW_SCRIPTS = [/[\u0370-\u03ff]/, /[\u0400-\u052f]/, /[\u0530-\u058f]/, /[\u05c8-\u05ff]/, /[\u0600-\u06ff]/];
/** Decoded GB18030 that random or broken bytes produce, not text: C1 controls, private use. */
const NOT_GB_TEXT = /[\u0080-\u009f\ue000-\uf8ff\ufffd]/;
const EURO_BYTE = 0x80;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The row's text read as UTF-8: valid, not necessarily plausible. */
function asUtf8(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('utf8');
}

/** The row read as GB18030, or undefined when the bytes are not GB18030. */
function asGb18030(bytes: Uint8Array): string | undefined {
  try {
    return gb18030Strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 text that reads as Chinese: every wide character is in the Chinese ranges. */
function isChineseUtf8(text: string): boolean {
  return WIDE_CHARACTER.test(text) && CHINESE_TEXT.test(text);
}

const CJK_IDEOGRAPH = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{3134f}]/u;
let gb2312Hanzi: { common: Set<string>; all: Set<string> } | undefined;

/** The hanzi of GB2312: its first level (the 3,755 most used) and all 6,763. */
function gb2312(): { common: Set<string>; all: Set<string> } {
  if (!gb2312Hanzi) {
    const common = new Set<string>();
    const all = new Set<string>();
    for (let lead = 0xb0; lead <= 0xf7; lead += 1) {
      for (let trail = 0xa1; trail <= 0xfe; trail += 1) {
        const hanzi = gb18030Lenient.decode(new Uint8Array([lead, trail]));
        if (!CJK_IDEOGRAPH.test(hanzi)) continue;
        all.add(hanzi);
        if (lead <= 0xd7) common.add(hanzi);
      }
    }
    gb2312Hanzi = { common, all };
  }
  return gb2312Hanzi;
}

/**
 * How much a reading looks like real Chinese text: the share of its ideographs that are
 * common (1 for the most used hanzi, 0.5 for the rest of GB2312, 0 for rare ones).
 * Bytes read in the wrong encoding come out as rare ideographs.
 */
function commonness(text: string): number {
  const { common, all } = gb2312();
  let ideographs = 0;
  let score = 0;
  for (const character of text) {
    if (!CJK_IDEOGRAPH.test(character)) continue;
    ideographs += 1;
    if (common.has(character)) score += 1;
    else if (all.has(character)) score += 0.5;
  }
  return ideographs === 0 ? 0 : score / ideographs;
}

/**
 * Valid UTF-8 that reads as Chinese, and no better as GB18030: a UTF-8 row. Some GBK
 * also reads as UTF-8 Chinese (rare ideographs); its GB18030 reading is the more common
 * text, and wins.
 */
function isUtf8Chinese(bytes: Uint8Array, utf8: string): boolean {
  if (!isChineseUtf8(utf8)) return false;
  const gb = asGb18030(bytes);
  return gb === undefined || !isPlausibleGb18030(bytes, gb) || commonness(utf8) >= commonness(gb);
}

/**
 * Valid UTF-8 that is more likely GBK: only 2-byte characters, among them marks that
 * no name has, or letters of scripts that do not meet in one row (Greek, Cyrillic,
 * Armenian, Hebrew, Arabic). Real text in one of those scripts reads as itself.
 */
function looksLikeGbkReadAsUtf8(text: string): boolean {
  if (!NARROW_ONLY.test(text)) return false;
  if (UNLIKELY_NARROW.test(text)) return true;
  return NARROW_SCRIPTS.filter((script) => script.test(text)).length > 1;
}

/** GB18030 that reads as text, not as what stray bytes decode to. */
function isPlausibleGb18030(bytes: Uint8Array, text: string): boolean {
  return !bytes.includes(EURO_BYTE) && !NOT_GB_TEXT.test(text);
}

/** What a non-empty row's bytes say about their encoding, on their own. */
export function rowEncoding(bytes: Uint8Array): RowEncoding {
  if (isAscii(bytes)) return 'ascii';
  if (isUtf8(bytes)) {
    const utf8 = asUtf8(bytes);
    if (isUtf8Chinese(bytes, utf8)) return 'utf-8';
    const gb = asGb18030(bytes);
    if (gb === undefined || !isPlausibleGb18030(bytes, gb)) return 'utf-8';
    if (looksLikeGbkReadAsUtf8(utf8) && CHINESE_TEXT.test(gb)) return 'gb18030';
    return 'either';
  }
  const gb = asGb18030(bytes);
  return gb !== undefined && isPlausibleGb18030(bytes, gb) ? 'gb18030' : 'neither';
}

export interface DecodedRow {
  /** The encoding the row is written in: the file's, or the other one for a pasted-in row. */
  encoding: TextEncodingName;
  text: string;
}

/**
 * Decodes one row of a file in `fileEncoding`. A row in the other encoding is decoded in
 * its own (so its cells can be named and its id read), and says so; bytes valid in
 * neither become U+FFFD, which the caller reports. Cheap for the common row: one
 * validity check and one decode, the rest only for rows that are valid in both.
 */
export function decodeRow(bytes: Uint8Array, fileEncoding: TextEncodingName): DecodedRow {
  if (isAscii(bytes)) return { encoding: fileEncoding, text: asBuffer(bytes).toString('latin1') };
  if (isUtf8(bytes)) {
    const text = asUtf8(bytes);
    if (fileEncoding === 'utf-8') {
      // Valid UTF-8 is taken as UTF-8 unless it reads like GBK (cheap test first).
      if (!looksLikeGbkReadAsUtf8(text)) return { encoding: 'utf-8', text };
      const gb = asGb18030(bytes);
      const isGbk = gb !== undefined && isPlausibleGb18030(bytes, gb) && CHINESE_TEXT.test(gb);
      return isGbk ? { encoding: 'gb18030', text: gb } : { encoding: 'utf-8', text };
    }
    // In a GB18030 file, UTF-8 Chinese, or UTF-8 that is no GB18030 text, is a UTF-8 row.
    if (isUtf8Chinese(bytes, text)) return { encoding: 'utf-8', text };
    const gb = asGb18030(bytes);
    return gb !== undefined && isPlausibleGb18030(bytes, gb)
      ? { encoding: 'gb18030', text: gb }
      : { encoding: 'utf-8', text };
  }
  if (fileEncoding === 'gb18030') return { encoding: 'gb18030', text: gb18030Lenient.decode(bytes) };
  const gb = asGb18030(bytes);
  if (gb !== undefined && isPlausibleGb18030(bytes, gb)) return { encoding: 'gb18030', text: gb };
  return { encoding: 'utf-8', text: utf8Lenient.decode(bytes) };
}

/** Where a row is in a buffer of rows: `source[start, end)`, without its line end. */
export interface RowBytes {
  start: number;
  end: number;
  /** The row holds a `"`, so it may hold line breaks inside quotes. */
  quoted: boolean;
}

/** A 2-byte UTF-8 character (U+0080 to U+07FF). */
const NARROW_NON_ASCII = /[\u0080-\u07ff]/;

/** The texts of rows decoded together, and which of them are in the other encoding than the file's. */
export interface DecodedRows {
  texts: string[];
  /** By row index; most stretches have none. */
  foreign: Map<number, TextEncodingName> | undefined;
}

/**
 * Decodes rows that lie in order in one buffer (the rows of one chunk), each as
 * `decodeRow` would, but cheaply: the stretch is checked and decoded at once and cut into
 * rows at the same line ends; only rows that need a judgement of their own (valid UTF-8
 * in a GB18030 file, UTF-8 without any 3-byte character, a stretch with invalid bytes)
 * are decoded again one by one.
 */
export function decodeRows(source: Buffer, rows: readonly RowBytes[], fileEncoding: TextEncodingName): DecodedRows {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { texts: [], foreign: undefined };
  const span = source.subarray(first.start, last.end);
  if (isAscii(span)) {
    const text = source.toString('latin1', first.start, last.end);
    const texts = rows.map((row) => text.slice(row.start - first.start, row.end - first.start));
    return { texts, foreign: undefined };
  }
  const decoded: DecodedRows = { texts: [], foreign: undefined };
  const lookCloser = (index: number) => {
    const row = rows[index] as RowBytes;
    const own = decodeRow(source.subarray(row.start, row.end), fileEncoding);
    decoded.texts[index] = own.text;
    if (own.encoding === fileEncoding) return;
    decoded.foreign ??= new Map();
    decoded.foreign.set(index, own.encoding);
  };
  if (fileEncoding === 'utf-8' && isUtf8(span)) {
    const text = source.toString('utf8', first.start, last.end);
    const texts = cutIntoRows(text, source, rows, (row) => source.toString('utf8', row.start, row.end));
    if (texts) {
      decoded.texts = texts;
      // Only a row without any 3-byte character can be GBK in disguise.
      texts.forEach((rowText, index) => {
        if (!WIDE_CHARACTER.test(rowText) && NARROW_NON_ASCII.test(rowText)) lookCloser(index);
      });
      return decoded;
    }
  }
  if (fileEncoding === 'gb18030') {
    const text = gb18030Lenient.decode(span);
    const texts = cutIntoRows(text, source, rows, (row) => gb18030Lenient.decode(source.subarray(row.start, row.end)));
    if (texts) {
      decoded.texts = texts;
      // A row that is valid UTF-8 (and not ASCII) may be a UTF-8 row.
      rows.forEach((row, index) => {
        const bytes = source.subarray(row.start, row.end);
        if (isUtf8(bytes) && !isAscii(bytes)) lookCloser(index);
      });
      return decoded;
    }
  }
  rows.forEach((_row, index) => {
    lookCloser(index);
  });
  return decoded;
}

/**
 * One row of a stretch that is valid UTF-8 in a UTF-8 file, decoded as decodeRows decodes
 * it there: as UTF-8, unless it has no character from U+0800 on and so may be GBK.
 */
export function decodeUtf8GroupRow(source: Buffer, start: number, end: number): DecodedRow {
  const bytes = source.subarray(start, end);
  if (isAscii(bytes)) return { encoding: 'utf-8', text: source.toString('latin1', start, end) };
  const text = source.toString('utf8', start, end);
  if (!WIDE_CHARACTER.test(text) && NARROW_NON_ASCII.test(text)) return decodeRow(bytes, 'utf-8');
  return { encoding: 'utf-8', text };
}

/**
 * Cuts the text of a stretch of rows into the rows' texts. Rows end at line ends in the
 * text as in the bytes (line ends are ASCII); the bytes between rows must be ASCII (line
 * ends, blank lines) for the offsets to carry over, else undefined. A row with quotes may
 * hold line breaks, so it is decoded on its own to know its length.
 */
function cutIntoRows(
  text: string,
  source: Buffer,
  rows: readonly RowBytes[],
  decodeOne: (row: RowBytes) => string,
): string[] | undefined {
  const texts: string[] = [];
  const lineEnds = new LineEndsInText(text);
  let byte = rows[0]?.start ?? 0;
  let char = 0;
  for (const row of rows) {
    const gap = row.start - byte;
    if (gap > 2 && !isAscii(source.subarray(byte, row.start))) return undefined;
    char += gap;
    let rowText: string;
    if (row.quoted) {
      rowText = decodeOne(row);
    } else {
      const end = lineEnds.next(char);
      rowText = text.slice(char, end < 0 ? text.length : end);
    }
    texts.push(rowText);
    char += rowText.length;
    byte = row.end;
  }
  return char === text.length ? texts : undefined;
}

/** The next CR or LF in a text, for positions that only grow: each is searched again only once passed. */
class LineEndsInText {
  private lf = -1;
  private cr = -1;

  constructor(private readonly text: string) {}

  next(position: number): number {
    if (position > this.lf) this.lf = this.search('\n', position);
    if (position > this.cr) this.cr = this.search('\r', position);
    const at = Math.min(this.lf, this.cr);
    return at === Number.POSITIVE_INFINITY ? -1 : at;
  }

  private search(character: string, position: number): number {
    const at = this.text.indexOf(character, position);
    return at < 0 ? Number.POSITIVE_INFINITY : at;
  }
}

/** Decodes text known to be in `encoding` (a row's first bytes for a message, say); bad bytes become U+FFFD. */
export function decodeLenient(bytes: Uint8Array, encoding: TextEncodingName): string {
  return encoding === 'utf-8' ? utf8Lenient.decode(bytes) : gb18030Lenient.decode(bytes);
}

export interface EncodingVotes {
  'utf-8': number;
  gb18030: number;
}

export function emptyVotes(): EncodingVotes {
  return { 'utf-8': 0, gb18030: 0 };
}

/** Counts a row toward the file's encoding; rows valid in both or neither do not count. */
export function voteFor(votes: EncodingVotes, bytes: Uint8Array): void {
  const encoding = rowEncoding(bytes);
  if (encoding === 'utf-8' || encoding === 'gb18030') votes[encoding] += 1;
}

/**
 * The file's encoding, from its rows: the encoding most of them are in. A BOM is not
 * trusted over the rows (a GB18030 file saved behind a UTF-8 BOM exists); a tie, or a
 * file with no telling row, is read as UTF-8.
 */
export function chooseEncoding(votes: EncodingVotes): TextEncodingName {
  return votes.gb18030 > votes['utf-8'] ? 'gb18030' : 'utf-8';
}

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && UTF8_BOM.every((byte, index) => bytes[index] === byte);
}

/** Drops the end of a sample that was cut inside a UTF-8 character, so the cut does not count as invalid. */
function withoutCutCharacter(bytes: Uint8Array): Uint8Array {
  for (let back = 1; back <= 3 && back <= bytes.length; back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return bytes;
    if (byte >= 0xc0) {
      const width = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return width > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
  }
  return bytes;
}

/**
 * The encoding of a sample of a file (its first bytes, possibly cut inside a character):
 * each line votes for the encoding it is in; a UTF-8 BOM at the start of the file is
 * skipped (`bomLength`) but does not decide.
 */
export function sniffEncoding(
  sample: Uint8Array,
  atFileStart = true,
): { encoding: TextEncodingName; bomLength: number } {
  const bomLength = atFileStart && hasUtf8Bom(sample) ? 3 : 0;
  const body = withoutCutCharacter(sample.subarray(bomLength));
  const votes = emptyVotes();
  let start = 0;
  for (let index = 0; index <= body.length; index += 1) {
    const byte = body[index];
    if (index === body.length || byte === 0x0a || byte === 0x0d) {
      if (index > start) voteFor(votes, body.subarray(start, index));
      start = index + 1;
    }
  }
  return { encoding: chooseEncoding(votes), bomLength };
}
