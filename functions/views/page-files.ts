/**
 * A marketer page as two static files: Chinese (`timeline.html`, the default) and English
 * (`timeline.en.html`), each linking to the other. The pages have no scripts, so the honest
 * language switch is a link to the other file; it is relative, so it works from a folder, from
 * S3 and from a download alike.
 */
import type { Lang } from '../domain/i18n.ts';

export interface PageFile {
  /** The file's path: `<base>.html` in Chinese, `<base>.en.html` in English. */
  path: string;
  lang: Lang;
  html: string;
}

const FILE_SUFFIX: Record<Lang, string> = { zh: '.html', en: '.en.html' };

/** The file name of a page in a language, from its base path (`out/demo/timeline` -> `out/demo/timeline.en.html`). */
export function pagePath(base: string, lang: Lang): string {
  return `${base}${FILE_SUFFIX[lang]}`;
}

/** Both languages of one page; `render` gets the other file's relative address for its switch. */
export function bilingualPages(base: string, render: (lang: Lang, otherHref: string) => string): PageFile[] {
  const name = base.slice(base.lastIndexOf('/') + 1);
  return (['zh', 'en'] as const).map((lang) => {
    const other: Lang = lang === 'zh' ? 'en' : 'zh';
    return { path: pagePath(base, lang), lang, html: render(lang, pagePath(name, other)) };
  });
}
