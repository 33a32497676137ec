import { describe, expect, it } from 'vitest';
import {
  type ApplicationCardData,
  applicationCard,
  applicationGoneCard,
  applicationNoAccessCard,
  notPartyChatCard,
} from '../../cards/application';
import { type CaseDetailData, caseDetailCard } from '../../cards/case-detail';
import { caseListCard } from '../../cards/case-list';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import { todoCard } from '../../cards/todo';
import { factsView, nextStep } from '../../src/bot/handlers/cases-view';
import { shanghaiTime } from '../../src/bot/shared/names';
import type { Case } from '../../src/cases';
import { defaultPolicy } from '../../src/policy';
import { cardButtons } from '../../src/sandbox/emulator-cards';
import { run, subject, submittedCase } from '../cases/fixtures';

const long = (n: number, s = '执法事实描述') => s.repeat(Math.ceil(n / s.length)).slice(0, n);
const MAX_TEXT = defaultPolicy.limits.textMaxLength;

/** A submitted case with every field at its limit: the longest texts, every item, fifty pieces of evidence. */
function maximalCase(): Case {
  const c = run(
    { ...submittedCase(), status: 'draft' },
    {
      type: 'update_facts',
      patch: {
        title: long(defaultPolicy.limits.titleMaxLength, '事项'),
        story: long(MAX_TEXT),
        lossAndImpact: long(MAX_TEXT, '损失'),
        remedies: long(MAX_TEXT, '补救'),
        items: defaultPolicy.items.filter((i) => i.article !== 12).map((i) => i.id),
        conditions: { '10.c1': true, '10.c2': false },
      },
    },
    subject,
  );
  return {
    ...c,
    status: 'submitted',
    facts: {
      ...c.facts,
      evidence: Array.from({ length: 50 }, (_, i) => ({
        kind: 'file' as const,
        messageId: `om_${i}`,
        key: `file_${i}`,
        name: `${long(90, '证据材料')}${i}.pdf`,
      })),
    },
  };
}

function maximalApplication(
  mode: ApplicationCardData['mode'],
  status: Case['status'] = 'submitted',
): ApplicationCardData {
  const c = maximalCase();
  return {
    ...factsView(c, defaultPolicy, '张执法'),
    status,
    nextStep: nextStep({ ...c, status }),
    decisionDueOn: '2026-03-23',
    returnReason: long(1000, '理由'),
    investigators: Array.from({ length: 20 }, (_, i) => `核查人员${i}`),
    history: Array.from({ length: 40 }, (_, i) => ({
      at: '2026-03-02 10:00',
      text: `王经办 退回补充：${long(500)}${i}`,
    })),
    mode,
    investigatorOptions: Array.from({ length: 50 }, (_, i) => ({
      openId: `ou_${'x'.repeat(32)}${i}`,
      name: `核查人员${i}`,
    })),
  };
}

const json = (x: unknown) => JSON.stringify(x);

function expectCardShape(c: ReturnType<typeof applicationCard>) {
  expect(c.schema).toBe('2.0');
  expect(c.config.update_multi).toBe(true);
  expect(c.header.title.tag).toBe('plain_text');
  expect(Array.isArray(c.body.elements)).toBe(true);
  expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
}

function findByTag(node: unknown, tag: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const r = n as Record<string, unknown>;
      if (r.tag === tag) out.push(r);
      Object.values(r).forEach(walk);
    }
  };
  walk(node);
  return out;
}

