/**
 * One sheet of a workbook read as a segment file: typed cells, the rows Excel shows, the
 * sheet chosen or refused by name, and files that are no workbook.
 */
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../functions/domain/customer.ts';
import { readSegmentFile } from '../../functions/domain/segment-file.ts';
import { type RejectedRow, SegmentFileError, SegmentReader } from '../../functions/domain/segment-reader.ts';
import { cellText, dateSystemOf, openSheet } from '../../functions/domain/xlsx-sheet.ts';
import { lastBoundary, readEntry, readZipDirectory } from '../../functions/domain/zip-entries.ts';
import { type FixtureSheet, memoryBytes, wallClock, workbookBytes } from '../support/xlsx-fixtures.ts';

const ZONE = 'Asia/Shanghai';
const HEADER = ['customer_id', 'phone', 'email', 'last_order_at', 'order_count', 'total_spend', 'unpaid_order'];

async function readBook(
  sheets: readonly FixtureSheet[],
  options: { sheet?: string; sharedStrings?: boolean; fileName?: string; date1904?: boolean } = {},
) {
  const buffer = await workbookBytes(sheets, options);
  const reader = new SegmentReader({ fileName: options.fileName ?? 'vip.xlsx', timeZone: ZONE });
  const accepted: Array<{ line: number; customer: Customer }> = [];
  const rejected: RejectedRow[] = [];
  const file = { name: 'vip.xlsx', open: () => memoryBytes(buffer).read(0, buffer.length), bytes: memoryBytes(buffer) };
  for await (const batch of readSegmentFile(
    reader,
    options.sheet === undefined ? file : { ...file, sheet: options.sheet },
  )) {
    accepted.push(...batch.accepted);
    rejected.push(...batch.rejected);
  }
  return { accepted, rejected, summary: reader.summary };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SegmentFileError) return error.reason;
    throw error;
  }
  throw new Error('the file was not refused');
}

