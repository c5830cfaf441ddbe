import { readXlsxRows } from '../functions/adapters/local/file-bytes.ts';
import { openSheet } from '../functions/domain/xlsx-sheet.ts';
import { readZipDirectory, streamEntries } from '../functions/domain/zip-entries.ts';
import { localFileBytes } from '../functions/adapters/local/file-bytes.ts';
import { statSync } from 'node:fs';
const path = '/tmp/i10x/probe.xlsx';
const bytes = localFileBytes(path, statSync(path).size);
const entries = await readZipDirectory(bytes);
for (const e of entries.values()) console.log(e.name, e.method, e.compressedSize, e.uncompressedSize, e.flags);
let total = 0;
for await (const c of streamEntries(bytes, [...entries.values()].map((entry) => ({ entry })))) total += c.length;
console.log('total', total);
try { for await (const row of readXlsxRows(path)) console.log(JSON.stringify(row)); } catch (e) { console.log(String(e)); }
