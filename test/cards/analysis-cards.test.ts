import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import { type DeadlineLine, digestCard, MAX_DEADLINE_LINES } from '../../cards/digest';
import {
  calendarWarningCard,
  dayRanges,
  type HolidayDay,
  holidayChangedCard,
  holidayListCard,
  holidayRefusalCard,
  missingFestivals,
} from '../../cards/holidays';
import { riskWarningCard } from '../../cards/risk';
import { type StatsCardData, statsCard, type TaxonomyRow } from '../../cards/stats';
import { addCalendarDays } from '../../src/calendar';
import { defaultPolicy as policy } from '../../src/policy';

type El = { tag: string; content?: string; chart_spec?: ChartSpec; columns?: { elements: Btn[] }[] };
type Btn = {
  tag: string;
  text: { content: string };
  behaviors: { type: string; value: Record<string, unknown> }[];
};
type ChartSpec = {
  type: string;
  direction: string;
  xField: string;
  yField: string;
  seriesField: string;
  stack: boolean;
  data: { values: { name: string; kind: string; count: number }[] };
};
type Card = {
  schema: string;
  header: { title: { content: string }; template: string };
  body: { elements: El[] };
};

const asCard = (c: object) => c as Card;
const charts = (c: object) => asCard(c).body.elements.filter((e) => e.tag === 'chart');
const buttons = (c: object) =>
  asCard(c)
    .body.elements.filter((e) => e.tag === 'column_set')
    .flatMap((e) => e.columns ?? [])
    .flatMap((col) => col.elements);
const text = (c: object) => JSON.stringify(c);

function expectCard2(c: object) {
  const k = asCard(c);
  expect(k.schema).toBe('2.0');
  expect(k.header.title.content.length).toBeGreaterThan(0);
  for (const e of k.body.elements) expect(['markdown', 'hr', 'column_set', 'chart']).toContain(e.tag);
  for (const b of buttons(c)) {
    expect(b.tag).toBe('button');
    expect(b.behaviors[0]?.type).toBe('callback');
  }
}

const LONG_NAME = '名'.repeat(40);
/** Maximal taxonomy: every policy entry plus 30 extra long-named ones, all with cases. */
function rows(list: { id: string; name: string }[]): TaxonomyRow[] {
  const extra = Array.from({ length: 30 }, (_, i) => ({ id: `x${i}`, name: `${LONG_NAME}${i}` }));
  return [...list, ...extra].map((n, i) => ({ ...n, errors: i + 3, tolerated: i + 1, pending: i }));
}

const statsData = (over: Partial<StatsCardData> = {}): StatsCardData => ({
  orgName: policy.orgName,
  asOf: '2026-11-30',
  year: 2026,
  windowDays: 180,
  threshold: 3,
  open: [
    { label: '已提交', count: 1 },
    { label: '核查中', count: 2 },
  ],
  yearFigures: {
    submitted: 12,
    decided: 7,
    dutyExempt: 1,
    toleranceExempt: 3,
    notError: 4,
    liable: 3,
    lighter: 1,
    mitigate: 1,
    refuse: 1,
    closed: 4,
    withdrawn: 1,
  },
  corrections: { open: 2, overdue: 1, awaitingAcceptance: 1, acceptedThisYear: 3 },
  categories: [
    { id: 'procedure', name: '程序不规范', errors: 1, tolerated: 2, pending: 1 },
    { id: 'evidence', name: '调查取证不充分', errors: 0, tolerated: 0, pending: 0 },
  ],
  areas: [{ id: 'mobilization', name: '国防动员', errors: 0, tolerated: 1, pending: 0 }],
  risks: [{ dimension: 'category', name: '程序不规范', count: 4 }],
  notErrorScope: '免责',
  ...over,
});

