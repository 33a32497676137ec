import ExcelJS from 'exceljs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { addCalendarDays } from '../../src/calendar';
import type { Case, Report } from '../../src/cases/types';
import {
  CASE_COLUMNS,
  chineseTime,
  correctionNoticeDocument,
  decisionDocument,
  documentAudience,
  LEDGER_SHEETS,
  renderArchive,
  renderLedger,
  renderOfficial,
  resultNoticeDocument,
  serviceReceiptDocument,
  verifyArchive,
} from '../../src/documents';
import { defaultPolicy as policy } from '../../src/policy';
import {
  carriedCase,
  correctingCase,
  determinationCommand,
  envAt,
  member,
  noCorrection,
  outsider,
  run,
  secretary,
  subject,
} from '../cases/fixtures';
import { carriedOn, issue } from '../conformance/support';

const names: Record<string, string> = { [subject.openId]: '张执法', [secretary.openId]: '李书记' };
const nameOf = (id: string) => names[id] ?? id;

/** The text of a .docx as Word reads it: every paragraph's runs joined, and the raw XML for fonts. */
async function readDocx(bytes: Uint8Array) {
  const files = unzipSync(bytes);
  const xml = strFromU8(files['word/document.xml']!);
  const paragraphs = [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join(''),
  );
  const texts = (x: string) => [...x.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('');
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) =>
    [...r[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => texts(c[0])),
  );
  return { files, xml, text: paragraphs.join('\n'), paragraphs, rows };
}

function refusedCase(): Case {
  return run(
    carriedCase('refuse'),
    {
      ...determinationCommand,
      outcome: 'refuse',
      citedItems: ['12'],
      reasons: '滥用职权造成不良后果，属于第十二条情形。',
      publication: { scope: 'none' },
      correctionRequired: false,
      correction: undefined,
    },
    secretary,
  );
}

/** The tolerated case after the subject asked for more time and the secretary agreed. */
function extendedCase(): Case {
  const later = envAt('2026-03-10T02:00:00Z');
  const asked = run(
    correctingCase(),
    { type: 'request_extension', extensionId: 'x1', reason: '等待上级批复', newDeadline: '2026-04-10' },
    subject,
    later,
  );
  return run(asked, { type: 'decide_extension', extensionId: 'x1', approve: true }, secretary, later);
}

describe('dates in documents', () => {
  it('writes an instant as the Asia/Shanghai wall clock shows it, across midnight and the year', () => {
    expect(chineseTime('2026-03-03T01:00:00.000Z')).toBe('2026年3月3日 09:00');
    expect(chineseTime('2026-12-31T16:30:00.000Z')).toBe('2027年1月1日 00:30');
  });
});

