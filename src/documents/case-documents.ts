import { businessDate, businessMinuteOfDay } from '../calendar';
import { BASIS_LABEL, labelOf, STATUS_LABEL, voteLabel } from '../cases/common';
import type { Case, CorrectionOrder, Notice } from '../cases/types';
import { itemById, type Policy } from '../policy';
import type { Block, OfficialDocument } from './official';

/** What every case document is made from; names are looked up by the shell. */
export interface CaseDocumentInput {
  policy: Policy;
  c: Case;
  /** Display name of a person (open id → name). */
  nameOf: (openId: string) => string;
}

export const DOCUMENT_TITLES = {
  decision: '容错纠错认定决定书',
  notice: '认定结果告知书',
  correction: '纠错（整改）通知书',
  receipt: '送达回证',
} as const;

const NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const numeral = (i: number) => NUMERALS[i] ?? String(i + 1);

/** 2026年3月2日 (GB/T 9704 writes the 成文日期 in Arabic numerals). */
export function chineseDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** 2026年3月2日 09:30, Asia/Shanghai. */
export function chineseTime(instant: string): string {
  const at = new Date(instant);
  const minute = businessMinuteOfDay(at);
  const hhmm = [Math.floor(minute / 60), minute % 60].map((v) => String(v).padStart(2, '0')).join(':');
  return `${chineseDate(businessDate(at))} ${hhmm}`;
}

const ORIGIN_TEXT: Record<Case['origin'], string> = {
  individual: '本人申请',
  organisation: '组织启动',
  report: '信访举报转办',
};
export const originLabel = (c: Case) => ORIGIN_TEXT[c.origin];

function unitName(policy: Policy, unitId: string | null): string | null {
  return unitId ? labelOf(policy.units, unitId) : null;
}

function subjectLine(input: CaseDocumentInput): string {
  const { c, policy, nameOf } = input;
  const unit = unitName(policy, c.facts.unitId);
  return `${c.subjectName ?? nameOf(c.subjectOpenId)}${unit ? `（${unit}）` : ''}`;
}

/** Each cited item in the regulation's own words: 第十条第（四）项：“……”. */
export function citedItemLines(policy: Policy, items: readonly string[]): string[] {
  return items.map((id) => {
    const item = itemById(policy, id);
    if (!item) return id;
    return item.article === 12 ? `第十二条：“${item.wording}”` : `${item.citation}：“${item.wording}”`;
  });
}

function decided(c: Case) {
  const det = c.determination;
  if (!det) throw new Error(`case ${c.id} has no determination`);
  return det;
}

/** The order's items, numbered, each marked 纠错要求 or 纠错建议 (art. 16). */
const orderItemBlocks = (o: CorrectionOrder): Block[] =>
  o.items.map((it, i) => ({
    kind: 'para',
    text: `${i + 1}. ${it.kind === 'requirement' ? '纠错要求' : '纠错建议'}：${it.text}`,
  }));

function correctionBlocks(input: CaseDocumentInput, n: number): Block[] {
  const { c, policy } = input;
  const det = decided(c);
  const head: Block = { kind: 'h1', text: `${numeral(n)}、纠错要求` };
  if (!det.correctionRequired)
    return [
      head,
      { kind: 'para', text: '本案不需要启动纠错程序。' },
      // Arts. 15–16: where an exemption calls for correction, the stated reason for none is part of the record.
      ...(det.correctionWaiver
        ? [{ kind: 'para' as const, text: `不启动纠错程序的理由：${det.correctionWaiver}` }]
        : []),
    ];
  const o = c.correction;
  if (!o)
    return [
      head,
      {
        kind: 'para',
        text: `依据第十五条，同时启动纠错程序，纠错事项和期限以另行下达的《${DOCUMENT_TITLES.correction}》为准。`,
      },
    ];
  return [
    head,
    { kind: 'para', text: `依据第十五条、第十六条，同时启动纠错程序。纠错事由：${o.reason}` },
    ...orderItemBlocks(o),
    {
      kind: 'para',
      text: `整改期限：${chineseDate(o.deadline)}前完成。${policy.statements.correctionDuty.text}`,
    },
  ];
}

