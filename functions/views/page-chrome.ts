/**
 * The document around a marketer page, shared by the static pages (timeline, report): the
 * head, the inline stylesheet and the language switch. Self-contained (inline CSS, no
 * scripts, nothing from the network), Chinese first. Without scripts the switch is a plain
 * link to the other language's file, top right.
 */
import { HTML_LANG, type Lang } from '../domain/i18n.ts';
import { html, raw, type SafeHtml } from './html.ts';

/** The page's chrome as plain data: part of a page's view model. */
export interface PageChromeModel {
  /** The `lang` attribute of the page (`zh-CN`, `en`). */
  htmlLang: string;
  title: string;
  /** The same page in the other language, when its address is known. */
  other?: { href: string; label: string; htmlLang: string };
}

/** The chrome of a page in `lang`; `other` is the other language's address and the link's words (`English`, `中文`). */
export function pageChrome(title: string, lang: Lang, other?: { href: string; label: string }): PageChromeModel {
  const otherLang: Lang = lang === 'zh' ? 'en' : 'zh';
  return {
    htmlLang: HTML_LANG[lang],
    title,
    ...(other ? { other: { href: other.href, label: other.label, htmlLang: HTML_LANG[otherLang] } } : {}),
  };
}

/** The language switch sits top right; without scripts it is a plain link to the other page. */
export const SHELL_CSS =
  '.lang-switch{float:right;margin:2px 0 0 12px;font-size:13px}.lang-switch a{display:inline-block;padding:4px 10px;border:1px solid #cbd5e1;border-radius:14px;background:#fff;color:#1e293b;text-decoration:none}';

/** The whole document. `css` is the page's own stylesheet, written by this code, never from input. */
export function renderDocument(chrome: PageChromeModel, css: string, body: SafeHtml): string {
  const other = chrome.other;
  const nav = other
    ? html`<nav class="lang-switch"><a href="${other.href}" hreflang="${other.htmlLang}" lang="${other.htmlLang}">${other.label}</a></nav>
`
    : '';
  return html`<!doctype html>
<html lang="${chrome.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title}</title>
<style>${raw(SHELL_CSS)}${raw(css)}</style>
</head>
<body>
<main>
${nav}${body}
</main>
</body>
</html>
`.value;
}
