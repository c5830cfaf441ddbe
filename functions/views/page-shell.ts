/** The document around a marketer page: self-contained (inline CSS), Chinese-first, no scripts. */
import { escapeHtml } from '../domain/text.ts';

export function htmlPage(title: string, css: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
