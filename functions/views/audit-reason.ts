/**
 * An audit entry's reason in the page's language, for the console and the report alike: the
 * reasons the system writes (a test send's recipients, a send held while paused) have their
 * words in both languages; a marketer's own reason is shown as written.
 */
import type { AuditEntry } from '../domain/campaign-lifecycle.ts';
import type { Lang } from '../domain/i18n.ts';

const SYSTEM_REASONS: Readonly<
  Record<Lang, { testSend: (count: string) => string; held: (sendId: string) => string }>
> = {
  zh: { testSend: (count) => `发给 ${count} 位测试收件人`, held: (sendId) => `暂停期间到点，未发送：${sendId}` },
  en: {
    testSend: (count) => `to ${count} test recipient(s)`,
    held: (sendId) => `due while paused, not sent: ${sendId}`,
  },
};

export function auditReason(entry: Pick<AuditEntry, 'action' | 'reason'>, lang: Lang): string {
  const reason = entry.reason ?? '';
  const recipients = entry.action === 'test-send' ? /^(\d+) recipient\(s\)$/.exec(reason) : null;
  if (recipients?.[1]) return SYSTEM_REASONS[lang].testSend(recipients[1]);
  const held = entry.action === 'fired-while-paused' ? /^schedule of (.+) held$/.exec(reason) : null;
  if (held?.[1]) return SYSTEM_REASONS[lang].held(held[1]);
  return reason;
}