describe('application card', () => {
  it('a new application shows facts, citations, the assessment and 受理 / 退回补充 / 指派核查', () => {
    const c = applicationCard(maximalApplication('view'));
    expectCardShape(c);
    expect(c.header.template).toBe('orange');
    const body = json(c);
    expect(body).toContain('第十条第（四）项');
    expect(body).toContain('第九条第（一）项');
    expect(body).toContain('第十条第二款第（二）项');
    expect(body).toContain('初步评估');
    expect(body).toContain('仅供参考');
    expect(body).toContain('已节选');
    expect(body).toContain('更早的 30 条略');
    expect(cardButtons(c).map((b) => [b.text, b.value])).toEqual([
      ['受理', { a: 'case.accept', caseId: 'case-1' }],
      ['退回补充', { a: 'case.return.open', caseId: 'case-1' }],
      ['指派核查', { a: 'case.assign.open', caseId: 'case-1' }],
    ]);
    const accept = findByTag(c, 'button')[0] as { confirm?: unknown };
    expect(accept.confirm).toBeDefined();
    // 受理 starts the decision clock, so it asks first, naming the case.
    expect(accept.confirm).toEqual({
      title: { tag: 'plain_text', content: '受理申请' },
      text: {
        tag: 'plain_text',
        content: expect.stringContaining(`确认受理 ${maximalApplication('view').number}？`),
      },
    });
  });

  it('the return form has a required multiline reason and a submit button', () => {
    const c = applicationCard(maximalApplication('return'));
    expectCardShape(c);
    const [form] = findByTag(c, 'form');
    expect(form?.name).toBe('return_form');
    const [input] = findByTag(form, 'input');
    expect(input).toMatchObject({ name: 'reason', input_type: 'multiline_text', required: true });
    expect(json(input)).toContain('退回理由');
    const submit = findByTag(form, 'button')[0];
    expect(submit).toMatchObject({ form_action_type: 'submit' });
    expect(cardButtons(c).map((b) => b.value)).toEqual([
      { a: 'case.return', caseId: 'case-1' },
      { a: 'case.view', caseId: 'case-1' },
    ]);
  });

  it('the assign form lists the investigators given, and says how to add one when there are none', () => {
    const c = applicationCard(maximalApplication('assign'));
    expectCardShape(c);
    const [select] = findByTag(c, 'select_static');
    expect(select).toMatchObject({ name: 'investigator', required: true });
    expect(select?.options).toHaveLength(50);
    expect(json(c)).toContain('提交后将同时受理');
    const none = applicationCard({
      ...maximalApplication('assign', 'investigating'),
      investigatorOptions: [],
    });
    expect(findByTag(none, 'select_static')).toEqual([]);
    expect(json(none)).toContain('核查人员 @某人');
    expect(json(none)).not.toContain('提交后将同时受理');
  });

  it('after acceptance only 指派核查 remains; closed states have no buttons', () => {
    expect(
      cardButtons(applicationCard(maximalApplication('view', 'investigating'))).map((b) => b.text),
    ).toEqual(['指派核查']);
    for (const s of ['draft', 'withdrawn', 'deliberating', 'closed'] as const) {
      const c = applicationCard(maximalApplication('view', s));
      expectCardShape(c);
      expect(cardButtons(c), s).toEqual([]);
      // A form asked for on a case that moved on is not shown.
      expect(findByTag(applicationCard(maximalApplication('return', s)), 'form'), s).toEqual([]);
    }
  });
});

describe('case detail card', () => {
  it('carries every section and stays under 30 KB at the limits', () => {
    const c = maximalCase();
    const d: CaseDetailData = {
      ...factsView(c, defaultPolicy, '张执法'),
      template: 'turquoise',
      nextStep: nextStep(c),
      decisionDueOn: '2026-03-23',
      returnReason: long(MAX_TEXT),
      investigators: Array.from({ length: 20 }, (_, i) => `核查人员${i}`),
      findings: {
        by: '赵核查',
        at: '2026-03-05 09:00',
        recommended: '免责',
        summary: long(300),
        note: long(MAX_TEXT),
      },
      deliberation: { round: 2, open: false, cast: 9, eligible: 11, carried: '免责' },
      determination: {
        outcome: '免责',
        basis: '容错免责',
        reasons: long(MAX_TEXT),
        statement: defaultPolicy.statements.notAnError.text,
        issuedAt: '2026-03-10 15:00',
      },
      correction: {
        deadline: '2026-04-10',
        status: '整改中',
        responsible: '张执法',
        items: Array.from({ length: 30 }, () => long(MAX_TEXT)),
      },
      buttons: [{ label: '继续填写', value: { a: 'intake.resume', case: c.id }, type: 'primary' }],
    };
    const card = caseDetailCard(d);
    expectCardShape(card);
    const body = json(card);
    for (const part of [
      '核查意见',
      '党组审议',
      '认定结论',
      '纠错整改',
      '第十五条至第十七条',
      '第十条第（四）项',
    ]) {
      expect(body).toContain(part);
    }
    expect(cardButtons(card).map((b) => b.value)).toEqual([{ a: 'intake.resume', case: c.id }]);
  });
});

