import { describe, expect, it } from 'vitest';
import { type AuditEntry, firedWhilePausedReason } from '../../functions/domain/campaign-lifecycle.ts';
import type { CampaignReport } from '../../functions/domain/report-types.ts';
import { auditReason } from '../../functions/views/audit-reason.ts';
import { reportModel } from '../../functions/views/report/model.ts';
import { fixtureReport } from './fixture-report.ts';

const entry = (extra: Partial<AuditEntry>): AuditEntry => ({
  at: '2026-11-10T12:00:00.000Z',
  actor: 'mei',
  action: 'pause',
  from: 'approved',
  to: 'paused',
  ...extra,
});

describe("the audit trail's reasons in the console", () => {
  it('says the reasons the system writes in the page language', () => {
    // Prepare
    const testSend = entry({ action: 'test-send', from: 'draft', to: 'draft', reason: '2 recipient(s)' });
    const held = entry({ action: 'fired-while-paused', reason: firedWhilePausedReason('midnight-sms-g3') });

    // Act + Assess
    expect(auditReason(testSend, 'zh')).toBe('发给 2 位测试收件人');
    expect(auditReason(testSend, 'en')).toBe('to 2 test recipient(s)');
    expect(auditReason(held, 'zh')).toBe('暂停期间到点，未发送：midnight-sms-g3');
    expect(auditReason(held, 'en')).toBe('due while paused, not sent: midnight-sms-g3');
  });

  it("shows a marketer's own reason as written, and nothing when there is none", () => {
    // Act + Assess
    expect(auditReason(entry({ reason: '库存不足，先暂停' }), 'en')).toBe('库存不足，先暂停');
    expect(auditReason(entry({ action: 'test-send', reason: 'my own words' }), 'zh')).toBe('my own words');
    expect(auditReason(entry({}), 'zh')).toBe('');
  });
});

describe("the audit trail's reasons in the report", () => {
  it('says a test send in the report page language too, beside its wave', () => {
    // Prepare: the trail as the lifecycle writes it for a test send.
    const report: CampaignReport = structuredClone(fixtureReport);
    report.audit = [
      entry({ action: 'test-send', from: 'draft', to: 'draft', waveId: 'presale', reason: '1 recipient(s)' }),
    ];

    // Act
    const zh = reportModel(report, { lang: 'zh' });
    const en = reportModel(report, { lang: 'en' });

    // Assess
    expect(zh.audit?.rows[0]?.details, 'the Chinese report says the reason in Chinese').toContain(
      '发给 1 位测试收件人',
    );
    expect(en.audit?.rows[0]?.details).toContain('to 1 test recipient(s)');
  });
});