describe('容错纠错认定决定书', () => {
  it('carries the 文号, outcome, facts, five factors, cited wording, the three conditions and art. 14 for a tolerated case', async () => {
    const c = correctingCase();
    const doc = await readDocx(
      await renderOfficial(decisionDocument({ policy, c, nameOf }, '兴国动容〔2026〕1号')),
    );
    expect(doc.paragraphs[0]).toBe('兴安盟国防动员办公室');
    expect(doc.paragraphs[1]).toBe('兴国动容〔2026〕1号');
    expect(doc.text).toContain('容错纠错认定决定书');
    expect(doc.text).toContain('执法一科：'); // 主送
    expect(doc.text).toContain(c.number!);
    expect(doc.text).toContain(c.facts.story);
    for (const f of policy.factors) {
      expect(doc.text).toContain(f.name);
      expect(doc.text).toContain(c.determination!.factors[f.id]!);
    }
    expect(doc.text).toContain(`第十条第（四）项：“${policy.items.find((i) => i.id === '10.4')!.wording}”`);
    for (const cond of policy.conditions)
      expect(doc.text).toContain(`${cond.citation}：“${cond.wording}”——符合`);
    expect(doc.text).toContain('认定结论为：免责（容错免责，第十条）');
    expect(doc.text).toContain(`第十四条：${policy.statements.notAnError.text}`);
    expect(doc.text).toContain('纠错要求：补办暂扣审批手续');
    expect(doc.text).toContain('整改期限：2026年3月20日前完成');
    // 落款 and 成文日期 from the issuing time, in Asia/Shanghai
    expect(doc.text).toContain('兴安盟国防动员办公室党组\n2026年3月2日');
    // GB/T 9704 faces, each declared with its fallback
    for (const face of ['方正小标宋简体', '仿宋_GB2312', '黑体', '楷体_GB2312'])
      expect(doc.xml).toContain(`w:eastAsia="${face}"`);
    const fonts = strFromU8(doc.files['word/fontTable.xml']!);
    expect(fonts).toContain('<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/>');
    expect(doc.xml).toContain('w:color w:val="FF0000"'); // red 发文机关标志
  });

  it('says 不予容错 with the 第十二条 wording, no art. 14 statement and no correction', async () => {
    const c = refusedCase();
    const doc = await readDocx(
      await renderOfficial(decisionDocument({ policy, c, nameOf }, '兴国动容〔2026〕5号')),
    );
    expect(doc.text).toContain('认定结论为：不予容错。');
    expect(doc.text).toContain(`第十二条：“${policy.items.find((i) => i.id === '12')!.wording}”`);
    expect(doc.text).not.toContain('第十四条');
    expect(doc.text).not.toContain('第十条第二款第（一）项'); // conditions only where art. 10 is cited
    expect(doc.text).toContain('本案不需要启动纠错程序。');
    expect(doc.text).toContain('滥用职权造成不良后果');
  });

  it('gives the reason stated for ordering no correction after an exemption (arts. 15–16)', async () => {
    const c = run(carriedCase('exempt'), { ...determinationCommand, ...noCorrection }, secretary);
    const doc = await readDocx(
      await renderOfficial(decisionDocument({ policy, c, nameOf }, '兴国动容〔2026〕7号')),
    );
    expect(doc.text).toContain('本案不需要启动纠错程序。');
    expect(doc.text).toContain(`不启动纠错程序的理由：${noCorrection.correctionWaiver}`);
  });

  it('states the three conditions as the secretary stated them on issuing, with the reason for departing', async () => {
    const findings = { items: ['10.4'], conditions: { '10.c1': true, '10.c2': false, '10.c3': true } };
    const reason = '复核查明当事单位停工损失已由保险赔付，不属重大损失。';
    const d = issue(carriedOn(findings, 'exempt'), {
      basis: { conditions: { '10.c1': true, '10.c2': true, '10.c3': true }, reason },
    });
    if (!d.ok) throw new Error(d.reason);
    const doc = await readDocx(
      await renderOfficial(decisionDocument({ policy, c: d.state, nameOf }, '兴国动容〔2026〕6号')),
    );
    for (const cond of policy.conditions)
      expect(doc.text).toContain(`${cond.citation}：“${cond.wording}”——符合`);
    expect(doc.text).not.toContain('——不符合');
    expect(doc.text).toContain(`与核查意见不同的理由：${reason}`);
    expect(doc.text).toContain('认定结论为：免责（容错免责，第十条）');
  });
});

