import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import {
  clearingConsentCard,
  clearingNoticeCard,
  explanationCard,
  feedbackCard,
  type ReportCardData,
  type ReportCardMode,
  reportCard,
  reportListCard,
  reportNoAccessCard,
  reportNoticeCard,
} from '../../cards/report';
import {
  ANON_NO_FILES,
  queryCodeCard,
  reportChooseCard,
  reportFiledCard,
  reportFormCard,
  reportNoteCard,
  reportQueryCard,
} from '../../cards/report-intake';
import { defaultPolicy } from '../../src/policy';
import { cardButtons } from '../../src/sandbox/emulator-cards';

const long = (n: number, s = '举报内容描述') => s.repeat(Math.ceil(n / s.length)).slice(0, n);
const { titleMaxLength, textMaxLength } = defaultPolicy.limits;
const people = (n: number, prefix = '人员') =>
  Array.from({ length: n }, (_, i) => ({
    openId: `ou_${prefix}_${i}_${'x'.repeat(20)}`,
    name: `${prefix}${i}号同志`,
  }));

/** Every part of the card at its limit. */
function maximal(mode: ReportCardMode, over: Partial<ReportCardData> = {}): ReportCardData {
  return {
    reportId: 'report_0123456789abcdef0123',
    number: '举报〔2026〕999999号',
    status: 'concluded',
    statusLabel: '已认定，待反馈',
    realName: false,
    filedAt: '2026-03-02 10:00',
    accused: people(20, '被举报人').map((p) => p.name),
    matter: long(titleMaxLength, '事项'),
    content: long(textMaxLength),
    attachments: Array.from({ length: 20 }, (_, i) => `${long(90, '附件材料')}${i}.pdf`),
    investigators: people(20, '核查').map((p) => p.name),
    findings: { text: long(textMaxLength, '核查意见'), by: '孙核查', at: '2026-03-05 10:00' },
    outcome: {
      label: '部分属实',
      note: long(textMaxLength, '说明'),
      caseNumber: '容错〔2026〕999999号',
      by: '李书记',
      at: '2026-03-06 10:00',
    },
    feedback: {
      text: long(textMaxLength, '反馈'),
      where: `已在${long(40, '群名')}说明`,
      at: '2026-03-07 10:00',
    },
    clearings: people(20, '被举报人').map((p) => ({
      officer: p.name,
      consent: '本人同意发布',
      published: long(40, '群名'),
    })),
    converted: people(20, '被举报人').map((p, i) => ({
      number: `容错〔2026〕${100000 + i}号`,
      subject: p.name,
    })),
    mode,
    can: { assign: true, findings: true, outcome: true, feedback: true, close: true, convert: true },
    clear: people(10, '被举报人'),
    publish: people(10, '同意人'),
    publishFor: people(1, '同意人')[0]!,
    options: {
      investigators: people(100, '核查'),
      outcomes: defaultPolicy.reportOutcomes,
      chats: Array.from({ length: 20 }, (_, i) => ({
        chatId: `oc_${i}_${'y'.repeat(28)}`,
        label: `科室群（${long(20, '科室')}${i}）`,
      })),
      cases: Array.from({ length: 20 }, (_, i) => ({
        caseId: `case_${i}_${'z'.repeat(20)}`,
        label: `容错〔2026〕${i}号 ${long(10, '姓名')}`,
      })),
      convertible: people(20, '被举报人'),
    },
    values: {
      text: long(textMaxLength, '已填'),
      note: long(textMaxLength, '已填'),
      result: 'false',
      chat: 'oc_0',
      case_number: long(40, '号'),
    },
    error: long(200, '错误原因'),
    ...over,
  };
}