describe('case list and todo cards', () => {
  it('an empty list offers 申请容错; a long one is cut at 20 and says so', () => {
    const empty = caseListCard({ items: [] });
    expectCardShape(empty);
    expect(cardButtons(empty).map((b) => b.value)).toEqual([{ a: 'cmd', cmd: 'apply' }]);
    const items = Array.from({ length: 120 }, (_, i) => ({
      caseId: `case_${i}`,
      number: i % 7 === 0 ? null : `容错〔2026〕${i}号`,
      title: long(60, '事项'),
      statusLabel: '核查中',
      nextStep: long(80, '下一步'),
      action: { label: '查看', value: { a: 'case.open', caseId: `case_${i}` } as const },
    }));
    const full = caseListCard({ items });
    expectCardShape(full);
    expect(cardButtons(full)).toHaveLength(20);
    expect(json(full)).toContain('草稿（未编号）');
    expect(json(full)).toContain('共 120 件');
  });

  it('todo items are grouped, each with its button; nothing waiting is said plainly', () => {
    const empty = todoCard({ items: [] });
    expectCardShape(empty);
    expect(json(empty)).toContain('目前没有需要你处理的事项');
    const groups = ['待受理的申请', '待提交核查意见', '待表决', '纠错整改'];
    const items = Array.from({ length: 200 }, (_, i) => ({
      group: groups[i % groups.length] as string,
      text: `**容错〔2026〕${i}号**　${long(60, '事项')}\n${long(120)}`,
      action: { label: '打开', value: { a: 'case.open', caseId: `case_${i}` } as const },
    }));
    const full = todoCard({ items });
    expectCardShape(full);
    expect(cardButtons(full)).toHaveLength(25);
    for (const g of groups) expect(json(full)).toContain(g);
    expect(json(full)).toContain('另有 175 项未列出');
  });
});

describe('views', () => {
  it('times are shown in Asia/Shanghai whatever the server zone', () => {
    expect(shanghaiTime('2026-03-01T16:30:00.000Z')).toBe('2026-03-02 00:30');
  });

  it('the facts view names unanswered art. 10 conditions and the missing facts', () => {
    const v = factsView(maximalCase(), defaultPolicy, '张执法');
    expect(v.conditions.map((c) => c.answer)).toEqual(['是', '否', '未回答']);
    expect(v.unit).toBe('执法一科');
    expect(v.harms).toBe('未造成重大损失；未造成严重不良影响');
    expect(v.missingFacts).toEqual([]);
  });
});

describe('cards that replace a copy when its reader may no longer see the case', () => {
  it('carry no case content and no buttons, and stay small', () => {
    const c = maximalCase();
    for (const card of [
      applicationNoAccessCard('你已不再担任经办人，无权查看该申请。'),
      notPartyChatCard(),
      applicationGoneCard(),
    ]) {
      const json = JSON.stringify(card);
      expect(json).not.toContain(c.facts.title);
      expect(json).not.toContain(c.number ?? '—');
      expect(cardButtons(card)).toEqual([]);
      expect(card).toMatchObject({ schema: '2.0', header: { template: 'grey' } });
      expect(cardBytes(card)).toBeLessThan(CARD_MAX_BYTES);
    }
    expect(JSON.stringify(notPartyChatCard())).toContain('本群已不是党组群');
  });
});