describe('an .xlsx segment file', () => {
  it('reads typed cells: dates and serials in date cells as dates, numbers as numbers, booleans', async () => {
    // Prepare: what Excel stores, cell by cell.
    const rows = [
      HEADER,
      ['C1', 13800138000, 'a@qq.com', wallClock(2025, 11, 11, 10, 0), 3, 1299.5, true],
      ['C2', '+86 139-0013-9000', null, { value: 45972.5, numFmt: 'yyyy"年"m"月"d"日"' }, 12, 0.3, false],
      ['C3', null, 'c@qq.com', 45972, '5', '¥1,299.00', '是'],
    ];

    // Act
    const { accepted, rejected, summary } = await readBook([{ name: '客户', rows }]);

    // Assess
    expect(rejected, 'no row is rejected').toEqual([]);
    expect(summary).toMatchObject({ format: 'xlsx', sheet: '客户', rows: 3, accepted: 3 });
    const byId = Object.fromEntries(accepted.map(({ customer }) => [customer.customerId, customer]));
    expect(byId.C1).toMatchObject({
      phone: '+8613800138000',
      lastOrderAt: Date.parse('2025-11-11T10:00:00+08:00'),
      orderCount: 3,
      totalSpend: 1299.5,
      unpaidOrder: true,
    });
    expect(byId.C2).toMatchObject({
      phone: '+8613900139000',
      lastOrderAt: Date.parse('2025-11-11T12:00:00+08:00'),
      orderCount: 12,
      totalSpend: 0.3,
      unpaidOrder: false,
    });
    // An Excel serial in a General cell of the date column is a date too.
    expect(byId.C3).toMatchObject({
      lastOrderAt: Date.parse('2025-11-11T00:00:00+08:00'),
      totalSpend: 1299,
      unpaidOrder: true,
    });
  });

  it('reads the dates of a workbook saved in the 1904 date system on their own days, not 4 years early', async () => {
    // Prepare: the same day four ways in a 1904 workbook, where 2025-11-11 is day 44510 (45972 in the 1900 system).
    const rows = [
      ['customer_id', 'last_order_at'],
      ['D1', wallClock(2025, 11, 11, 10, 0)],
      ['D2', { value: 44_510.5, numFmt: 'yyyy"年"m"月"d"日"' }],
      ['D3', 44_510],
      ['D4', { value: { formula: 'DATE(2025,11,11)', result: 44_510 }, numFmt: 'yyyy-mm-dd' }],
    ];
    const buffer = await workbookBytes([{ name: 'Mac', rows }], { date1904: true });
    const entries = await readZipDirectory(memoryBytes(buffer));
    const entry = (name: string) => entries.get(name) as NonNullable<ReturnType<typeof entries.get>>;
    const workbookXml = (await readEntry(memoryBytes(buffer), entry('xl/workbook.xml'), 1 << 20)).toString();
    const sheetXml = (await readEntry(memoryBytes(buffer), entry('xl/worksheets/sheet1.xml'), 1 << 20)).toString();
    expect(workbookXml, 'the fixture is a 1904 workbook').toMatch(/date1904="1"/);
    expect(sheetXml, 'its Date cell is stored as a 1904 serial').toMatch(/<v>44510\.41666/);

    // Act
    const { accepted, rejected } = await readBook([{ name: 'Mac', rows }], { date1904: true });
    const opened = await openSheet(memoryBytes(buffer), { file: 'mac.xlsx' });

    // Assess
    expect(rejected, 'no row is rejected').toEqual([]);
    const dates = Object.fromEntries(
      accepted.map(({ customer }) => [customer.customerId, new Date(customer.lastOrderAt ?? Number.NaN).toISOString()]),
    );
    expect(dates, 'each cell read on the day Excel on a Mac shows').toEqual({
      D1: '2025-11-11T02:00:00.000Z',
      D2: '2025-11-11T04:00:00.000Z',
      D3: '2025-11-10T16:00:00.000Z',
      D4: '2025-11-10T16:00:00.000Z',
    });
    expect(opened.date1904, 'the sheet says its workbook is in the 1904 system').toBe(true);
  });

  it('reports rejects under the row numbers Excel shows, past a title row and blank rows', async () => {
    // Prepare: a title above the header (row 1), the header on row 2, a blank row 4.
    const rows: FixtureSheet['rows'] = [
      ['客户列表 导出时间 2026-10-20 12:00'],
      HEADER,
      ['C1', '13800138000', null, null, 1, 10, null],
      [],
      ['C2', '12345', null, null, 1, 10, null],
      ['C3', '13800138003', 'not-an-email', null, -2, 10, null],
    ];

    // Act
    const { accepted, rejected, summary } = await readBook([{ name: 'Sheet1', rows }]);

    // Assess
    expect(accepted.map(({ line, customer }) => [line, customer.customerId])).toEqual([[3, 'C1']]);
    expect(rejected.map((row) => [row.line, row.customerId, row.problems.map((problem) => problem.column)])).toEqual([
      [5, 'C2', ['phone']],
      [6, 'C3', ['email', 'order_count']],
    ]);
    expect(summary).toMatchObject({ rows: 3, accepted: 1, rejected: 2 });
  });

  it('keeps every Chinese character whole, wherever the inflated sheet is cut into chunks', async () => {
    // Prepare: far more text than one inflater chunk, three bytes a character.
    const names = Array.from({ length: 2500 }, (_, index) => `客户${'曹鑫英王芳'.slice(index % 5)}${index}`);
    const rows = [['customer_id', 'name'], ...names.map((name, index) => [`C${index}`, name])];

    // Act
    const shared = await readBook([{ name: 'S', rows }]);
    const inline = await readBook([{ name: 'S', rows }], { sharedStrings: false });

    // Assess
    expect(shared.accepted.map(({ customer }) => customer.name)).toEqual(names);
    expect(inline.accepted.map(({ customer }) => customer.name)).toEqual(names);
  });

  it('reads the same rows when the shared strings go to disk past their memory budget', async () => {
    // Prepare
    const rows = [
      ['customer_id', 'name', 'email', 'member_tier'],
      ...Array.from({ length: 3000 }, (_, index) => [`C${index}`, `王${index}`, `w${index}@qq.com`, `VIP${index % 3}`]),
    ];
    const bytes = memoryBytes(await workbookBytes([{ name: 'S', rows }]));
    const read = async (budget?: number) => {
      const options = budget === undefined ? { file: 'a.xlsx' } : { file: 'a.xlsx', sharedStringsBudget: budget };
      const sheet = await openSheet(bytes, options);
      const cells: string[][] = [];
      for await (const batch of sheet.rows()) for (const row of batch) cells.push(row.cells);
      return cells;
    };

    // Act
    const inMemory = await read();
    const onDisk = await read(200);

    // Assess
    expect(inMemory).toHaveLength(3001);
    expect(onDisk).toEqual(inMemory);
    expect(inMemory[3000]).toEqual(['C2999', '王2999', 'w2999@qq.com', 'VIP2']);
  });

  it('reads inline strings as well as shared ones', async () => {
    // Act
    const { accepted } = await readBook([{ name: 'S', rows: [HEADER, ['C1', '13800138000']] }], {
      sharedStrings: false,
    });

    // Assess
    expect(accepted.map(({ customer }) => [customer.customerId, customer.phone])).toEqual([['C1', '+8613800138000']]);
  });

  it('reads the first visible sheet, or the one --sheet names (case and end spaces aside)', async () => {
    // Prepare
    const sheets: FixtureSheet[] = [
      { name: '说明', hidden: true, rows: [['这是说明'], ['不是客户']] },
      { name: '全部客户', rows: [HEADER, ['ALL1']] },
      { name: 'VIP List', rows: [HEADER, ['VIP1'], ['VIP2']] },
    ];

    // Act
    const first = await readBook(sheets);
    const named = await readBook(sheets, { sheet: ' vip list ' });

    // Assess
    expect(first.summary.sheet).toBe('全部客户');
    expect(first.accepted.map(({ customer }) => customer.customerId)).toEqual(['ALL1']);
    expect(named.summary.sheet).toBe('VIP List');
    expect(named.accepted.map(({ customer }) => customer.customerId)).toEqual(['VIP1', 'VIP2']);
  });

  it('refuses a sheet that is not there, naming the sheets that are', async () => {
    // Prepare
    const sheets: FixtureSheet[] = [
      { name: '客户', rows: [HEADER] },
      { name: '备份', hidden: true, rows: [HEADER] },
    ];

    // Act
    const reason = await refusal(readBook(sheets, { sheet: 'VIP' }));

    // Assess
    expect(reason).toBe('the workbook has no sheet "VIP" (its sheets: "客户", "备份" (hidden))');
  });

  it('refuses a file that is not a workbook with the reason', async () => {
    // Prepare
    const csvBytes = Buffer.from('customer_id,phone\nC1,13800138000\n');
    const book = await workbookBytes([{ name: 'S', rows: [HEADER, ['C1']] }]);
    const truncated = book.subarray(0, book.length - 100);

    // Act
    const notZip = await refusal(openSheet(memoryBytes(csvBytes), { file: 'a.xlsx' }));
    const cut = await refusal(openSheet(memoryBytes(truncated), { file: 'a.xlsx' }));
    const empty = await refusal(openSheet(memoryBytes(Buffer.alloc(0)), { file: 'a.xlsx' }));
    const xls = await refusal(
      openSheet(memoryBytes(Buffer.from('d0cf11e0a1b11ae1000000000000000000000000', 'hex')), { file: 'a.xlsx' }),
    );

    // Assess
    expect(notZip).toBe(
      'the file is not an Excel workbook (.xlsx): it is not a zip file (a CSV or text file renamed to .xlsx? then name it .csv)',
    );
    expect(cut).toBe(
      'the file is damaged or cut short: it has no zip directory at its end (was the upload or download interrupted?)',
    );
    expect(empty).toBe('the file is empty (0 bytes), not an Excel workbook');
    expect(xls).toMatch(/^the file is an Excel 97-2003 workbook \(\.xls\) or a password-protected one/);
  });

  it('tells an old .xls workbook to be saved as .xlsx', () => {
    // Act
    const refused = () => new SegmentReader({ fileName: 'customers.xls', timeZone: ZONE });

    // Assess
    expect(refused).toThrow(/save the workbook as \.xlsx/);
  });
});

