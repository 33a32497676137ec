import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import {
  CORRECTION_ACTIONS,
  completionAcceptedCard,
  completionFormCard,
  completionReturnedCard,
  completionReviewCard,
  correctionOrderCard,
  correctionReminderCard,
  evidenceAddedCard,
  extensionDecidedCard,
  extensionFormCard,
  extensionRequestCard,
  ITEMS_SHOWN_MAX,
  type OrderView,
  orderFormCard,
  orderSetCard,
  overdueEscalationCard,
  progressFormCard,
  progressReportedCard,
  submittedCard,
} from '../../cards/correction';
import { itemLines, orderItems, parseOrderForm, toOrderInput } from '../../src/bot/handlers/correction-forms';
import type { CorrectionExtension, CorrectionOrder } from '../../src/cases/types';
import { defaultPolicy as policy } from '../../src/policy';

const MAX = policy.limits.textMaxLength;
/** Three bytes a character in UTF-8, and markdown that must not take effect. */
const long = (n: number) => '*长_'.repeat(Math.ceil(n / 3)).slice(0, n);
const NUMBER = '容错〔2026〕999999号';
const TITLE = long(policy.limits.titleMaxLength);
const AT = '2026-03-10T01:00:00.000Z';

type Node = Record<string, unknown>;
function walk(n: unknown, visit: (x: Node) => void): void {
  if (Array.isArray(n)) for (const x of n) walk(x, visit);
  else if (n && typeof n === 'object') {
    visit(n as Node);
    for (const v of Object.values(n)) walk(v, visit);
  }
}

/** Card JSON 2.0 as Lark takes it; every button calls back with a known action; forms submit with names. */
function checkShape(c: object): object {
  const card = c as { schema: string; header: { title: { content: string } }; body: { elements: unknown[] } };
  expect(card.schema).toBe('2.0');
  expect(card.header.title.content.length).toBeGreaterThan(0);
  expect(Array.isArray(card.body.elements)).toBe(true);
  const known = new Set<string>(Object.values(CORRECTION_ACTIONS));
  walk(c, (x) => {
    if (x.tag === 'button') {
      const value = (x.behaviors as { value: { a: string } }[])[0]?.value;
      expect(value?.a === 'cmd' || known.has(value?.a ?? '')).toBe(true);
    }
    if (x.tag === 'form') {
      const names: string[] = [];
      walk(x.elements, (y) => {
        if (typeof y.name === 'string') names.push(y.name);
        if (y.tag === 'button') expect(y.form_action_type).toBe('submit');
      });
      expect(new Set(names).size).toBe(names.length);
    }
  });
  expect(cardBytes(c)).toBeLessThan(CARD_MAX_BYTES);
  return c;
}

const buttons = (c: object) => {
  const out: string[] = [];
  walk(c, (x) => {
    if (x.tag === 'button') out.push((x.text as { content: string }).content);
  });
  return out;
};

function extension(i: number, status: CorrectionExtension['status']): CorrectionExtension {
  return {
    id: `ext_${i}`,
    reason: long(MAX),
    newDeadline: '2026-05-10',
    requestedBy: 'ou_subject',
    requestedAt: AT,
    status,
    decidedBy: status === 'pending' ? null : 'ou_sec',
    decidedAt: status === 'pending' ? null : AT,
    refusalReason: status === 'refused' ? long(MAX) : null,
  };
}

/** Every text at the policy's limit, more items than a card shows, a long history. */
function maximalOrder(status: CorrectionOrder['status'] = 'open'): CorrectionOrder {
  return {
    reason: long(MAX),
    items: Array.from({ length: ITEMS_SHOWN_MAX + 5 }, (_, i) => ({
      kind: i % 2 ? 'suggestion' : 'requirement',
      text: long(MAX),
    })),
    responsible: { openId: 'ou_subject', unitId: 'enforcement_1' },
    deadline: '2026-04-10',
    improveRules: long(MAX),
    status,
    progress: Array.from({ length: 30 }, () => ({
      text: long(MAX),
      attachments: [],
      by: 'ou_subject',
      at: AT,
    })),
    completion:
      status === 'open'
        ? null
        : {
            text: long(MAX),
            evidence: Array.from({ length: 50 }, (_, i) => ({
              kind: 'file' as const,
              messageId: `om_${i}`,
              key: `file_${i}`,
              name: long(200),
            })),
            by: 'ou_subject',
            at: AT,
          },
    extensions: [...Array.from({ length: 10 }, (_, i) => extension(i, 'refused')), extension(10, 'pending')],
    returns: Array.from({ length: 10 }, () => ({ reason: long(MAX), by: 'ou_sec', at: AT })),
    acceptedBy: null,
    acceptedAt: null,
    remindedOn: [],
    lastOverdueReminderOn: null,
    escalatedAt: null,
    setBy: 'ou_sec',
    setAt: AT,
  };
}

const view = (order: CorrectionOrder, acknowledgedAt: string | null = null, canExtend = true): OrderView => ({
  policy,
  caseId: 'case-1',
  number: NUMBER,
  title: TITLE,
  order,
  responsibleName: long(40),
  unitName: '执法一科',
  acknowledgedAt,
  canExtend,
});

