/**
 * The dormant and churned groups' sub-groups as a page lists them: one row per split group
 * with customers, its sub-groups beside it with their counts and shares of the group. Pure data
 * from a plan's summary; a plan made before sub-groups existed gives no rows.
 */
import { groupName, type Lang, subGroupShortName } from '../domain/i18n.ts';
import { isSubGroup, SPLIT_GROUPS } from '../domain/sub-groups.ts';
import { formatCount } from '../domain/text.ts';

export interface SubGroupRow {
  group: string;
  name: string;
  count: string;
  parts: Array<{ code: string; name: string; count: string; share: string }>;
}

export function subGroupRows(
  summary: { groups?: Record<string, number>; subGroups?: Record<string, number> } | undefined,
  lang: Lang,
  labels?: Readonly<Record<string, string>>,
): SubGroupRow[] {
  const subGroups = summary?.subGroups;
  if (!subGroups) return [];
  const rows: SubGroupRow[] = [];
  for (const group of SPLIT_GROUPS) {
    const parts = Object.entries(subGroups).filter(
      ([code, n]) => isSubGroup(code) && code.startsWith(`${group}:`) && typeof n === 'number' && n > 0,
    );
    const total = parts.reduce((sum, [, n]) => sum + n, 0);
    if (total === 0) continue;
    rows.push({
      group,
      name: groupName(group, lang, labels),
      count: formatCount(total),
      parts: parts.map(([code, n]) => ({
        code,
        name: isSubGroup(code) ? subGroupShortName(code, lang) : code,
        count: formatCount(n),
        share: `${Math.round((n / total) * 100)}%`,
      })),
    });
  }
  return rows;
}
