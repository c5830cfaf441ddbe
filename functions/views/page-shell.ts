/** The document around a marketer page: self-contained (inline CSS), Chinese-first, no scripts. */
import { HTML_LANG, type Lang } from '../domain/i18n.ts';
import { escapeHtml } from '../domain/text.ts';

export interface PageLanguage {
  lang: Lang;
  /** The same page in the other language: its address and the link's words (`English`, `中文`). */
  other?: { href: string; label: string; lang: Lang };
}

/** The language switch sits top right; without scripts it is a plain link to the other page. */
export const SHELL_CSS =
  '.lang-switch{float:right;margin:2px 0 0 12px;font-size:13px}.lang-switch a{display:inline-block;padding:4px 10px;border:1px solid #cbd5e1;border-radius:14px;background:#fff;color:#1e293b;text-decoration:none}';

export function htmlPage(title: string, css: string, body: string, language: PageLanguage = { lang: 'zh' }): string {
  const other = language.other;
  const nav = other
    ? `<nav class="lang-switch"><a href="${escapeHtml(other.href)}" hreflang="${HTML_LANG[other.lang]}" lang="${HTML_LANG[other.lang]}">${escapeHtml(other.label)}</a></nav>\n`
    : '';
  return `<!doctype html>
<html lang="${HTML_LANG[language.lang]}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${SHELL_CSS}${css}</style>
</head>
<body>
<main>
${nav}${body}
</main>
</body>
</html>
`;
}
