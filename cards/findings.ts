import type { Case, CaseFacts, ConditionId, Findings, VoteOption } from '../src/cases/types';
import type { Article, Policy } from '../src/policy';
import { suggestedVoteOptions } from '../src/policy';
import { button, buttonRow, callback, card, clip, escapeMd, hr, md, plain } from './common';

/** What the investigator has entered (or what is pre-filled from the application). */
export interface FindingsValues {
  items: string[];
  conditions: Partial<Record<ConditionId, boolean>>;
  factors: Record<string, string>;
  outcome: VoteOption | null;
  errorCategory: string | null;
  enforcementArea: string | null;
  note: string;
}

export interface FindingsCardData {
  policy: Policy;
  caseId: string;
  number: string | null;
  subjectName: string | null;
  facts: CaseFacts;
  decisionDueOn: string | null;
  values: FindingsValues;
  /** Why the last submission was refused; shown above the form with what was typed kept. */
  error?: string;
}

export const ARTICLES: Article[] = [9, 10, 11, 12];
const CONDITION_FIELD: Record<ConditionId, string> = {
  '10.c1': 'cond_1',
  '10.c2': 'cond_2',
  '10.c3': 'cond_3',
};
export const conditionField = (id: ConditionId) => CONDITION_FIELD[id];
export const itemsField = (article: Article) => `items_${article}`;
export const factorField = (id: string) => `factor_${id}`;

/** Input limits on the form keep a re-shown form (with everything typed) under Lark's 30 KB. */
export const FACTOR_MAX_LENGTH = 500;
export const NOTE_MAX_LENGTH = 1000;

const nameOf = (list: { id: string; name: string }[], id: string | null) =>
  id ? (list.find((x) => x.id === id)?.name ?? id) : '未填写';

const option = (label: string, value: string) => ({ text: plain(label), value });

/** The application's claims as the starting point of the investigator's findings. */
export function findingsValuesFromCase(c: Case): FindingsValues {
  const f = c.findings;
  if (f)
    return {
      items: [...f.items],
      conditions: { ...f.conditions },
      factors: { ...f.factors },
      outcome: f.recommendedOutcome,
      errorCategory: f.errorCategory,
      enforcementArea: f.enforcementArea,
      note: f.note,
    };
  return {
    items: [...c.facts.items],
    conditions: { ...c.facts.conditions },
    factors: {},
    outcome: null,
    errorCategory: c.facts.errorCategory,
    enforcementArea: c.facts.enforcementArea,
    note: '',
  };
}

/** The five-line summary of what happened, shared by the findings, deliberation and issuing cards. */
export function factsLines(policy: Policy, facts: CaseFacts, subjectName: string | null): string[] {
  return [
    `**当事人**：${subjectName ? escapeMd(subjectName) : '未登记'}　**科室**：${nameOf(policy.units, facts.unitId)}`,
    `**发生日期**：${facts.occurredOn ?? '未填写'}　**执法环节**：${nameOf(policy.enforcementStages, facts.stage)}`,
    `**经过**：${escapeMd(clip(facts.story, 300)) || '未填写'}`,
    `**损失和影响**：${escapeMd(clip(facts.lossAndImpact, 200)) || '未填写'}`,
    `**补救措施**：${escapeMd(clip(facts.remedies, 200)) || '未填写'}`,
  ];
}

/** Items by article, each with its citation: `第十条第（四）项 执法过程中…`. */
export function itemLines(policy: Policy, items: readonly string[]): string[] {
  return items.map((id) => {
    const it = policy.items.find((i) => i.id === id);
    return it ? `- ${it.citation}　${clip(it.wording, 60)}` : `- ${id}`;
  });
}

export function conditionLines(policy: Policy, conditions: Partial<Record<ConditionId, boolean>>): string[] {
  return policy.conditions.map((c) => {
    const v = conditions[c.id];
    const mark = v === true ? '✅ 满足' : v === false ? '❌ 不满足' : '— 未认定';
    return `- ${c.citation} ${c.wording}：${mark}`;
  });
}

export function factorLines(policy: Policy, factors: Record<string, string>, max = 200): string[] {
  return policy.factors.map(
    (f) => `- **${f.name}**：${escapeMd(clip(factors[f.id] ?? '', max)) || '未填写'}`,
  );
}