describe('统计 card', () => {
  it('shows figures, exempt decisions apart from errors (art. 14), and bar charts of the taxonomy', () => {
    const c = statsCard(statsData());
    expectCard2(c);
    const t = text(c);
    expect(t).toContain('不作为执法错误认定（第十四条，适用于「免责」）：**4 件**');
    expect(t).toContain('认定为执法过错：**3 件**');
    expect(t).toContain('尽职免责 1、容错免责 3、从轻 1、减轻 1、不予容错 1');
    expect(t).toContain('整改中 2 件（其中逾期 1 件）');
    expect(t).toContain('错误类别「程序不规范」4 件');
    const [byCategory, byArea] = charts(c);
    expect(byCategory?.chart_spec).toMatchObject({
      type: 'bar',
      direction: 'horizontal',
      xField: 'count',
      yField: 'name',
      seriesField: 'kind',
      stack: true,
    });
    // Rows with no cases are left out; each row has the three kinds apart.
    const values = byCategory!.chart_spec!.data.values;
    expect(values.map((v) => v.name)).toEqual(['程序不规范', '程序不规范', '程序不规范']);
    expect(values.map((v) => v.count)).toEqual([1, 2, 1]);
    expect(values[1]?.kind).toContain('不作为执法错误认定');
    expect(byArea?.chart_spec?.data.values.map((v) => v.count)).toEqual([0, 1, 0]);
    expect(buttons(c).map((b) => b.behaviors[0]?.value)).toEqual([{ a: 'stats.refresh' }]);
  });

  it('says so instead of drawing an empty chart, and stays under 30 KB with maximal data', () => {
    const empty = statsCard(statsData({ categories: [], areas: [], risks: [] }));
    expect(charts(empty)).toHaveLength(0);
    expect(text(empty)).toContain('按错误类别**：暂无案件');
    expect(text(empty)).toContain('没有错误类别或执法领域达到 3 件的预警线');
    const big = statsCard(
      statsData({
        categories: rows(policy.errorCategories),
        areas: rows(policy.enforcementAreas),
        risks: rows(policy.errorCategories).map((r) => ({ dimension: 'category', name: r.name, count: 99 })),
      }),
    );
    expectCard2(big);
    expect(cardBytes(big)).toBeLessThan(CARD_MAX_BYTES);
  });
});

describe('weekly digest card', () => {
  const line = (i: number, days: number): DeadlineLine => ({
    kind: (['decision', 'notice', 'correction'] as const)[i % 3]!,
    caseNumber: `容错〔2026〕${i}号`,
    title: '题'.repeat(60),
    dueOn: addCalendarDays('2026-11-30', days),
    days,
    note: '注'.repeat(80),
  });

  it('lists overdue and upcoming deadlines with their kind, the open cases and the charts', () => {
    const c = digestCard({
      orgName: policy.orgName,
      weekOf: '2026-11-30',
      open: [{ label: '核查中', count: 2 }],
      horizonDays: 14,
      upcoming: [
        { kind: 'decision', caseNumber: '容错〔2026〕3号', title: '检查', dueOn: '2026-12-02', days: 2 },
      ],
      overdue: [
        { kind: 'correction', caseNumber: '容错〔2026〕1号', title: '整改', dueOn: '2026-11-27', days: -3 },
      ],
      windowDays: 180,
      threshold: 3,
      categories: statsData().categories,
      areas: statsData().areas,
      risks: [],
    });
    expectCard2(c);
    const t = text(c);
    expect(t).toContain('容错〔2026〕1号 整改：纠错期限（第十六条） 2026-11-27（已逾期 3 天）');
    expect(t).toContain('容错〔2026〕3号 检查：认定期限 2026-12-02（还有 2 天）');
    expect(t).toContain('**在办案件**（2 件）');
    expect(charts(c)).toHaveLength(2);
    expect(asCard(c).header.template).toBe('orange');
  });

  it('summarises long lists and stays under 30 KB with maximal data', () => {
    const many = 200;
    const c = digestCard({
      orgName: policy.orgName,
      weekOf: '2026-11-30',
      open: [{ label: '核查中', count: many }],
      horizonDays: 14,
      upcoming: Array.from({ length: many }, (_, i) => line(i, i % 14)),
      overdue: Array.from({ length: many }, (_, i) => line(i, -1 - i)),
      windowDays: 180,
      threshold: 3,
      categories: rows(policy.errorCategories),
      areas: rows(policy.enforcementAreas),
      risks: rows(policy.enforcementAreas).map((r) => ({ dimension: 'area', name: r.name, count: 9 })),
    });
    expectCard2(c);
    expect(text(c)).toContain(`另有 ${many - MAX_DEADLINE_LINES} 项未列出`);
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  });
});

describe('risk warning card', () => {
  const cases = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      number: `容错〔2026〕${i + 1}号`,
      title: '题'.repeat(60),
      occurredOn: '2026-06-01',
      unitName: '执法一科',
    }));

  it('cites art. 17, lists the cases for the party group and only counts for a unit', () => {
    const group = {
      dimension: 'category' as const,
      name: '程序不规范',
      count: 3,
      tolerated: 1,
      cases: cases(3),
    };
    const base = { orgName: policy.orgName, asOf: '2026-11-30', windowDays: 180, threshold: 3 };
    const party = riskWarningCard({ ...base, audience: { kind: 'party' }, groups: [group] });
    expectCard2(party);
    expect(text(party)).toContain('第十七条');
    expect(text(party)).toContain('错误类别「程序不规范」**：近 180 天内发生 **3 件**');
    expect(text(party)).toContain('其中 1 件经认定免责，不作为执法错误认定（第十四条）');
    expect(text(party)).toContain('容错〔2026〕3号');
    const unit = riskWarningCard({
      ...base,
      audience: { kind: 'unit', unitName: '执法一科' },
      groups: [{ ...group, cases: [], unitCount: 2 }],
    });
    expectCard2(unit);
    expect(text(unit)).toContain('其中本科室 2 件');
    expect(text(unit)).not.toContain('容错〔2026〕');
  });

  it('stays under 30 KB with every category and area over the threshold', () => {
    const groups = [
      ...rows(policy.errorCategories).map((r) => ({ dimension: 'category' as const, name: r.name })),
      ...rows(policy.enforcementAreas).map((r) => ({ dimension: 'area' as const, name: r.name })),
    ].map((g) => ({ ...g, count: 40, tolerated: 10, cases: cases(40) }));
    const c = riskWarningCard({
      orgName: policy.orgName,
      asOf: '2026-11-30',
      windowDays: 180,
      threshold: 3,
      audience: { kind: 'party' },
      groups,
    });
    expectCard2(c);
    expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  });
});

