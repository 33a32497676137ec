import { button, buttonRow, card, clip, hr, md } from './common';

/** One error category or enforcement area: cases in the analysis window, tolerated ones apart (art. 14). */
export interface TaxonomyRow {
  id: string;
  name: string;
  /** Decided and recorded as an enforcement error (outcomes outside art. 14's scope). */
  errors: number;
  /** Decided within art. 14's scope (default 尽职免责 / 容错免责): not recorded as an enforcement error. */
  tolerated: number;
  /** Not decided yet. */
  pending: number;
}

export const rowTotal = (r: TaxonomyRow) => r.errors + r.tolerated + r.pending;

/** A category or area at or over the risk threshold (art. 17). */
export interface RiskLine {
  dimension: 'category' | 'area';
  name: string;
  count: number;
}

export const DIMENSION_LABEL: Record<RiskLine['dimension'], string> = {
  category: '错误类别',
  area: '执法领域',
};

const SERIES = {
  errors: '认定为执法过错',
  tolerated: '不作为执法错误认定（第十四条）',
  pending: '尚未认定',
} as const;

/** Bars per chart; the rest are added up into one bar so the card stays small. */
export const MAX_CHART_ROWS = 12;
const MAX_RISK_LINES = 10;

/** A stacked horizontal bar chart (VChart spec) of one taxonomy, or a line saying there is nothing to chart. */
export function taxonomyChart(title: string, rows: TaxonomyRow[]): object {
  const nonEmpty = rows.filter((r) => rowTotal(r) > 0);
  if (nonEmpty.length === 0) return md(`**${title}**：暂无案件`);
  const sorted = [...nonEmpty].sort((a, b) => rowTotal(b) - rowTotal(a));
  const shown = sorted.slice(0, MAX_CHART_ROWS - 1).map((r) => ({ ...r, name: clip(r.name, 12) }));
  const rest = sorted.slice(MAX_CHART_ROWS - 1);
  if (rest.length === 1 && rest[0]) shown.push({ ...rest[0], name: clip(rest[0].name, 12) });
  else if (rest.length > 1) {
    const sum = (k: 'errors' | 'tolerated' | 'pending') => rest.reduce((n, r) => n + r[k], 0);
    shown.push({
      id: 'rest',
      name: `其余 ${rest.length} 项`,
      errors: sum('errors'),
      tolerated: sum('tolerated'),
      pending: sum('pending'),
    });
  }
  const values = shown.flatMap((r) =>
    (['errors', 'tolerated', 'pending'] as const).map((k) => ({
      name: r.name,
      kind: SERIES[k],
      count: r[k],
    })),
  );
  return {
    tag: 'chart',
    aspect_ratio: shown.length > 6 ? '1:1' : '4:3',
    chart_spec: {
      type: 'bar',
      title: { text: title },
      direction: 'horizontal',
      data: { id: 'counts', values },
      xField: 'count',
      yField: 'name',
      seriesField: 'kind',
      stack: true,
      color: ['#f54a45', '#34c724', '#8f959e'],
      legends: { visible: true, orient: 'bottom' },
      label: { visible: true },
    },
  };
}

export const TOLERATED_APART =
  '图中「不作为执法错误认定」的案件按认定时的第十四条适用范围统计，与认定为执法过错的案件分开统计。';

export function riskLines(risks: RiskLine[], windowDays: number, threshold: number): string {
  if (risks.length === 0) return `近 ${windowDays} 天内没有错误类别或执法领域达到 ${threshold} 件的预警线。`;
  const lines = risks
    .slice(0, MAX_RISK_LINES)
    .map(
      (r) =>
        `<font color='red'>**${DIMENSION_LABEL[r.dimension]}「${clip(r.name, 20)}」${r.count} 件**</font>，已达预警线（${threshold} 件）`,
    );
  if (risks.length > MAX_RISK_LINES) lines.push(`另有 ${risks.length - MAX_RISK_LINES} 项达到预警线`);
  return lines.join('\n');
}

export interface StatsCardData {
  orgName: string;
  /** Business date the figures are for. */
  asOf: string;
  year: number;
  windowDays: number;
  threshold: number;
  /** Open cases by status, labelled. */
  open: { label: string; count: number }[];
  yearFigures: {
    submitted: number;
    decided: number;
    dutyExempt: number;
    toleranceExempt: number;
    /** Determinations recorded 「不作为执法错误认定」 (art. 14, as the policy scoped it when issued). */
    notError: number;
    /** The other determinations: recorded as an enforcement error. */
    liable: number;
    lighter: number;
    mitigate: number;
    refuse: number;
    closed: number;
    withdrawn: number;
  };
  corrections: { open: number; overdue: number; awaitingAcceptance: number; acceptedThisYear: number };
  categories: TaxonomyRow[];
  areas: TaxonomyRow[];
  risks: RiskLine[];
  /** Art. 14's scope in the policy, e.g. 「免责」: the outcomes not recorded as an enforcement error. */
  notErrorScope: string;
}

/** 统计: current figures for party members; exempt cases are always shown apart from errors (art. 14). */
export function statsCard(d: StatsCardData) {
  const y = d.yearFigures;
  const openTotal = d.open.reduce((n, s) => n + s.count, 0);
  const c = d.corrections;
  return card({
    title: '容错纠错统计',
    subtitle: `${d.orgName} · 截至 ${d.asOf}`,
    template: 'indigo',
    summary: `容错纠错统计：在办 ${openTotal} 件`,
    elements: [
      md(
        [
          `**在办案件**（${openTotal} 件）：${d.open.map((s) => `${s.label} ${s.count}`).join(' · ')}`,
          `**${d.year} 年**：收到申请 ${y.submitted} 件，作出认定 ${y.decided} 件，办结 ${y.closed} 件，撤回 ${y.withdrawn} 件`,
          `- 不作为执法错误认定（第十四条，适用于「${d.notErrorScope}」）：**${y.notError} 件**`,
          `- 认定为执法过错：**${y.liable} 件**`,
          `- 按认定结论：尽职免责 ${y.dutyExempt}、容错免责 ${y.toleranceExempt}、从轻 ${y.lighter}、减轻 ${y.mitigate}、不予容错 ${y.refuse}`,
          `**纠错**（第十五至十七条）：整改中 ${c.open} 件（其中逾期 ${c.overdue} 件），待验收 ${c.awaitingAcceptance} 件，${d.year} 年验收办结 ${c.acceptedThisYear} 件`,
        ].join('\n'),
      ),
      hr(),
      md(
        `**易错情形**（第十七条；近 ${d.windowDays} 天，按发生日期，预警线 ${d.threshold} 件）\n${riskLines(d.risks, d.windowDays, d.threshold)}`,
      ),
      taxonomyChart('按错误类别', d.categories),
      taxonomyChart('按执法领域', d.areas),
      md(TOLERATED_APART),
      hr(),
      buttonRow([button('刷新', { a: 'stats.refresh' })]),
    ],
  });
}
