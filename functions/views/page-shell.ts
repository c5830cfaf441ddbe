/** The document around a marketer page whose body is still a string (the report page): see page-chrome.ts. */
import { HTML_LANG, type Lang } from '../domain/i18n.ts';
import { raw } from './html.ts';
import { pageChrome, renderDocument } from './page-chrome.ts';

export interface PageLanguage {
  lang: Lang;
  /** The same page in the other language: its address and the link's words (`English`, `中文`). */
  other?: { href: string; label: string; lang: Lang };
}

// The language switch's CSS, for pages that write their own document (the report page).
export { SHELL_CSS } from './page-chrome.ts';

/** `body` is markup the caller escaped itself; a page built with `html` calls renderDocument directly. */
export function htmlPage(title: string, css: string, body: string, language: PageLanguage = { lang: 'zh' }): string {
  const other = language.other;
  const chrome = pageChrome(title, language.lang);
  if (other) chrome.other = { href: other.href, label: other.label, htmlLang: HTML_LANG[other.lang] };
  return renderDocument(chrome, css, raw(body));
}
