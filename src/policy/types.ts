// The shape of the regulation as data. One Policy object drives intake, assessment, deadlines and statistics.

/** '9.1'…'9.9', '10.1'…'10.8', '11.1'…'11.3', '12'. */
export type ItemId = string;
export type ConditionId = '10.c1' | '10.c2' | '10.c3';
/** 免责 / 从轻 / 减轻 / 不予容错 */
export type VoteOption = 'exempt' | 'lighter' | 'mitigate' | 'refuse';
/** 尽职免责 / 容错免责 / 从轻或减轻 / 不予容错 / 无适用情形 */
export type Recommendation = 'duty_exempt' | 'tolerance_exempt' | 'lighter_or_mitigate' | 'refuse' | 'none';
export type DayKind = 'calendar' | 'working';
export type PublicationScope = 'none' | 'party' | 'chat';
export type ReportOutcome = 'true' | 'partly_true' | 'false' | 'unfounded' | 'tolerated';
export type Article = 9 | 10 | 11 | 12;
/** 尽职免责 (art. 9) or 容错免责 (art. 10 para. 2). */
export type ExemptionBasis = 'duty' | 'tolerance';
/** When correction is required but nothing needs correcting: may the secretary say so with a reason? */
export type CorrectionWaiver = 'reasoned' | 'never';

export interface Period {
  days: number;
  kind: DayKind;
}

export interface PolicyItem {
  id: ItemId;
  article: Article;
  /** (一) = 1; 0 for art. 12, which has no items. */
  index: number;
  /** The regulation's own words, without the ordinal and the closing punctuation. */
  wording: string;
  /** One plain-language line for officers. */
  hint: string;
  /** e.g. '第十条第（四）项' */
  citation: string;
}

export interface PolicyCondition {
  id: ConditionId;
  wording: string;
  hint: string;
  /** e.g. '第十条第二款第（一）项' */
  citation: string;
}

/** An article's lead sentence and what its items lead to, for grouping items in intake and cards. */
export interface PolicyArticle {
  article: Article;
  citation: string;
  lead: string;
  outcomeLabel: string;
}

/** A sentence quoted from the regulation with where it comes from. */
export interface Quote {
  text: string;
  citation: string;
}

export interface Named {
  id: string;
  name: string;
}

export interface Ratio {
  numerator: number;
  denominator: number;
  /** true: more than the ratio; false: at least the ratio. */
  strict: boolean;
}

export interface ExtraCalendarDay {
  date: string;
  kind: 'holiday' | 'workday';
  name?: string;
}

export interface Policy {
  orgName: string;
  regulationTitle: string;
  /** '容错〔{year}〕{seq}号' */
  caseNumberFormat: string;
  /** '举报〔{year}〕{seq}号' */
  reportNumberFormat: string;
  /** 公文 (GB/T 9704): 发文机关 and 发文字号, e.g. '兴国动容〔{year}〕{seq}号', one sequence per year. */
  documents: { issuer: string; numberFormat: string };
  articles: PolicyArticle[];
  items: PolicyItem[];
  conditions: PolicyCondition[];
  /** Lead sentence of art. 10 para. 2, introducing the three conditions. */
  conditionsLead: Quote;
  /** Art. 14's scope: the outcomes that 「不作为执法错误认定」; statistics count them apart from errors. */
  notAnErrorOutcomes: VoteOption[];
  statements: {
    /** Art. 14: a tolerated case is not recorded as an enforcement error. */
    notAnError: Quote;
    /** Art. 16: the duty to analyse causes and improve rules. */
    correctionDuty: Quote;
  };
  recommendations: { id: Recommendation; label: string }[];
  voteOptions: { id: VoteOption; label: string }[];
  /** Art. 13 five factors. */
  factors: Named[];
  units: Named[];
  enforcementStages: Named[];
  errorCategories: Named[];
  enforcementAreas: Named[];
  publicationScopes: { id: PublicationScope; label: string }[];
  reportOutcomes: { id: ReportOutcome; label: string }[];
  notice: Period & { retryAfterDays: number; escalateOnLastDay: boolean };
  decision: Period;
  correction: {
    defaultPeriod: Period;
    reminderOffsetsDays: number[];
    reminderHour: number;
    overdueDaily: boolean;
    /** Arts. 15–16: the exemptions after which a correction order goes with the determination. */
    requiredAfter: ExemptionBasis[];
    /** Whether, and how, the secretary may state that nothing needs correcting where an order is required. */
    waiver: CorrectionWaiver;
  };
  deliberation: { quorum: Ratio; majority: Ratio };
  risk: { threshold: number; windowDays: number };
  digest: { weekday: number; hour: number };
  calendar: { extraDays: ExtraCalendarDay[]; warnDaysBeforeDataEnds: number };
  limits: { titleMaxLength: number; textMaxLength: number };
}
