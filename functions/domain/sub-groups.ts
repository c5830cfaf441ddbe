/**
 * The playbook's finer split of the weak groups: "在低质量的客户组里找出相对质量高的客户群"
 * (find the better customers among the weak groups). Each customer of `dormant-shallow`,
 * `dormant-deep` and `churned` falls in exactly one sub-group, by two questions:
 * - new or returning: one order (or none) against more than one; a returning customer came
 *   back once already and is the likelier to come back again;
 * - higher or lower value: the average order value or the total spend reaches its threshold.
 * The Double-11 buyers are split by their own groups (`d11-loyal` every Double-11, `d11-only`
 * only on Double-11s, `d11-veteran` the rest); the other groups are not split.
 * Pure: facts and settings in, sub-group out.
 */
import type { CustomerFacts, PlaybookGroup } from './segments.ts';

/** The groups with sub-groups. */
export const SPLIT_GROUPS = ['dormant-shallow', 'dormant-deep', 'churned'] as const;
export type SplitGroup = (typeof SPLIT_GROUPS)[number];

export const TENURES = ['new', 'returning'] as const;
export type Tenure = (typeof TENURES)[number];

export const VALUE_BANDS = ['high', 'low'] as const;
export type ValueBand = (typeof VALUE_BANDS)[number];

/** `dormant-deep:returning-high`: the code files, audiences and summaries use. */
export type SubGroup = `${SplitGroup}:${Tenure}-${ValueBand}`;

/** Every sub-group, in group order, then new before returning, high before low. */
export const SUB_GROUPS: readonly SubGroup[] = SPLIT_GROUPS.flatMap((group) =>
  TENURES.flatMap((tenure) => VALUE_BANDS.map((band): SubGroup => `${group}:${tenure}-${band}`)),
);

/** A sub-group's position in SUB_GROUPS, for bit masks; the order never changes within a run. */
const SUB_GROUP_INDEX = new Map<string, number>(SUB_GROUPS.map((code, index) => [code, index]));

/** The thresholds of the value split, CNY (campaign settings under `segments`). */
export interface SubGroupSettings {
  /** Higher value when the average order value reaches this. */
  subGroupOrderValue: number;
  /** Higher value when the total spend reaches this. */
  subGroupSpend: number;
}

export function isSplitGroup(group: string): group is SplitGroup {
  return (SPLIT_GROUPS as readonly string[]).includes(group);
}

/**
 * Returning when the file says more than one order. A last order without a count is one
 * order we know of, so new; never ordered is new too.
 */
export function tenureOf(facts: CustomerFacts): Tenure {
  return (facts.orderCount ?? 0) > 1 ? 'returning' : 'new';
}

/**
 * Higher value when the average order value or the total spend reaches its threshold: a
 * single big basket counts as much as many small ones. Orders are the file's count, or one
 * when it gives a last order but no count; no spend is lower value.
 */
export function valueBandOf(facts: CustomerFacts, settings: SubGroupSettings): ValueBand {
  const spend = facts.totalSpend ?? 0;
  if (spend <= 0) return 'low';
  if (spend >= settings.subGroupSpend) return 'high';
  const orders = facts.orderCount ?? (facts.lastOrderAt !== undefined ? 1 : 0);
  // Spend without any order is the file's own contradiction: read as one basket.
  const average = spend / Math.max(1, orders);
  return average >= settings.subGroupOrderValue ? 'high' : 'low';
}

/** The customer's sub-group within its primary group; undefined for the groups that are not split. */
export function subGroupOf(
  group: PlaybookGroup,
  facts: CustomerFacts,
  settings: SubGroupSettings,
): SubGroup | undefined {
  if (!isSplitGroup(group)) return undefined;
  return `${group}:${tenureOf(facts)}-${valueBandOf(facts, settings)}`;
}

/** The index of the customer's sub-group in SUB_GROUPS, or -1 for a group that is not split (for the planner's masks). */
export function subGroupIndexOf(group: PlaybookGroup, facts: CustomerFacts, settings: SubGroupSettings): number {
  const split = (SPLIT_GROUPS as readonly string[]).indexOf(group);
  if (split < 0) return -1;
  // SUB_GROUPS order: group, then new/returning, then high/low; no string per customer on the million-row path.
  return split * 4 + (tenureOf(facts) === 'returning' ? 2 : 0) + (valueBandOf(facts, settings) === 'low' ? 1 : 0);
}

export function isSubGroup(code: string): code is SubGroup {
  return SUB_GROUP_INDEX.has(code);
}

/**
 * What an audience entry names, when it names sub-groups: a whole sub-group
 * (`dormant-deep:returning-high`) or half of the split (`dormant-deep:returning`,
 * `churned:high`). `null` when the entry is not written as a sub-group at all (a group, a
 * label, a tier); `undefined` when it starts like one and is not one (the campaign file refuses it).
 */
export function subGroupsNamedBy(entry: string): readonly SubGroup[] | null | undefined {
  const colon = entry.indexOf(':');
  if (colon < 0) return null;
  const group = entry.slice(0, colon);
  if (!isSplitGroup(group)) return null;
  const rest = entry.slice(colon + 1);
  const whole = `${group}:${rest}`;
  if (isSubGroup(whole)) return [whole];
  const matches = SUB_GROUPS.filter((code) => {
    if (!code.startsWith(`${group}:`)) return false;
    const [tenure, band] = code.slice(colon + 1).split('-') as [Tenure, ValueBand];
    return rest === tenure || rest === band;
  });
  return matches.length > 0 ? matches : undefined;
}

/** The sub-groups a wave's audience names, as a mask over SUB_GROUPS (bit i = SUB_GROUPS[i]). */
export function subGroupMaskOf(audience: readonly string[]): number {
  let mask = 0;
  for (const entry of audience) {
    for (const code of subGroupsNamedBy(entry) ?? []) mask |= 1 << (SUB_GROUP_INDEX.get(code) as number);
  }
  return mask >>> 0;
}

/** The spellings an audience may use for a group's sub-groups, for error messages. */
export function subGroupSpellings(group: SplitGroup): string[] {
  return [
    ...TENURES.map((tenure) => `${group}:${tenure}`),
    ...VALUE_BANDS.map((band) => `${group}:${band}`),
    ...SUB_GROUPS.filter((code) => code.startsWith(`${group}:`)),
  ];
}