describe('lastBoundary', () => {
  it('cuts a chunk after its last whole UTF-8 character', () => {
    const text = Buffer.from('a王😀', 'utf8');
    expect(lastBoundary(text)).toBe(text.length);
    expect(lastBoundary(text.subarray(0, 3))).toBe(1);
    expect(lastBoundary(text.subarray(0, 4))).toBe(4);
    expect(lastBoundary(text.subarray(0, 6))).toBe(4);
    expect(lastBoundary(text.subarray(0, 1))).toBe(1);
  });
});

describe('cellText', () => {
  it('writes cells as a CSV export would hold them', () => {
    expect(cellText(0.1 + 0.2)).toBe('0.3');
    expect(cellText(13800138000)).toBe('13800138000');
    expect(cellText(45972.5, 'yyyy-mm-dd hh:mm')).toBe('2025-11-11T12:00:00');
    expect(cellText({ formula: 'A1', result: 45972 }, 'm/d/yy')).toBe('2025-11-11T00:00:00');
    expect(cellText({ richText: [{ text: '王' }, { text: '芳' }] })).toBe('王芳');
    expect(cellText({ error: '#N/A' })).toBe('#N/A');
    expect(cellText(true)).toBe('true');
  });

  it("reads date numbers and Date values in the workbook's date system", () => {
    const mac = dateSystemOf('<workbook><workbookPr date1904="1" defaultThemeVersion="124226"/></workbook>');
    const macTrue = dateSystemOf('<x:workbook><x:workbookPr date1904="true"/></x:workbook>');
    const windows = dateSystemOf('<workbook><workbookPr defaultThemeVersion="124226"/></workbook>');
    expect([mac.date1904, macTrue.date1904, windows.date1904]).toEqual([true, true, false]);
    expect(cellText(44_510.5, 'yyyy-mm-dd hh:mm', mac)).toBe('2025-11-11T12:00:00');
    expect(cellText({ formula: 'A1', result: 44_510 }, 'm/d/yy', macTrue)).toBe('2025-11-11T00:00:00');
    expect(cellText(44_510.5, 'yyyy-mm-dd hh:mm', windows)).toBe('2021-11-10T12:00:00');
    // exceljs shifts the Date values of date1904="1" itself, not those of date1904="true".
    const asExcelJsReadIt = new Date(Date.UTC(2021, 10, 10, 12));
    expect(cellText(new Date(Date.UTC(2025, 10, 11, 12)), 'yyyy-mm-dd', mac)).toBe('2025-11-11T12:00:00');
    expect(cellText(asExcelJsReadIt, 'yyyy-mm-dd', macTrue)).toBe('2025-11-11T12:00:00');
  });
});