/** One line per finding field, for the cards that show findings read-only. */
export function findingsLines(policy: Policy, f: Findings): string[] {
  const outcome =
    policy.voteOptions.find((o) => o.id === f.recommendedOutcome)?.label ?? f.recommendedOutcome;
  const rec = policy.recommendations.find((r) => r.id === f.assessment.recommendation)?.label ?? '';
  return [
    '**认定的适用情形**',
    ...itemLines(policy, f.items),
    `**${policy.conditionsLead.citation}三项条件**`,
    ...conditionLines(policy, f.conditions),
    '**综合分析研判（第十三条）**',
    ...factorLines(policy, f.factors),
    `**评估参考**：${rec}${f.assessment.citations.length ? `（${f.assessment.citations.join('、')}）` : ''}`,
    `**核查建议**：${outcome}`,
    `**错误类别**：${nameOf(policy.errorCategories, f.errorCategory)}　**执法领域**：${nameOf(policy.enforcementAreas, f.enforcementArea)}`,
    ...(f.note ? [`**核查说明**：${escapeMd(clip(f.note, 300))}`] : []),
  ];
}

/** Sent to the assigned investigator: the findings form (art. 13 five factors, items, conditions, taxonomy). */
export function findingsCard(d: FindingsCardData) {
  const { policy, values } = d;
  const suggested = suggestedOutcome(d);
  const form: object[] = [];
  for (const article of ARTICLES) {
    const a = policy.articles.find((x) => x.article === article);
    const items = policy.items.filter((i) => i.article === article);
    if (!a || items.length === 0) continue;
    form.push(md(`**${a.citation}**（${a.outcomeLabel}）`));
    form.push({
      tag: 'multi_select_static',
      name: itemsField(article),
      placeholder: plain(`选择${a.citation}适用的情形（可多选，可不选）`),
      width: 'fill',
      options: items.map((i) => option(`${i.citation} ${clip(i.hint, 40)}`, i.id)),
      selected_values: values.items.filter((id) => items.some((i) => i.id === id)),
    });
  }
  form.push(md(`**${policy.conditionsLead.citation}三项条件**（选择第十条情形时认定）`));
  for (const c of policy.conditions) {
    const v = values.conditions[c.id];
    form.push({
      tag: 'select_static',
      name: conditionField(c.id),
      placeholder: plain(c.wording),
      width: 'fill',
      options: [
        option(`满足：${c.wording}`, 'yes'),
        option(`不满足：${c.wording}`, 'no'),
        option('未认定', 'unknown'),
      ],
      initial_option: v === true ? 'yes' : v === false ? 'no' : 'unknown',
    });
  }
  form.push(md('**综合分析研判**（第十三条，五项均须填写）'));
  for (const f of policy.factors) {
    form.push({
      tag: 'input',
      name: factorField(f.id),
      input_type: 'multiline_text',
      rows: 2,
      required: true,
      max_length: Math.min(FACTOR_MAX_LENGTH, policy.limits.textMaxLength),
      label: plain(f.name),
      label_position: 'top',
      placeholder: plain(`${f.name}方面的核查情况`),
      default_value: values.factors[f.id] ?? '',
    });
  }
  form.push(
    {
      tag: 'select_static',
      name: 'outcome',
      placeholder: plain('建议认定结果'),
      width: 'fill',
      options: policy.voteOptions.map((o) => option(`建议：${o.label}`, o.id)),
      ...(values.outcome || suggested ? { initial_option: values.outcome ?? suggested } : {}),
    },
    {
      tag: 'select_static',
      name: 'error_category',
      placeholder: plain('错误类别（第十七条易错分析）'),
      width: 'fill',
      options: policy.errorCategories.map((o) => option(`错误类别：${o.name}`, o.id)),
      ...(values.errorCategory ? { initial_option: values.errorCategory } : {}),
    },
    {
      tag: 'select_static',
      name: 'enforcement_area',
      placeholder: plain('执法领域'),
      width: 'fill',
      options: policy.enforcementAreas.map((o) => option(`执法领域：${o.name}`, o.id)),
      ...(values.enforcementArea ? { initial_option: values.enforcementArea } : {}),
    },
    {
      tag: 'input',
      name: 'note',
      input_type: 'multiline_text',
      rows: 3,
      max_length: Math.min(NOTE_MAX_LENGTH, policy.limits.textMaxLength),
      label: plain('核查说明（选填）'),
      label_position: 'top',
      placeholder: plain('需要向党组说明的其他情况'),
      default_value: values.note,
    },
    {
      tag: 'button',
      name: 'submit_findings',
      text: plain('提交核查意见'),
      type: 'primary',
      form_action_type: 'submit',
      behaviors: callback({ a: 'findings.submit', case: d.caseId }),
    },
  );
  const claimed = d.facts.items.length ? itemLines(policy, d.facts.items) : ['- 未选择'];
  const elements: object[] = [];
  if (d.error)
    elements.push(md(`⚠️ **未能提交**：${escapeMd(d.error)}\n已保留您填写的内容，请修改后重新提交。`));
  elements.push(
    md(
      [
        ...factsLines(policy, d.facts, d.subjectName),
        '**申请人主张的情形**',
        ...claimed,
        ...(d.decisionDueOn ? [`**认定期限**：${d.decisionDueOn} 前作出认定结论`] : []),
      ].join('\n'),
    ),
    hr(),
    { tag: 'form', name: 'findings', elements: form },
  );
  return card({
    title: '核查意见',
    subtitle: `${d.number ?? ''} ${clip(d.facts.title, 40)}`.trim(),
    template: 'orange',
    tags: [{ text: '待核查', color: 'orange' }],
    summary: `请核查 ${d.number ?? ''}`,
    elements,
  });
}

