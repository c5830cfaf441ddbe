/**
 * The shared strings table past its memory budget: texts on disk read back exactly, in
 * any order, and the temporary file removed when the sheet is done.
 */
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SharedStrings } from '../../functions/domain/xlsx-shared-strings.ts';

function spillFiles(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('xlsx-strings-'));
}

describe('SharedStrings', () => {
  it('reads back every text, in memory and on disk, in table order and at random', () => {
    // Prepare: far more text than the budget; some rich text, empty and long texts.
    const texts = Array.from({ length: 5000 }, (_, index) =>
      index % 97 === 0 ? '' : index % 89 === 0 ? '长'.repeat(3000) : `客户${index}@qq.com`,
    );
    const strings = new SharedStrings(1000);
    const before = new Set(spillFiles());

    // Act
    for (const [index, text] of texts.entries()) {
      strings.push(index === 4321 ? { richText: [{ text: '王' }, { text: '芳' }] } : text);
    }
    const view = strings.view();
    const inOrder = texts.map((_, index) => view[index]);
    const order = Array.from({ length: 2000 }, (_, step) => (step * 7919) % texts.length);
    const atRandom = order.map((index) => strings.at(index));
    const created = spillFiles().filter((name) => !before.has(name));
    strings.close();

    // Assess
    expect(strings.spilled).toBe(true);
    expect(view.length).toBe(texts.length);
    expect(inOrder).toEqual(texts.map((text, index) => (index === 4321 ? '王芳' : text)));
    expect(atRandom).toEqual(order.map((index) => (index === 4321 ? '王芳' : texts[index])));
    expect(strings.at(texts.length)).toBeUndefined();
    expect(created).toHaveLength(1);
    expect(existsSync(`${tmpdir()}/${created[0]}`), 'the temporary file is removed').toBe(false);
  });

  it('keeps a table within its budget in memory, with no file', () => {
    // Act
    const strings = new SharedStrings(1000);
    strings.push('是');
    strings.push({ richText: [{ text: 'VIP' }, { text: '2' }] });

    // Assess
    expect(strings.spilled).toBe(false);
    expect([strings.at(0), strings.at(1)]).toEqual(['是', { richText: [{ text: 'VIP' }, { text: '2' }] }]);
  });
});