const json = (c: object) => JSON.stringify(c);
function forms(c: object): { name: string; fields: string[] }[] {
  const out: { name: string; fields: string[] }[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.tag === 'form') {
      const fields = (o.elements as Record<string, unknown>[])
        .filter((e) => e.tag !== 'button' && typeof e.name === 'string')
        .map((e) => e.name as string);
      out.push({ name: o.name as string, fields });
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(c);
  return out;
}

function shape(c: object) {
  const x = c as { schema: string; header: { title: { content: string } }; body: { elements: unknown[] } };
  expect(x.schema).toBe('2.0');
  expect(x.header.title.content.length).toBeGreaterThan(0);
  expect(x.body.elements.length).toBeGreaterThan(0);
  expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
}

describe('report cards', () => {
  it('the handler card in every mode stays under 30 KB with maximal data and shows the right form', () => {
    const expected: Record<ReportCardMode, { form?: string; fields?: string[]; submit?: string }> = {
      view: {},
      assign: { form: 'report_assign', fields: ['investigator'], submit: 'report.assign' },
      findings: { form: 'report_findings', fields: ['text'], submit: 'report.findings' },
      outcome: {
        form: 'report_outcome',
        fields: ['result', 'note', 'case', 'case_number'],
        submit: 'report.outcome',
      },
      feedback: { form: 'report_feedback', fields: ['text', 'chat'], submit: 'report.feedback' },
      publish: { form: 'report_publish', fields: ['chat'], submit: 'report.publish' },
      convert: { form: 'report_convert', fields: ['subject'], submit: 'report.convert' },
    };
    for (const [mode, e] of Object.entries(expected) as [
      ReportCardMode,
      (typeof expected)[ReportCardMode],
    ][]) {
      const c = reportCard(maximal(mode));
      shape(c);
      const f = forms(c);
      if (!e.form) {
        expect(f).toHaveLength(0);
        continue;
      }
      expect(f, mode).toEqual([{ name: e.form, fields: e.fields }]);
      const submit = cardButtons(c).find((b) => b.form === e.form);
      expect(submit?.value).toMatchObject({ a: e.submit, r: 'report_0123456789abcdef0123' });
      expect(cardButtons(c).some((b) => b.text === '取消' && b.value.a === 'report.view')).toBe(true);
    }
  });

  it('view mode offers only what the viewer may do, clearing per officer, and never names a reporter', () => {
    const all = reportCard(maximal('view'));
    const labels = cardButtons(all).map((b) => b.text);
    expect(labels).toEqual(
      expect.arrayContaining([
        '提交核查意见',
        '指派核查',
        '认定核查结果',
        '情况说明',
        '转为容错认定',
        '办结',
        '澄清正名：被举报人0号同志',
        '发布澄清：同意人0号同志',
      ]),
    );
    expect(cardButtons(all).find((b) => b.text === '发布澄清：同意人0号同志')?.value).toMatchObject({
      a: 'report.form',
      f: 'publish',
    });
    const none = reportCard(
      maximal('view', {
        can: {
          assign: false,
          findings: false,
          outcome: false,
          feedback: false,
          close: false,
          convert: false,
        },
        clear: [],
        publish: [],
        realName: true,
      }),
    );
    expect(cardButtons(none)).toHaveLength(0);
    expect(json(none)).toContain('实名（结果私信反馈举报人）');
    expect(json(all)).toContain('匿名（系统未记录举报人身份）');
    expect(json(reportCard(maximal('feedback', { realName: true })))).not.toContain('"name":"chat"');
  });

  it('assign without investigators and feedback without bound chats explain what to do', () => {
    const noInv = reportCard(
      maximal('assign', { options: { ...maximal('assign').options, investigators: [] } }),
    );
    expect(json(noInv)).toContain('核查人员 @某人');
    expect(forms(noInv)).toHaveLength(0);
    const noChat = reportCard(
      maximal('feedback', { options: { ...maximal('feedback').options, chats: [] } }),
    );
    expect(json(noChat)).toContain('没有绑定的群');
  });

  it('intake cards: choose, the form at its limits, filed, query code, query answers and notes', () => {
    const choose = reportChooseCard({ token: 'd_1' });
    shape(choose);
    expect(cardButtons(choose).map((b) => [b.text, b.value])).toEqual([
      ['实名举报', { a: 'report.mode', d: 'd_1', m: 'real' }],
      ['匿名举报', { a: 'report.mode', d: 'd_1', m: 'anon' }],
      ['取消', { a: 'report.cancel', d: 'd_1' }],
    ]);

    for (const mode of ['real', 'anon'] as const) {
      const form = reportFormCard({
        token: 'd_1',
        mode,
        people: people(200).map((p) => p.openId),
        values: {
          accused: people(20).map((p) => p.openId),
          matter: long(titleMaxLength),
          content: long(textMaxLength),
        },
        files: Array.from({ length: 20 }, (_, i) => `${long(90, '附件')}${i}.pdf`),
        error: long(200, '原因'),
        limits: defaultPolicy.limits,
      });
      shape(form);
      expect(forms(form)).toEqual([
        { name: 'report_form', fields: ['accused', 'accused_name', 'matter', 'content'] },
      ]);
      const inForm = cardButtons(form).filter((b) => b.form === 'report_form');
      expect(inForm.map((b) => b.value)).toEqual([
        { a: 'report.find', d: 'd_1', m: mode },
        { a: 'report.file', d: 'd_1', m: mode },
      ]);
      expect(json(form)).toContain('"tag":"multi_select_person"');
      if (mode === 'anon') {
        expect(json(form)).toContain(ANON_NO_FILES);
        expect(json(form)).not.toContain('附件0.pdf');
      } else expect(json(form)).toContain('已收到 20 份');
    }

    shape(
      reportFiledCard({
        number: '举报〔2026〕1号',
        matter: long(titleMaxLength),
        accused: people(20).map((p) => p.name),
        files: ['a.pdf'],
      }),
    );
    const code = queryCodeCard({ number: '举报〔2026〕1号', code: 'ABCDEFGH23' });
    shape(code);
    expect(json(code)).toContain('查询 ABCDEFGH23');
    expect(cardButtons(code)).toHaveLength(0);

    const found = reportQueryCard({
      number: '举报〔2026〕1号',
      status: '已办结',
      outcome: '不属实',
      explanation: long(textMaxLength),
    });
    shape(found);
    expect(json(found)).toContain('不属实');
    const missing = reportQueryCard(null);
    shape(missing);
    expect(json(missing)).toContain('没有查到');
    expect(json(reportQueryCard(null))).toBe(json(missing));
    shape(reportNoteCard({ title: '已收到附件', lines: [long(500)] }));
  });

  it('notices: consent with buttons then answered, clearing notice, explanation, feedback, list and no-access', () => {
    const ask = clearingConsentCard({ reportId: 'r1', matter: long(titleMaxLength), resultLabel: '不属实' });
    shape(ask);
    expect(cardButtons(ask).map((b) => [b.text, b.value])).toEqual([
      ['同意发布', { a: 'report.consent', r: 'r1', agree: true }],
      ['不同意', { a: 'report.consent', r: 'r1', agree: false }],
    ]);
    const answered = clearingConsentCard({
      reportId: 'r1',
      matter: 'm',
      resultLabel: '不属实',
      answered: 'declined',
    });
    expect(cardButtons(answered)).toHaveLength(0);
    expect(json(answered)).toContain('不同意');

    const notice = clearingNoticeCard({
      officer: '陈执法',
      matter: long(titleMaxLength),
      resultLabel: '查无实据',
      date: '2026-03-09',
    });
    shape(notice);
    expect(json(notice)).toContain('第十八条');
    for (const c of [
      explanationCard({
        number: 'n',
        matter: long(titleMaxLength),
        resultLabel: '查无实据',
        text: long(textMaxLength),
      }),
      feedbackCard({
        number: 'n',
        matter: long(titleMaxLength),
        resultLabel: '属实',
        text: long(textMaxLength),
      }),
    ]) {
      shape(c);
      expect(json(c)).toContain('第十八条');
    }
    const list = reportListCard(
      Array.from({ length: 100 }, (_, i) => ({
        reportId: `report_${i}`,
        number: `举报〔2026〕${i}号`,
        matter: long(titleMaxLength),
        statusLabel: '核查中',
      })),
    );
    shape(list);
    expect(cardButtons(list)).toHaveLength(30);
    expect(cardButtons(list)[0]?.value).toEqual({ a: 'report.open', r: 'report_0' });
    shape(reportListCard([]));
    const open = reportNoticeCard({ title: '举报核查意见已提交', lines: ['x'], reportId: 'r9' });
    expect(cardButtons(open)[0]?.value).toEqual({ a: 'report.open', r: 'r9' });
    const denied = reportNoAccessCard('该举报涉及您本人，依规回避，不能查看或办理。');
    shape(denied);
    expect(cardButtons(denied)).toHaveLength(0);
  });
});