describe('认定结果告知书 and 纠错（整改）通知书', () => {
  it('tells the subject the outcome and names the 决定书 by its 文号', async () => {
    const c = correctingCase();
    const doc = await readDocx(
      await renderOfficial(
        resultNoticeDocument({ policy, c, nameOf }, '兴国动容〔2026〕2号', '兴国动容〔2026〕1号'),
      ),
    );
    expect(doc.paragraphs[1]).toBe('兴国动容〔2026〕2号');
    expect(doc.text).toContain('认定结果告知书');
    expect(doc.text).toContain('张执法：');
    expect(doc.text).toContain('《容错纠错认定决定书》（兴国动容〔2026〕1号），认定结论为：免责');
    expect(doc.text).toContain(policy.statements.notAnError.text);
    expect(doc.text).toContain('请于2026年3月20日前按《纠错（整改）通知书》完成纠错整改');
  });

  it('a 不予容错 notice has no art. 14 statement and asks for no correction', async () => {
    const doc = await readDocx(
      await renderOfficial(
        resultNoticeDocument(
          { policy, c: refusedCase(), nameOf },
          '兴国动容〔2026〕6号',
          '兴国动容〔2026〕5号',
        ),
      ),
    );
    expect(doc.text).toContain('认定结论为：不予容错');
    expect(doc.text).not.toContain('不作为执法错误认定');
    expect(doc.text).not.toContain('纠错整改');
  });

  it('the first edition has the order; the edition after an approved extension has the new deadline', async () => {
    const first = await readDocx(
      await renderOfficial(
        correctionNoticeDocument(
          { policy, c: correctingCase(), nameOf },
          '兴国动容〔2026〕3号',
          1,
          '2026-03-02',
        ),
      ),
    );
    expect(first.text).toContain('纠错（整改）通知书');
    expect(first.text).toContain('张执法（执法一科）：');
    expect(first.text).toContain('暂扣设备未按程序报批');
    expect(first.text).toContain('1. 纠错要求：补办暂扣审批手续');
    expect(first.text).toContain('2. 纠错建议：修订夜间检查临机处置流程');
    expect(first.text).toContain('请于2026年3月20日前完成整改');
    expect(first.text).not.toContain('第2版');

    const c = extendedCase();
    expect(c.correction!.deadline).toBe('2026-04-10');
    const second = await readDocx(
      await renderOfficial(
        correctionNoticeDocument({ policy, c, nameOf }, '兴国动容〔2026〕4号', 2, '2026-03-10'),
      ),
    );
    expect(second.paragraphs[1]).toBe('兴国动容〔2026〕4号');
    expect(second.text).toContain('请于2026年4月10日前完成整改');
    expect(second.text).toContain('经批准，整改期限延长至2026年4月10日（延期理由：等待上级批复）');
    expect(second.text).toContain('本通知书为第2版');
    expect(second.text).toContain('2026年3月10日');
  });
});

describe('送达回证', () => {
  const sent = (c: Case): Case => ({
    ...c,
    notices: c.notices.map((n) => ({
      ...n,
      sentAt: '2026-03-02T02:01:00.000Z',
      deliveredAt: '2026-03-02T02:01:05.000Z',
      acknowledgedAt: null,
    })),
  });

  it('lists each recipient with channel and times, 「未确认」 without a receipt, and is final once the window closes', async () => {
    const c = sent(correctingCase());
    const recipient = (n: Case['notices'][number]) => ('user' in n.target ? nameOf(n.target.user) : '党组群');
    const refs = { decision: '兴国动容〔2026〕1号', notice: '兴国动容〔2026〕2号' };
    const during = await readDocx(
      await renderOfficial(
        serviceReceiptDocument({ policy, c, nameOf }, refs, recipient, new Date('2026-03-03T02:00:00Z')),
      ),
    );
    expect(during.text).toContain('送达回证');
    expect(during.rows[0]).toEqual(['受送达人', '送达文书', '送达方式', '发送时间', '送达时间', '签收时间']);
    expect(during.rows[1]).toEqual([
      '张执法',
      '《认定结果告知书》（兴国动容〔2026〕2号）',
      '飞书消息',
      '2026年3月2日 10:01',
      '2026年3月2日 10:01',
      '未确认',
    ]);
    expect(during.rows[2]).toEqual(
      expect.arrayContaining(['党组群', '《容错纠错认定决定书》（兴国动容〔2026〕1号）']),
    );
    expect(during.text).toContain('本回证随送达情况更新');

    const acked: Case = {
      ...c,
      notices: c.notices.map((n) =>
        n.kind === 'subject' ? { ...n, acknowledgedAt: '2026-03-03T01:00:00.000Z' } : n,
      ),
    };
    const after = c.notices[0]!.dueOn;
    const final = await readDocx(
      await renderOfficial(
        serviceReceiptDocument({ policy, c: acked, nameOf }, refs, recipient, new Date(`${after}T20:00:00Z`)),
      ),
    );
    expect(final.rows[1]![5]).toBe('2026年3月3日 09:00');
    expect(final.text).toMatch(/告知期限已届满，本回证于\d{4}年\d{1,2}月\d{1,2}日定稿/);
  });
});

