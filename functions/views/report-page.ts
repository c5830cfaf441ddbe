/**
 * report.html: the campaign report drawn for a marketer after the campaign.
 *
 * A pure function of the CampaignReport and a language: no I/O, no clock, no machine time zone.
 * The model (report/model.ts) chooses every word and formats every number and date in the
 * report's zone; the page (report/page.ts) renders it with the auto-escaping template.
 * Simplified Chinese by default; the English page is report.en.html (or `?lang=en` on the
 * report route), each linking to the other, since the page has no scripts.
 */
import { DEFAULT_LANG, type Lang } from '../domain/i18n.ts';
import type { CampaignReport } from '../domain/report-types.ts';
import { reportModel } from './report/model.ts';
import { renderReport } from './report/page.ts';

export { formatCny } from './report/format.ts';

export interface ReportPageOptions {
  /** Simplified Chinese unless told otherwise. */
  lang?: Lang;
  /** The address of the same report in the other language, for the switch (`report.en.html`, `?lang=en`). */
  otherHref?: string;
}

export function renderReportPage(report: CampaignReport, options: ReportPageOptions = {}): string {
  return renderReport(
    reportModel(report, {
      lang: options.lang ?? DEFAULT_LANG,
      ...(options.otherHref ? { otherHref: options.otherHref } : {}),
    }),
  );
}
