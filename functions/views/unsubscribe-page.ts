/**
 * The pages of the unsubscribe link, for the customer: Simplified Chinese first, English
 * below it on the same page (a customer has no account to keep a language setting in).
 * Self-contained (inline CSS, no script, no image) and escaped throughout: the only
 * variable text is the token, and it is escaped like everything else.
 */
import { escapeHtml } from '../domain/text.ts';
import { htmlPage } from './page-shell.ts';

export type UnsubscribePage = 'confirm' | 'done' | 'invalid' | 'error';

interface PageText {
  title: string;
  heading: { zh: string; en: string };
  body: { zh: string; en: string };
}

const TEXT: Record<UnsubscribePage, PageText> = {
  confirm: {
    title: '退订营销邮件 · Unsubscribe',
    heading: { zh: '退订营销邮件', en: 'Unsubscribe from marketing emails' },
    body: {
      zh: '点击下方按钮后，您将不再收到本店的营销邮件。',
      en: 'Press the button below and you will no longer receive marketing emails from this store.',
    },
  },
  done: {
    title: '已退订 · Unsubscribed',
    heading: { zh: '您已退订', en: 'You are unsubscribed' },
    body: {
      zh: '您将不再收到本店的营销邮件。如需重新订阅，请联系客服。',
      en: 'You will no longer receive marketing emails from this store. To subscribe again, contact customer service.',
    },
  },
  invalid: {
    title: '链接无效 · Link not valid',
    heading: { zh: '链接无效', en: 'This link is not valid' },
    body: {
      zh: '这个退订链接不完整或已被修改，未做任何更改。请使用邮件中的原始链接，或联系客服。',
      en: 'This unsubscribe link is incomplete or has been altered; nothing was changed. Use the link from the email as it is, or contact customer service.',
    },
  },
  error: {
    title: '请稍后再试 · Please try again',
    heading: { zh: '暂时无法处理', en: 'We could not do this just now' },
    body: {
      zh: '您的请求没有完成，请稍后再次打开邮件中的链接。',
      en: 'Your request did not go through. Please open the link in the email again later.',
    },
  },
};

const CSS = `
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",system-ui,sans-serif;color:#1f2328;background:#f6f7f9}
main{max-width:34rem;margin:12vh auto;padding:1.5rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.35rem;margin:0 0 .75rem}
h2{font-size:1.05rem;margin:1.5rem 0 .5rem;color:#57606a}
p{line-height:1.6;margin:0 0 .75rem}
.en{color:#57606a}
form{margin:1.25rem 0 .5rem}
button{font:inherit;font-size:1rem;padding:.65rem 1.4rem;border:0;border-radius:6px;background:#d0312d;color:#fff;cursor:pointer}
button:focus-visible{outline:3px solid #0969da;outline-offset:2px}
`;

/** The page; `token` is needed for `confirm` only (its button posts the same link). */
export function renderUnsubscribePage(page: UnsubscribePage, token?: string): string {
  const text = TEXT[page];
  const button =
    page === 'confirm' && token !== undefined
      ? `<form method="post" action="?t=${escapeHtml(encodeURIComponent(token))}">
<input type="hidden" name="source" value="page">
<button type="submit">确认退订 · Unsubscribe</button>
</form>`
      : '';
  const body = `<section lang="zh-CN">
<h1>${escapeHtml(text.heading.zh)}</h1>
<p>${escapeHtml(text.body.zh)}</p>
</section>
${button}
<section lang="en" class="en">
<h2>${escapeHtml(text.heading.en)}</h2>
<p>${escapeHtml(text.body.en)}</p>
</section>`;
  return htmlPage(text.title, CSS, body);
}