describe('台账', () => {
  const reports: Report[] = [
    {
      id: 'r1',
      number: '举报〔2026〕1号',
      year: 2026,
      seq: 1,
      accused: [subject.openId],
      matter: '执法程序问题',
      content: '……',
      attachments: [],
      realName: false,
      queryCodeHash: 'abc',
      status: 'filed',
      investigators: [],
      findings: null,
      outcome: null,
      feedback: null,
      clearings: [],
      convertedCases: [],
      createdAt: '2026-03-01T02:00:00.000Z',
      updatedAt: '2026-03-01T02:00:00.000Z',
      version: 1,
    },
  ];

  it('counts a notice done as the tracker does, and says when the subject acknowledged after the 7 days', async () => {
    const c = correctingCase();
    const dueOn = c.notices[0]!.dueOn;
    const sent = `${dueOn}T03:00:00.000Z`;
    const notices = c.notices.map((n) =>
      n.kind === 'subject'
        ? { ...n, sentAt: sent, acknowledgedAt: `${addCalendarDays(dueOn, 1)}T02:00:00.000Z` }
        : { ...n, sentAt: sent },
    );
    const bytes = await renderLedger({
      policy,
      cases: [{ ...c, notices }],
      reports: [],
      nameOf,
      decisionNumbers: {},
      scope: '2026年 · 全部状态',
      now: new Date('2026-03-12T02:00:00Z'),
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const column = CASE_COLUMNS.indexOf('告知情况（第十三条）') + 1;
    const cell = String(wb.getWorksheet(LEDGER_SHEETS.cases)!.getRow(2).getCell(column).value);
    expect(cell).toBe(`${notices.length}/${notices.length} 已完成（期限 ${dueOn}），有逾期`);
  });

  it('has a row per case with every column, a reports sheet without the anonymous reporter, and the art. 17 counts', async () => {
    const tolerated = correctingCase();
    const refused = { ...refusedCase(), id: 'case_2', number: '容错〔2026〕2号', seq: 2 };
    const extended = { ...extendedCase(), id: 'case_3', number: '容错〔2026〕3号', seq: 3 };
    const bytes = await renderLedger({
      policy,
      cases: [tolerated, refused, extended],
      reports,
      nameOf,
      decisionNumbers: { [tolerated.id]: '兴国动容〔2026〕1号' },
      scope: '2026年 · 全部状态',
      now: new Date('2026-03-12T02:00:00Z'),
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(Object.values(LEDGER_SHEETS));
    const sheet = wb.getWorksheet(LEDGER_SHEETS.cases)!;
    const row = (n: number) =>
      Object.fromEntries(CASE_COLUMNS.map((h, i) => [h, String(sheet.getRow(n).getCell(i + 1).value ?? '')]));
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([...CASE_COLUMNS]);
    const t = row(2);
    expect(t).toMatchObject({
      案件编号: tolerated.number,
      当事人: '张执法',
      科室: '执法一科',
      来源: '本人申请',
      状态: '纠错中',
      认定日期: '2026-03-02',
      认定结论: '免责',
      免责依据: '容错免责（第十条）',
      '不作为执法错误认定（第十四条）': '是',
      纠错状态: '整改中',
      整改期限: '2026-03-20',
      错误类别: '程序不规范',
      执法领域: '人防工程维护管理',
      决定书文号: '兴国动容〔2026〕1号',
    });
    expect(t.引用条款).toContain('第十条第（四）项');
    expect(t['告知情况（第十三条）']).toMatch(/^0\/\d 已完成/);
    expect(row(3)).toMatchObject({
      认定结论: '不予容错',
      '不作为执法错误认定（第十四条）': '否',
      纠错状态: '',
    });
    expect(row(4)).toMatchObject({ 整改期限: '2026-04-10', 延期情况: '2026-04-10（已批准）' });

    const rs = wb.getWorksheet(LEDGER_SHEETS.reports)!;
    expect(rs.getRow(2).getCell(1).value).toBe('举报〔2026〕1号');
    expect(rs.getRow(2).getCell(2).value).toBe('匿名');
    expect(rs.getRow(2).getCell(3).value).toBe('—');

    const an = wb.getWorksheet(LEDGER_SHEETS.analysis)!;
    const procedure = (an.getRows(2, an.rowCount - 1) ?? []).find(
      (r) => r.getCell(2).value === '程序不规范',
    )!;
    // 3 cases: 2 tolerated (the tolerated and the extended one), 1 enforcement error, kept apart (第十四条)
    expect([procedure.getCell(3).value, procedure.getCell(4).value, procedure.getCell(5).value]).toEqual([
      3, 1, 2,
    ]);
  });
});

describe('归档', () => {
  it('verifies against its manifest, and a changed or extra file is caught', async () => {
    const files = [
      {
        name: '决定书.docx',
        bytes: await renderOfficial(decisionDocument({ policy, c: correctingCase(), nameOf }, 'X')),
      },
      { name: '证据清单.xlsx', bytes: strToU8('evidence') },
    ];
    const zip = await renderArchive(files, {
      caseNumber: '容错〔2026〕1号',
      now: new Date('2026-03-02T02:00:00Z'),
    });
    const good = await verifyArchive(zip);
    expect(good.ok).toBe(true);
    expect(good.manifest!.files.map((f) => f.name)).toEqual(['决定书.docx', '证据清单.xlsx']);
    const entries = unzipSync(zip);
    const tampered = zipSync({ ...entries, '证据清单.xlsx': strToU8('changed'), '多余.txt': strToU8('x') });
    const bad = await verifyArchive(tampered);
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual(['校验值不符：证据清单.xlsx', '清单外的文件：多余.txt']);
  });
});

describe('who receives which document', () => {
  const audienceFor = (c: Case) => ({
    c,
    partyChatId: 'oc_party',
    unitChatId: (u: string) => `oc_unit_${u}`,
    secretaries: [secretary.openId, subject.openId],
  });
  const everyone = (c: Case) =>
    (['decision', 'notice', 'correction', 'archive'] as const).flatMap((k) =>
      documentAudience(k, audienceFor(c)),
    );

  it('never names anyone outside the case, and a recused secretary gets no archive', () => {
    for (const c of [correctingCase(), refusedCase(), extendedCase()]) {
      const people = everyone(c).flatMap((d) => ('openId' in d ? [d.openId] : []));
      expect(people).not.toContain(outsider.openId);
      expect(people).not.toContain(member(2).openId);
      expect(documentAudience('archive', audienceFor(c))).toEqual([{ openId: secretary.openId }]);
    }
  });

  it('the 决定书 goes nowhere unpublished, to the party chat for 党组内, and to the chosen and unit chats for 指定群', () => {
    expect(documentAudience('decision', audienceFor(refusedCase()))).toEqual([]);
    expect(documentAudience('notice', audienceFor(refusedCase()))).toEqual([{ openId: subject.openId }]);
    expect(documentAudience('decision', audienceFor(correctingCase()))).toEqual([{ chatId: 'oc_party' }]);
    const published = run(
      carriedCase(),
      { ...determinationCommand, publication: { scope: 'chat', chatId: 'oc_pub' } },
      secretary,
    );
    expect(documentAudience('decision', audienceFor(published))).toEqual([
      { chatId: 'oc_pub' },
      { chatId: 'oc_unit_enforcement_1' },
    ]);
  });
});
