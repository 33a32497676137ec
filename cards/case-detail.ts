import type { ActionValue } from './actions';
import { button, buttonRow, card, clip, escapeMd, hr, md, type Template } from './common';

/** A case's facts as shown on cards, every label already resolved from the policy. */
export interface CaseFactsView {
  caseId: string;
  number: string;
  title: string;
  statusLabel: string;
  subjectName: string;
  originLabel: string;
  unit: string;
  stage: string;
  occurredOn: string;
  submittedAt: string;
  story: string;
  lossAndImpact: string;
  harms: string;
  remedies: string;
  items: { citation: string; wording: string }[];
  /** Only when a 第十条 item is claimed. */
  conditions: { citation: string; wording: string; answer: string }[];
  evidence: string[];
  assessment: { label: string; summary: string; reasons: string[]; missing: string[] };
  /** Fields of the facts still empty (a case the organisation opened, a returned draft). */
  missingFacts: string[];
}

export interface CaseDetailData extends CaseFactsView {
  template: Template;
  nextStep: string;
  decisionDueOn: string | null;
  returnReason: string | null;
  investigators: string[];
  findings: { by: string; at: string; recommended: string; summary: string; note: string } | null;
  deliberation: {
    round: number;
    open: boolean;
    cast: number;
    eligible: number;
    carried: string | null;
  } | null;
  determination: {
    outcome: string;
    basis: string | null;
    reasons: string;
    statement: string | null;
    issuedAt: string;
  } | null;
  correction: { deadline: string; status: string; responsible: string; items: string[] } | null;
  buttons: { label: string; value: ActionValue; type?: 'default' | 'primary' | 'danger' }[];
}

/** Typed text as shown on a detail card: escaped, shortened (the record keeps every word) so a card stays under 30 KB. */
export function shownText(text: string, max: number): string {
  return text.trim() === ''
    ? '（未填写）'
    : escapeMd(clip(text, max, (total) => `（共 ${total} 字，已节选）`));
}

const LIST_MAX = 12;

function list<T>(xs: T[], max = LIST_MAX): { shown: T[]; more: number } {
  return { shown: xs.slice(0, max), more: Math.max(0, xs.length - max) };
}

/** The facts, the claimed items with citations and the engine's reading: shared by the application and detail cards. */
export function factsElements(v: CaseFactsView, textMax: number): object[] {
  const head = [
    `**事项名称**：${v.title ? escapeMd(v.title) : '（未填写）'}`,
    `**当事人**：${escapeMd(v.subjectName)}　**来源**：${v.originLabel}`,
    `**科室**：${v.unit}　**执法环节**：${v.stage}`,
    `**发生日期**：${v.occurredOn}　**提交时间**：${v.submittedAt}`,
  ];
  const story = [
    `**事情经过**\n${shownText(v.story, textMax)}`,
    `**损失和影响**\n${shownText(v.lossAndImpact, textMax)}\n${v.harms}`,
    `**补救措施**\n${shownText(v.remedies, textMax)}`,
  ];
  const items = list(v.items, 30);
  const claimed =
    items.shown.length === 0
      ? '**申请适用情形**：（未选择）'
      : [
          '**申请适用情形**（第九条至第十二条）',
          ...items.shown.map((i) => `- ${i.citation}：${i.wording}`),
          ...(items.more ? [`- 另有 ${items.more} 项`] : []),
        ].join('\n');
  const elements: object[] = [md(head.join('\n')), hr(), md(story.join('\n\n')), hr(), md(claimed)];
  if (v.conditions.length > 0) {
    elements.push(
      md(
        [
          '**第十条第二款三项条件**',
          ...v.conditions.map((c) => `- ${c.citation} ${c.wording}：**${c.answer}**`),
        ].join('\n'),
      ),
    );
  }
  const ev = list(v.evidence);
  elements.push(
    md(
      ev.shown.length === 0
        ? '**证据材料**：暂无'
        : `**证据材料**（${v.evidence.length} 份）：${ev.shown.map((n) => shownText(n, 40)).join('、')}${ev.more ? ' 等' : ''}`,
    ),
  );
  const reasons = list(v.assessment.reasons, 8);
  const missing = [...v.missingFacts.map((f) => `「${f}」未填写`), ...v.assessment.missing];
  const assessment = [
    `**初步评估：${v.assessment.label}**（仅供参考，认定结论由党组依第十三条作出）`,
    v.assessment.summary,
    ...reasons.shown.map((r) => `- ${shownText(r, 200)}`),
    ...(missing.length > 0 ? ['**尚缺内容**', ...list(missing, 8).shown.map((m) => `- ${m}`)] : []),
  ];
  elements.push(hr(), md(assessment.join('\n')));
  return elements;
}

/** One case as its subject, a handler, a party member or an assigned investigator sees it. */
export function caseDetailCard(d: CaseDetailData) {
  const elements: object[] = [md(`**当前状态**：${d.statusLabel}\n**下一步**：${d.nextStep}`)];
  if (d.returnReason) elements.push(md(`**退回理由**：${shownText(d.returnReason, 600)}`));
  if (d.decisionDueOn) elements.push(md(`**认定期限**：${d.decisionDueOn} 前作出认定`));
  elements.push(hr(), ...factsElements(d, 700));
  const progress: string[] = [];
  if (d.investigators.length > 0) progress.push(`**核查人员**：${d.investigators.map(escapeMd).join('、')}`);
  if (d.findings) {
    progress.push(
      `**核查意见**（${escapeMd(d.findings.by)}，${d.findings.at}）：建议${d.findings.recommended}`,
      shownText(d.findings.summary, 300),
      ...(d.findings.note ? [`核查说明：${shownText(d.findings.note, 600)}`] : []),
    );
  }
  if (d.deliberation) {
    const x = d.deliberation;
    progress.push(
      `**党组审议**：第 ${x.round} 轮，${x.open ? '表决进行中' : '表决已结束'}，已表决 ${x.cast}/${x.eligible} 人${x.carried ? `，通过「${x.carried}」` : ''}`,
    );
  }
  if (d.determination) {
    const x = d.determination;
    progress.push(
      `**认定结论**：${x.outcome}${x.basis ? `（${x.basis}）` : ''}，${x.issuedAt} 作出`,
      `认定理由：${shownText(x.reasons, 600)}`,
      ...(x.statement ? [x.statement] : []),
    );
  }
  if (d.correction) {
    const x = d.correction;
    progress.push(
      `**纠错整改**（第十五条至第十七条）：${x.status}，责任人 ${escapeMd(x.responsible)}，期限 ${x.deadline}`,
      ...list(x.items, 8).shown.map((i) => `- ${shownText(i, 200)}`),
    );
  }
  if (progress.length > 0) elements.push(hr(), md(progress.join('\n')));
  if (d.buttons.length > 0) {
    elements.push(
      hr(),
      buttonRow(d.buttons.map((b) => button(b.label, b.value, { type: b.type ?? 'default' }))),
    );
  }
  return card({
    title: `${d.number}　${d.title || '（未命名事项）'}`,
    subtitle: `当事人：${d.subjectName}`,
    template: d.template,
    tags: [{ text: d.statusLabel, color: 'blue' }],
    summary: `案件 ${d.number}：${d.statusLabel}`,
    elements,
  });
}