describe('holiday cards', () => {
  it('the data warning names the State Council notice without a URL and tells admins what to type', () => {
    const c = calendarWarningCard({ dataEndsOn: '2026-12-31', daysLeft: 60, nextYear: 2027 });
    expectCard2(c);
    const t = text(c);
    expect(t).toContain('《国务院办公厅关于2027年部分节假日安排的通知》');
    expect(t).not.toMatch(/https?:|www\./);
    expect(t).toContain('节假日 2027-01-01 至 2027-01-03 元旦');
    expect(t).toContain('调休上班 2027-02-07 春节调休');
    expect(t).toContain('查看节假日 2027');
    expect(t).toContain('删除节假日 2027-01-01');
    expect(t).toContain('还剩 60 天');
    expect(buttons(c)[0]?.behaviors[0]?.value).toEqual({ a: 'holidays.list', year: 2027 });
    const passed = calendarWarningCard({ dataEndsOn: '2026-12-31', daysLeft: -5, nextYear: 2027 });
    expect(text(passed)).toContain('已于 2026-12-31 用完');
    expect(asCard(passed).header.template).toBe('red');
  });

  const year2027: HolidayDay[] = [
    { date: '2027-01-01', kind: 'holiday', name: '元旦' },
    { date: '2027-01-02', kind: 'holiday', name: '元旦' },
    { date: '2027-01-03', kind: 'holiday', name: '元旦' },
    { date: '2027-02-07', kind: 'workday', name: '春节调休' },
    { date: '2027-02-10', kind: 'holiday', name: '春节' },
  ];

  it('groups consecutive days into ranges and names the festivals still missing', () => {
    expect(dayRanges(year2027)).toEqual([
      { from: '2027-01-01', to: '2027-01-03', kind: 'holiday', name: '元旦', count: 3 },
      { from: '2027-02-07', to: '2027-02-07', kind: 'workday', name: '春节调休', count: 1 },
      { from: '2027-02-10', to: '2027-02-10', kind: 'holiday', name: '春节', count: 1 },
    ]);
    expect(missingFestivals(year2027)).toEqual(['清明节', '劳动节', '端午节', '中秋节', '国庆节']);
    const c = holidayListCard({ year: 2027, days: year2027, builtIn: false, dataEndsOn: '2027-12-31' });
    expectCard2(c);
    expect(text(c)).toContain('放假 2027-01-01 至 2027-01-03（3 天） 元旦');
    expect(text(c)).toContain('调休上班 2027-02-07 春节调休');
    expect(text(c)).toContain('尚未看到以下节日：清明节、劳动节');
  });

  it('change and refusal cards; every holiday card stays under 30 KB with a whole year of single days', () => {
    const whole: HolidayDay[] = Array.from({ length: 365 }, (_, i) => ({
      date: addCalendarDays('2027-01-01', i),
      kind: i % 2 ? 'holiday' : 'workday',
      name: '名'.repeat(20),
    }));
    const changed = holidayChangedCard({
      action: 'added',
      days: whole,
      replaced: whole,
      notFound: whole.map((d) => d.date),
      dataEndsOn: '2027-12-31',
      year: 2027,
      missing: ['清明节'],
    });
    const list = holidayListCard({ year: 2027, days: whole, builtIn: false, dataEndsOn: '2027-12-31' });
    const refusal = holidayRefusalCard(
      '设置节假日',
      whole.map((d) => `「${d.date}」已经过去。`),
      2027,
    );
    for (const c of [changed, list, refusal]) {
      expectCard2(c);
      expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
    }
    expect(text(changed)).toContain('另有');
    expect(text(refusal)).toContain('本次没有做任何更改');
    expect(text(holidayRefusalCard('设置节假日', ['只有管理员']))).not.toContain('节假日 2027');
  });
});
