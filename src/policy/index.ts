// The regulation as data, its validation and the assessment engine. Pure: no I/O, no clock.

import type { Policy, PolicyItem, Ratio } from './types';

export type { Assessment, CaseFacts } from './assess';
export { assess, CONDITION_IDS, recommendationLabel, shortCondition, suggestedVoteOptions } from './assess';
export { defaultPolicy } from './default';
export { mergePolicy, parsePolicy } from './schema';
export type {
  Article,
  ConditionId,
  CorrectionWaiver,
  DayKind,
  ExemptionBasis,
  ExtraCalendarDay,
  ItemId,
  Named,
  Period,
  Policy,
  PolicyArticle,
  PolicyCondition,
  PolicyItem,
  PublicationScope,
  Quote,
  Ratio,
  Recommendation,
  ReportOutcome,
  VoteOption,
} from './types';

export function itemById(policy: Policy, id: string): PolicyItem | undefined {
  return policy.items.find((i) => i.id === id);
}

export function labelOf(
  list: readonly { id: string; name?: string; label?: string }[],
  id: string,
): string | undefined {
  const hit = list.find((x) => x.id === id);
  return hit?.label ?? hit?.name;
}

function fillNumber(format: string, year: number, seq: number): string {
  return format.replace('{year}', String(year)).replace('{seq}', String(seq));
}

/** 容错〔2026〕7号 */
export function formatCaseNumber(policy: Policy, year: number, seq: number): string {
  return fillNumber(policy.caseNumberFormat, year, seq);
}

/** 举报〔2026〕3号 */
export function formatReportNumber(policy: Policy, year: number, seq: number): string {
  return fillNumber(policy.reportNumberFormat, year, seq);
}

/** 兴国动容〔2026〕3号 */
export function formatDocumentNumber(policy: Policy, year: number, seq: number): string {
  return fillNumber(policy.documents.numberFormat, year, seq);
}

// Users type brackets and digits in many widths; fold them to the forms the formats use.
function foldNumberText(s: string): string {
  return s
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[[【［(（〔{｛]/g, '〔')
    .replace(/[\]】］)）〕}｝]/g, '〕')
    .replace(/\s+/g, '');
}

function parseNumber(format: string, text: string): { year: number; seq: number } | undefined {
  const pattern = format
    .split(/(\{year\}|\{seq\})/)
    .map((part) =>
      part === '{year}'
        ? '(?<year>\\d{4})'
        : part === '{seq}'
          ? '(?<seq>\\d{1,6})'
          : escapeRegExp(foldNumberText(part)),
    )
    .join('');
  const m = new RegExp(`^${pattern}$`).exec(foldNumberText(text));
  if (!m?.groups?.year || !m.groups.seq) return undefined;
  return { year: Number(m.groups.year), seq: Number(m.groups.seq) };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads a case number as users type it (full-width digits, other brackets, spaces); undefined if it is not one. */
export function parseCaseNumber(policy: Policy, text: string): { year: number; seq: number } | undefined {
  return parseNumber(policy.caseNumberFormat, text);
}

export function parseReportNumber(policy: Policy, text: string): { year: number; seq: number } | undefined {
  return parseNumber(policy.reportNumberFormat, text);
}

/** part/whole against a policy ratio, in integers: strict means "more than", otherwise "at least". */
export function meetsRatio(part: number, whole: number, ratio: Ratio): boolean {
  if (whole <= 0) return false;
  const lhs = part * ratio.denominator;
  const rhs = ratio.numerator * whole;
  return ratio.strict ? lhs > rhs : lhs >= rhs;
}