/** 容错纠错认定决定书: facts, findings, the five factors, cited items, conditions, reasons, outcome, art. 14. */
export function decisionDocument(input: CaseDocumentInput, number: string): OfficialDocument {
  const { c, policy } = input;
  const det = decided(c);
  const f = c.findings;
  const body: Block[] = [
    {
      kind: 'para',
      text: `关于${subjectLine(input)}“${c.facts.title}”一事（案件编号：${c.number ?? '—'}，来源：${originLabel(c)}），本办党组依据《${policy.regulationTitle}》第十三条，在调查核实的基础上进行了综合分析研判，现作出认定如下。`,
    },
    { kind: 'h1', text: '一、基本事实' },
    { kind: 'para', text: c.facts.story || '（未填写）' },
  ];
  if (c.facts.occurredOn) body.push({ kind: 'para', text: `发生日期：${chineseDate(c.facts.occurredOn)}。` });
  if (c.facts.lossAndImpact) body.push({ kind: 'para', text: `损失和影响：${c.facts.lossAndImpact}` });
  if (c.facts.remedies) body.push({ kind: 'para', text: `挽回损失情况：${c.facts.remedies}` });
  body.push({ kind: 'h1', text: '二、调查核实情况' });
  body.push({
    kind: 'para',
    text: f ? f.note || '经调查核实，基本事实清楚。' : '（无调查核实意见）',
  });
  body.push({ kind: 'h1', text: '三、综合分析研判（第十三条）' });
  policy.factors.forEach((factor, i) => {
    body.push({ kind: 'h2', text: `（${numeral(i)}）${factor.name}` });
    body.push({ kind: 'para', text: det.factors[factor.id] || '（未填写）' });
  });
  body.push({ kind: 'h1', text: '四、认定依据' });
  for (const line of citedItemLines(policy, det.citedItems)) body.push({ kind: 'para', text: line });
  const citesArticle10 = det.citedItems.some((id) => itemById(policy, id)?.article === 10);
  if (citesArticle10) {
    body.push({ kind: 'h2', text: `${policy.conditionsLead.citation}：${policy.conditionsLead.text}` });
    // The basis as the secretary stated it on issuing (the findings' unless a departure was reasoned).
    const conditions = det.legalBasis?.conditions ?? f?.conditions ?? c.facts.conditions;
    for (const cond of policy.conditions) {
      const met = conditions[cond.id];
      body.push({
        kind: 'para',
        text: `${cond.citation}：“${cond.wording}”——${met === true ? '符合' : met === false ? '不符合' : '未认定'}。`,
      });
    }
  }
  if (det.legalBasis?.departureReason)
    body.push({ kind: 'para', text: `与核查意见不同的理由：${det.legalBasis.departureReason}` });
  body.push({ kind: 'h1', text: '五、认定理由' }, { kind: 'para', text: det.reasons });
  body.push({ kind: 'h1', text: '六、认定结论' });
  body.push({
    kind: 'para',
    text: `经本办党组第${det.round}轮记名表决，认定结论为：${voteLabel(policy, det.outcome)}${det.basis ? `（${BASIS_LABEL[det.basis].label}，${BASIS_LABEL[det.basis].article}）` : ''}。`,
  });
  if (det.notErrorRecord && det.statement)
    body.push({ kind: 'para', text: `依据${policy.statements.notAnError.citation}：${det.statement}` });
  body.push(...correctionBlocks(input, 6));
  body.push({
    kind: 'para',
    text: `依据第十三条，本决定于作出后7日内告知相关单位及当事人${det.publication.scope === 'none' ? '' : '，并在一定范围内公开'}。`,
  });
  const unit = unitName(policy, c.facts.unitId);
  return {
    issuer: policy.documents.issuer,
    number,
    title: DOCUMENT_TITLES.decision,
    addressee: unit ?? subjectLine(input),
    body,
    signOff: `${policy.documents.issuer}党组`,
    date: chineseDate(businessDate(new Date(det.issuedAt))),
    printedBy: policy.documents.issuer,
  };
}

/** 认定结果告知书 to the subject: the outcome, its basis, art. 14 and what follows. */
export function resultNoticeDocument(
  input: CaseDocumentInput,
  number: string,
  decisionNumber: string,
): OfficialDocument {
  const { c, policy, nameOf } = input;
  const det = decided(c);
  const body: Block[] = [
    {
      kind: 'para',
      text: `你（${subjectLine(input)}）“${c.facts.title}”一事（案件编号：${c.number ?? '—'}），经本办党组研究，作出《${DOCUMENT_TITLES.decision}》（${decisionNumber}），认定结论为：${voteLabel(policy, det.outcome)}。`,
    },
    { kind: 'para', text: '认定依据：' },
    ...citedItemLines(policy, det.citedItems).map((text): Block => ({ kind: 'para', text })),
    { kind: 'para', text: `认定理由：${det.reasons}` },
  ];
  if (det.notErrorRecord && det.statement)
    body.push({ kind: 'para', text: `依据${policy.statements.notAnError.citation}：${det.statement}` });
  if (det.correctionRequired) {
    const o = c.correction;
    body.push({
      kind: 'para',
      text: o
        ? `依据第十五条、第十六条，请于${chineseDate(o.deadline)}前按《${DOCUMENT_TITLES.correction}》完成纠错整改。`
        : `依据第十五条，同时启动纠错程序，纠错事项和期限以另行下达的《${DOCUMENT_TITLES.correction}》为准。`,
    });
  }
  body.push({ kind: 'para', text: '请在飞书消息中点击「确认收到」。依据第十三条，特此告知。' });
  return {
    issuer: policy.documents.issuer,
    number,
    title: DOCUMENT_TITLES.notice,
    addressee: c.subjectName ?? nameOf(c.subjectOpenId),
    body,
    signOff: policy.documents.issuer,
    date: chineseDate(businessDate(new Date(det.issuedAt))),
  };
}

