/**
 * `--columns FILE` on `campaign plan`, `campaign simulate` and `campaign import`: a column
 * mapping read and checked before anything else is done, so a typo in it stops the command
 * with the header it is about, not half-way through a million rows.
 */
import { readFile } from 'node:fs/promises';
import {
  type ColumnMapping,
  ColumnMappingError,
  parseColumnMappingText,
  toColumnMapping,
} from '../domain/column-mapping.ts';
import { UsageError } from './errors.ts';
import { formatCount } from './progress.ts';

export interface ColumnsFile {
  /** The file as written: uploaded as it is, so the import reads exactly what was checked. */
  bytes: Buffer;
  mapping: ColumnMapping;
}

export async function readColumnsFile(path: string): Promise<ColumnsFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`--columns: cannot read ${path}`, { zh: `--columns：无法读取 ${path}` });
  }
  try {
    return { bytes, mapping: toColumnMapping(parseColumnMappingText(bytes.toString('utf8'), path)) };
  } catch (error) {
    if (error instanceof ColumnMappingError)
      throw new UsageError(`--columns: ${error.message}`, { zh: `--columns：${error.message}` });
    throw error;
  }
}

/** Which header became which column, which were ignored, what was masked: for the import record and the plan summary. */
export function columnLines(report: {
  columns?: ReadonlyArray<{ header: string; column: string; by: string }> | undefined;
  ignoredColumns?: readonly string[] | undefined;
  maskedPhones?: number | undefined;
  maskedEmails?: number | undefined;
  maskedNames?: number | undefined;
}): string[] {
  const lines: string[] = [];
  const columns = report.columns ?? [];
  if (columns.length > 0) {
    const mapped = columns.map(({ header, column, by }) =>
      header === column ? column : `${header} -> ${column}${by === 'mapping' ? ' (your mapping)' : ''}`,
    );
    lines.push(`columns: ${mapped.join(', ')}`);
  }
  if (report.ignoredColumns && report.ignoredColumns.length > 0) {
    lines.push(`ignored columns: ${report.ignoredColumns.join(', ')}`);
  }
  const masked = [
    [report.maskedPhones, 'phones (kept without a phone)'],
    [report.maskedEmails, 'emails (kept without an email)'],
    [report.maskedNames, 'names (addressed without a name)'],
  ] as const;
  const said = masked
    .filter(([count]) => (count ?? 0) > 0)
    .map(([count, what]) => `${formatCount(count ?? 0)} ${what}`);
  if (said.length > 0) lines.push(`masked by the platform: ${said.join(', ')}`);
  return lines;
}
