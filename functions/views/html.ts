/**
 * An auto-escaping HTML template for every page: every value put into `html\`...\`` is
 * escaped unless it is itself a piece made by `html` (or `raw`, for the few trusted strings:
 * the inline CSS and script). Lists of pieces are joined. So a campaign id, a message text or
 * a file name can never become markup.
 */
import { escapeHtml } from '../domain/text.ts';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function piece(value: Part): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(piece).join('');
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? '';
  for (const [index, value] of values.entries()) out += piece(value) + (strings[index + 1] ?? '');
  return new SafeHtml(out);
}

/** Markup written by this code, never by a user: the page's CSS and script. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no value can close the element. */
export function jsonScript(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  );
}
