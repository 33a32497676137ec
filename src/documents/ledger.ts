import type ExcelJS from 'exceljs';

// Loaded with the first spreadsheet: the library is a good part of the process's memory.
const excel = async () => (await import('exceljs')).default;

import { noticeCompliance } from '../../cards/notice';
import { businessDate } from '../calendar';
import { BASIS_LABEL, CORRECTION_STATUS_LABEL, labelOf, STATUS_LABEL, voteLabel } from '../cases/common';
import type { Case, Report } from '../cases/types';
import type { Policy } from '../policy';
import { chineseTime, citedItemLines, originLabel } from './case-documents';

export interface LedgerInput {
  policy: Policy;
  cases: Case[];
  /** Only reports the requester may see; an anonymous one never names its reporter. */
  reports: Report[];
  nameOf: (openId: string) => string;
  /** 文号 of each case's 决定书, when issued. */
  decisionNumbers: Record<string, string>;
  /** What the ledger covers, e.g. 「2026年 · 全部状态」. */
  scope: string;
  now: Date;
}

export const LEDGER_SHEETS = { cases: '案件台账', reports: '信访举报', analysis: '第十七条统计' } as const;

export const CASE_COLUMNS = [
  '案件编号',
  '当事人',
  '科室',
  '来源',
  '事项',
  '状态',
  '提交日期',
  '受理日期',
  '认定日期',
  '办结日期',
  '认定结论',
  '免责依据',
  '引用条款',
  '不作为执法错误认定（第十四条）',
  '告知情况（第十三条）',
  '纠错状态',
  '整改期限',
  '延期情况',
  '整改验收日期',
  '错误类别',
  '执法领域',
  '决定书文号',
] as const;

const date = (iso: string | null) => (iso ? businessDate(new Date(iso)) : '');
const categoryOf = (c: Case) => c.findings?.errorCategory ?? c.facts.errorCategory;
const areaOf = (c: Case) => c.findings?.enforcementArea ?? c.facts.enforcementArea;

function noticeText(c: Case): string {
  if (c.notices.length === 0) return '';
  // What counts as done is art. 13's compliance as the tracker shows it.
  const { done } = noticeCompliance(c);
  const lateAck = c.notices.some(
    (n) => n.acknowledgedAt && businessDate(new Date(n.acknowledgedAt)) > n.dueOn,
  );
  return `${done}/${c.notices.length} 已完成（期限 ${c.notices[0]!.dueOn}）${lateAck ? '，有逾期' : ''}`;
}

function caseRow(input: LedgerInput, c: Case): string[] {
  const { policy } = input;
  const det = c.determination;
  const o = c.correction;
  const category = categoryOf(c);
  const area = areaOf(c);
  const extensions = (o?.extensions ?? [])
    .map(
      (e) =>
        `${e.newDeadline}（${e.status === 'approved' ? '已批准' : e.status === 'refused' ? '未批准' : '待审批'}）`,
    )
    .join('；');
  return [
    c.number ?? '',
    c.subjectName ?? input.nameOf(c.subjectOpenId),
    c.facts.unitId ? labelOf(policy.units, c.facts.unitId) : '',
    originLabel(c),
    c.facts.title,
    STATUS_LABEL[c.status] ?? c.status,
    date(c.submittedAt),
    date(c.acceptedAt),
    date(c.decidedAt),
    date(c.closedAt),
    det ? voteLabel(policy, det.outcome) : '',
    det?.basis ? `${BASIS_LABEL[det.basis].label}（${BASIS_LABEL[det.basis].article}）` : '',
    det ? citedItemLines(policy, det.citedItems).join('\n') : '',
    det ? (det.notErrorRecord ? '是' : '否') : '',
    noticeText(c),
    o ? CORRECTION_STATUS_LABEL[o.status] : det?.correctionRequired ? '待下达' : '',
    o?.deadline ?? '',
    extensions,
    date(o?.acceptedAt ?? null),
    category ? labelOf(policy.errorCategories, category) : '',
    area ? labelOf(policy.enforcementAreas, area) : '',
    input.decisionNumbers[c.id] ?? '',
  ];
}

function reportRow(input: LedgerInput, r: Report): string[] {
  const { policy } = input;
  return [
    r.number,
    r.realName ? '实名' : '匿名',
    // An anonymous report stores no reporter; a real-name one names them for its handlers.
    r.realName && r.reporterOpenId ? input.nameOf(r.reporterOpenId) : '—',
    r.accused.map(input.nameOf).join('、'),
    r.matter,
    { filed: '已受理', investigating: '核查中', concluded: '已有结论', closed: '已办结' }[r.status] ??
      r.status,
    date(r.createdAt),
    r.outcome ? (labelOf(policy.reportOutcomes, r.outcome.result) ?? r.outcome.result) : '',
    r.feedback ? date(r.feedback.at) : '',
    r.convertedCases.length > 0 ? '是' : '否',
  ];
}

/** 第十七条: cases per error category and enforcement area, tolerated ones apart (第十四条). */
function analysisRows(input: LedgerInput): (string | number)[][] {
  const { policy, cases } = input;
  const counted = cases.filter((c) => c.status !== 'draft' && c.status !== 'withdrawn');
  const rows: (string | number)[][] = [];
  const dims = [
    { label: '错误类别', list: policy.errorCategories, key: categoryOf },
    { label: '执法领域', list: policy.enforcementAreas, key: areaOf },
  ];
  for (const dim of dims) {
    for (const n of dim.list) {
      const of = counted.filter((c) => dim.key(c) === n.id);
      const tolerated = of.filter((c) => c.determination?.notErrorRecord).length;
      const errors = of.filter((c) => c.determination && !c.determination.notErrorRecord).length;
      rows.push([dim.label, n.name, of.length, errors, tolerated, of.length - errors - tolerated]);
    }
  }
  return rows;
}

function sheet(wb: ExcelJS.Workbook, name: string, header: readonly string[], rows: (string | number)[][]) {
  const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow([...header]).font = { bold: true };
  for (const r of rows) ws.addRow(r).alignment = { wrapText: true, vertical: 'top' };
  ws.columns.forEach((col) => {
    col.width = 16;
  });
  return ws;
}

/** 台账 .xlsx: one row per case, the reports the requester may see, and the 第十七条 counts. */
export async function renderLedger(input: LedgerInput): Promise<Uint8Array> {
  const wb = new (await excel()).Workbook();
  wb.creator = input.policy.documents.issuer;
  wb.created = input.now;
  const cases = sheet(
    wb,
    LEDGER_SHEETS.cases,
    CASE_COLUMNS,
    input.cases.map((c) => caseRow(input, c)),
  );
  cases.addRow([]);
  cases.addRow([`范围：${input.scope}　导出时间：${chineseTime(input.now.toISOString())}`]);
  sheet(
    wb,
    LEDGER_SHEETS.reports,
    [
      '举报编号',
      '方式',
      '举报人',
      '被举报人',
      '事项',
      '状态',
      '受理日期',
      '核查结论',
      '反馈日期',
      '转为容错案件',
    ],
    input.reports.map((r) => reportRow(input, r)),
  );
  sheet(
    wb,
    LEDGER_SHEETS.analysis,
    ['维度', '名称', '案件数', '执法错误', '容错免责（不作为执法错误认定）', '尚未认定'],
    analysisRows(input),
  );
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A readable table as .xlsx (the archive's audit trail and evidence list). */
export async function renderTable(
  title: string,
  header: readonly string[],
  rows: (string | number)[][],
): Promise<Uint8Array> {
  const wb = new (await excel()).Workbook();
  sheet(wb, title, header, rows);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