describe('correction cards', () => {
  it('the order form: every field, pre-filled, and under 30 KB with maximal typed values and a long roster', () => {
    const c = checkShape(
      orderFormCard({
        policy,
        caseId: 'case-1',
        number: NUMBER,
        title: TITLE,
        people: Array.from({ length: 80 }, (_, i) => ({ openId: `ou_person_${i}`, name: long(20) })),
        values: {
          reason: long(MAX),
          requirements: long(1000),
          suggestions: long(1000),
          responsible: 'ou_person_3',
          unitId: 'enforcement_1',
          deadline: '2026-04-10',
          improveRules: long(MAX),
        },
        error: long(300),
      }),
    );
    const names: string[] = [];
    walk(c, (x) => {
      if (typeof x.name === 'string') names.push(x.name);
    });
    expect(names).toEqual([
      'correction_order',
      'reason',
      'requirements',
      'suggestions',
      'responsible',
      'unit',
      'deadline',
      'improve',
      'order_submit',
    ]);
    const s = JSON.stringify(c);
    expect(s).toContain('"initial_date":"2026-04-10"');
    expect(s).toContain('"initial_option":"ou_person_3"');
    expect(s).toContain('第十五条');
    expect(buttons(c)).toEqual(['下达纠错通知']);
  });

  it('the order for the responsible person: receipt, then progress / completion / extension until the deadline', () => {
    const open = checkShape(correctionOrderCard(view(maximalOrder()), '2026-04-01'));
    expect(buttons(open)).toEqual(['确认收到', '报告进展', '报告完成', '申请延期']);
    const s = JSON.stringify(open);
    expect(s).toContain(`另有 5 项未列出`);
    expect(s).toContain('【纠错要求】');
    expect(s).toContain('【纠错建议】');
    expect(s).toContain('完善制度、健全机制');
    expect(s).toContain('第十六条');
    const markdown: string[] = [];
    walk(open, (x) => {
      if (x.tag === 'markdown') markdown.push(String(x.content));
    });
    expect(markdown.join('')).not.toContain('*长_'); // typed markdown shows as typed
    expect(markdown.join('')).toContain('&#42;长&#95;');
    expect(buttons(correctionOrderCard(view(maximalOrder(), '2026-03-11 09:00'), '2026-04-01'))).toEqual([
      '报告进展',
      '报告完成',
      '申请延期',
    ]);
    // Past the deadline the core's extensionCheck refuses, so 申请延期 is not offered.
    const late = correctionOrderCard(view(maximalOrder(), '2026-03-11 09:00', false), '2026-04-11');
    expect(buttons(late)).toEqual(['报告进展', '报告完成']);
    expect((late as { header: { template: string } }).header.template).toBe('red');
    expect(buttons(checkShape(correctionOrderCard(view(maximalOrder('completed')), '2026-04-01')))).toEqual(
      [],
    );
    expect(JSON.stringify(correctionOrderCard(view(maximalOrder('accepted')), '2026-04-01'))).toContain(
      '整改已验收通过',
    );
    checkShape(orderSetCard(view(maximalOrder())));
  });

  it("the responsible person's forms keep what was typed and stay small", () => {
    const head = {
      policy,
      caseId: 'case-1',
      number: NUMBER,
      title: TITLE,
      deadline: '2026-04-10',
      error: long(300),
    };
    expect(buttons(checkShape(progressFormCard({ ...head, text: long(MAX) })))).toEqual(['提交进展']);
    const completion = checkShape(
      completionFormCard({
        ...head,
        text: long(MAX),
        evidence: Array.from({ length: 100 }, () => long(200)),
      }),
    );
    expect(buttons(completion)).toEqual(['提交完成报告']);
    expect(JSON.stringify(completion)).toContain('本对话中发送');
    const ext = checkShape(extensionFormCard({ ...head, reason: long(MAX), newDeadline: '2026-05-01' }));
    expect(JSON.stringify(ext)).toContain('"initial_date":"2026-05-01"');
    checkShape(evidenceAddedCard({ caseId: 'case-1', number: NUMBER, name: long(300), count: 99 }));
    checkShape(
      submittedCard({ title: '整改完成报告已提交', number: NUMBER, caseTitle: TITLE, lines: [long(1500)] }),
    );
  });

  it("the secretary's decisions: approve / refuse with a reason, accept / send back", () => {
    const pending = checkShape(
      extensionRequestCard({
        caseId: 'case-1',
        number: NUMBER,
        title: TITLE,
        responsibleName: long(40),
        deadline: '2026-04-10',
        ext: extension(1, 'pending'),
        requestedAt: '2026-04-01 09:00',
        error: long(300),
      }),
    );
    expect(buttons(pending)).toEqual(['批准', '不批准']);
    const refused = checkShape(
      extensionRequestCard({
        caseId: 'case-1',
        number: NUMBER,
        title: TITLE,
        responsibleName: long(40),
        deadline: '2026-04-10',
        ext: extension(1, 'refused'),
        requestedAt: '2026-04-01 09:00',
        decidedBy: '李书记',
        decidedAt: '2026-04-02 10:00',
      }),
    );
    expect(buttons(refused)).toEqual([]);
    expect(JSON.stringify(refused)).toContain('不予批准');

    const order = maximalOrder('completed');
    const review = {
      caseId: 'case-1',
      number: NUMBER,
      title: TITLE,
      responsibleName: long(40),
      order,
      policy,
      unitName: '执法一科',
      reportedAt: '2026-04-09 15:00',
      completion: { text: long(MAX), evidence: order.completion!.evidence.map((e) => e.name) },
    };
    expect(buttons(checkShape(completionReviewCard({ ...review, error: long(300) })))).toEqual([
      '验收通过',
      '退回整改',
    ]);
    const back = checkShape(
      completionReviewCard({
        ...review,
        decided: { accepted: false, by: '李书记', at: '2026-04-10 09:00', reason: long(500) },
      }),
    );
    expect(buttons(back)).toEqual([]);
    expect(JSON.stringify(back)).toContain('退回整改');
    checkShape(
      progressReportedCard({
        caseId: 'case-1',
        number: NUMBER,
        title: TITLE,
        responsibleName: long(40),
        text: long(MAX),
        at: '2026-04-01 09:00',
        deadline: '2026-04-10',
      }),
    );
  });

  it('what the responsible person and the party group are told', () => {
    const head = { caseId: 'case-1', number: NUMBER, title: TITLE };
    const approved = checkShape(
      extensionDecidedCard({ ...head, approved: true, deadline: '2026-05-10', reason: '', canExtend: true }),
    );
    expect(JSON.stringify(approved)).toContain('新的整改期限**：2026-05-10');
    checkShape(
      extensionDecidedCard({
        ...head,
        approved: false,
        deadline: '2026-04-10',
        reason: long(MAX),
        canExtend: false,
      }),
    );
    expect(
      buttons(
        checkShape(
          completionReturnedCard({ ...head, reason: long(MAX), deadline: '2026-04-10', canExtend: true }),
        ),
      ),
    ).toEqual(['报告进展', '报告完成', '申请延期']);
    checkShape(completionAcceptedCard({ number: NUMBER, title: TITLE }));
    const before = checkShape(
      correctionReminderCard({
        ...head,
        reason: long(MAX),
        deadline: '2026-04-10',
        daysLeft: 3,
        canExtend: true,
      }),
    );
    expect(JSON.stringify(before)).toContain('距整改期限还有 3 天');
    expect(buttons(before)).toContain('申请延期');
    const today = correctionReminderCard({
      ...head,
      reason: 'r',
      deadline: '2026-04-10',
      daysLeft: 0,
      canExtend: true,
    });
    expect(JSON.stringify(today)).toContain('今天是整改期限');
    const overdue = checkShape(
      correctionReminderCard({
        ...head,
        reason: long(MAX),
        deadline: '2026-04-10',
        daysOverdue: 12,
        canExtend: false,
      }),
    );
    expect(JSON.stringify(overdue)).toContain('已超过整改期限 12 天');
    expect(buttons(overdue)).toEqual(['报告进展', '报告完成']);
    const escalation = checkShape(
      overdueEscalationCard({
        number: NUMBER,
        title: TITLE,
        deadline: '2026-04-10',
        daysOverdue: 2,
        responsibleName: long(40),
        unitName: '执法一科',
      }),
    );
    expect(JSON.stringify(escalation)).toContain('第十七条');
  });
});