function suggestedOutcome(d: FindingsCardData): VoteOption | null {
  // A hint only: the engine's reading of the application, never a decision.
  const items = d.values.items;
  const art = (id: string) => d.policy.items.find((i) => i.id === id)?.article;
  if (items.some((id) => art(id) === 12)) return 'refuse';
  if (items.some((id) => art(id) === 9)) return 'exempt';
  const tenAll = d.policy.conditions.every((c) => d.values.conditions[c.id] === true);
  if (items.some((id) => art(id) === 10)) return tenAll ? 'exempt' : 'lighter';
  if (items.some((id) => art(id) === 11)) return suggestedVoteOptions('lighter_or_mitigate')[0] ?? null;
  return null;
}

/** Replaces the investigator's form once the findings are in. */
export function findingsSentCard(d: {
  policy: Policy;
  number: string | null;
  title: string;
  findings: Findings;
}) {
  return card({
    title: '核查意见已提交',
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template: 'green',
    summary: '核查意见已提交',
    elements: [
      md(findingsLines(d.policy, d.findings).join('\n')),
      hr(),
      md('已通知党组书记和经办人，由党组书记发起表决。'),
    ],
  });
}

/** To the secretary and clerks: findings are in, the secretary puts the case to the party group. */
export function findingsSubmittedCard(d: {
  policy: Policy;
  caseId: string;
  number: string | null;
  title: string;
  subjectName: string | null;
  facts: CaseFacts;
  findings: Findings;
  decisionDueOn: string | null;
}) {
  return card({
    title: '核查意见已提交，待发起表决',
    subtitle: `${d.number ?? ''} ${clip(d.title, 40)}`.trim(),
    template: 'wathet',
    tags: [{ text: '待审议', color: 'blue' }],
    summary: `${d.number ?? ''} 核查意见已提交`,
    elements: [
      md(factsLines(d.policy, d.facts, d.subjectName).join('\n')),
      hr(),
      md(findingsLines(d.policy, d.findings).join('\n')),
      hr(),
      md(
        `由党组书记发起表决：党组成员在党组群中表决，当事人依规回避（第十三条：由党组结合主观、客观条件等情况综合分析研判，作出认定结论）。${d.decisionDueOn ? `\n认定期限：${d.decisionDueOn}` : ''}`,
      ),
      buttonRow([
        button(
          '发起表决',
          { a: 'delib.open', case: d.caseId },
          {
            type: 'primary',
            confirm: { title: '发起表决？', text: '将在党组群中发出表决卡片，当事人回避。' },
          },
        ),
      ]),
    ],
  });
}