/** 纠错（整改）通知书; edition 2, 3… when an approved extension moved the deadline. */
export function correctionNoticeDocument(
  input: CaseDocumentInput,
  number: string,
  edition: number,
  onDate: string,
): OfficialDocument {
  const { c, policy, nameOf } = input;
  const o = c.correction;
  if (!o) throw new Error(`case ${c.id} has no correction order`);
  const approved = o.extensions.filter((e) => e.status === 'approved');
  const body: Block[] = [
    {
      kind: 'para',
      text: `依据《${policy.regulationTitle}》第十五条、第十六条，就“${c.facts.title}”一事（案件编号：${c.number ?? '—'}）启动纠错程序，现将纠错事项通知如下。`,
    },
    { kind: 'h1', text: '一、纠错事由' },
    { kind: 'para', text: o.reason },
    { kind: 'h1', text: '二、纠错事项' },
    ...orderItemBlocks(o),
    { kind: 'h1', text: '三、整改期限' },
    {
      kind: 'para',
      text: `请于${chineseDate(o.deadline)}前完成整改，并在飞书消息中报告整改完成情况和佐证材料。`,
    },
  ];
  if (edition > 1 && approved.length > 0) {
    const last = approved[approved.length - 1]!;
    body.push({
      kind: 'para',
      text: `经批准，整改期限延长至${chineseDate(last.newDeadline)}（延期理由：${last.reason}）。本通知书为第${edition}版，代替此前下达的版本。`,
    });
  }
  body.push(
    { kind: 'h1', text: '四、完善制度机制' },
    { kind: 'para', text: o.improveRules || policy.statements.correctionDuty.text },
    {
      kind: 'para',
      text: '因特殊情况难以在规定时间内完成的，可以在期限届满前申请适当延长整改期限（第十六条）。',
    },
  );
  return {
    issuer: policy.documents.issuer,
    number,
    title: DOCUMENT_TITLES.correction,
    addressee: `${nameOf(o.responsible.openId)}${o.responsible.unitId ? `（${unitName(policy, o.responsible.unitId)}）` : ''}`,
    body,
    signOff: policy.documents.issuer,
    date: chineseDate(onDate),
  };
}

/** Final once every notice's 7-day window has closed. */
export function receiptIsFinal(c: Case, today: string): boolean {
  return c.notices.length > 0 && c.notices.every((n) => n.dueOn < today);
}

/** 送达回证: each notice's recipient, channel, sent, delivered and receipt time, as the events arrived. */
export function serviceReceiptDocument(
  input: CaseDocumentInput,
  refs: { decision: string | null; notice: string | null },
  recipientOf: (n: Notice) => string,
  now: Date,
): OfficialDocument {
  const { c, policy } = input;
  const today = businessDate(now);
  const final = receiptIsFinal(c, today);
  const what = (n: Notice) =>
    n.kind === 'subject'
      ? `《${DOCUMENT_TITLES.notice}》${refs.notice ? `（${refs.notice}）` : ''}`
      : `《${DOCUMENT_TITLES.decision}》${refs.decision ? `（${refs.decision}）` : ''}`;
  const rows = c.notices.map((n) => [
    recipientOf(n),
    what(n),
    '飞书消息',
    n.sentAt ? chineseTime(n.sentAt) : '未发送',
    n.deliveredAt ? chineseTime(n.deliveredAt) : '未送达',
    n.acknowledgedAt ? chineseTime(n.acknowledgedAt) : '未确认',
  ]);
  return {
    issuer: policy.documents.issuer,
    number: null,
    title: DOCUMENT_TITLES.receipt,
    addressee: null,
    body: [
      {
        kind: 'para',
        text: `案件编号：${c.number ?? '—'}　状态：${STATUS_LABEL[c.status] ?? c.status}　告知期限：${c.notices[0] ? chineseDate(c.notices[0].dueOn) : '—'}（第十三条，7日内）`,
      },
      {
        kind: 'table',
        header: ['受送达人', '送达文书', '送达方式', '发送时间', '送达时间', '签收时间'],
        rows,
      },
      {
        kind: 'para',
        text: final
          ? `告知期限已届满，本回证于${chineseDate(today)}定稿。`
          : `告知期限尚未届满，本回证随送达情况更新，截至${chineseTime(now.toISOString())}。`,
      },
    ],
    signOff: policy.documents.issuer,
    date: chineseDate(today),
  };
}