describe('reading the order form', () => {
  it('one 纠错事项 per line, list numbering dropped, requirements before suggestions', () => {
    expect(itemLines('1. 补办手续\n2、书面说明\n\n（三）归档\n① 复核\n- 培训\n  ')).toEqual([
      '补办手续',
      '书面说明',
      '归档',
      '复核',
      '培训',
    ]);
    const values = parseOrderForm(
      {
        reason: '事由',
        requirements: '补办手续\n书面说明',
        suggestions: '组织学习',
        responsible: 'ou_subject',
        unit: 'none',
        deadline: '2026-04-10 +0800',
        improve: '完善制度',
      },
      policy,
    );
    expect(values).toMatchObject({ unitId: null, deadline: '2026-04-10' });
    expect(orderItems(values).map((i) => i.kind)).toEqual(['requirement', 'requirement', 'suggestion']);
    expect(toOrderInput(values)).toMatchObject({ responsible: { openId: 'ou_subject', unitId: null } });
    expect(toOrderInput({ ...values, deadline: '' })).toBe('请选择「整改期限」。');
    expect(parseOrderForm({ unit: 'nowhere' }, policy).unitId).toBeNull();
    const many = {
      ...values,
      requirements: Array.from({ length: ITEMS_SHOWN_MAX + 1 }, (_, i) => `事项${i}`).join('\n'),
    };
    expect(toOrderInput(many)).toMatch(/最多 20 项/);
  });
});
