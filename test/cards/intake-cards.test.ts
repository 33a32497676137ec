import { describe, expect, it } from 'vitest';
import { CARD_MAX_BYTES, cardBytes } from '../../cards/common';
import { intakeEvidenceCard } from '../../cards/intake/evidence';
import { ALL_STEPS, type FormStep, isFormStep, STEP_FIELDS } from '../../cards/intake/model';
import {
  confirmCancelCard,
  draftSavedCard,
  factsCompletedCard,
  fileWithoutDraftCard,
  gotoDirectChatCard,
  intakeCancelledCard,
  intakeSubmittedCard,
  organisationOpenedAckCard,
  organisationUsageCard,
} from '../../cards/intake/notes';
import { intakeStepCard } from '../../cards/intake/step';
import { intakeSummaryCard } from '../../cards/intake/summary';
import { currentStage, progressLine, trackerCard } from '../../cards/tracker';
import { createDraft, missingFacts } from '../../src/cases';
import type { Attachment, Case, CaseFacts } from '../../src/cases/types';
import { assess, defaultPolicy as policy } from '../../src/policy';
import { env } from '../cases/fixtures';

const nasty = '<font color="red">*粗*</font> _x_ ~~y~~ `z` [链接](http://a) &amp;';
const long = (n: number) => `${nasty}${'事'.repeat(n)}`.slice(0, n);

function evidence(n: number): Attachment[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: i % 2 ? 'image' : 'file',
    messageId: `om_${'m'.repeat(30)}${i}`,
    key: `file_v3_${'k'.repeat(40)}${i}`,
    name: `${'现场检查笔录'.repeat(20)}${i}.pdf`,
  }));
}

const maxFacts: CaseFacts = {
  title: long(policy.limits.titleMaxLength),
  occurredOn: '2026-02-20',
  stage: 'inspection',
  unitId: 'enforcement_1',
  story: long(policy.limits.textMaxLength),
  lossAndImpact: long(policy.limits.textMaxLength),
  majorLoss: false,
  seriousImpact: false,
  remedies: long(policy.limits.textMaxLength),
  items: policy.items.map((i) => i.id),
  conditions: { '10.c1': true, '10.c2': false, '10.c3': true },
  evidence: evidence(200),
  errorCategory: null,
  enforcementArea: null,
};

function draft(facts: CaseFacts = maxFacts): Case {
  const d = createDraft(
    { type: 'create_draft', caseId: 'case_max', subjectName: '张执法' },
    { openId: 'ou_s', roles: [] },
    env,
  );
  if (!d.ok) throw new Error(d.reason);
  return { ...d.state, facts };
}

const ref = { caseId: 'case_max', number: '容错〔2026〕123456号', origin: 'individual' as const };

/** Checks the card JSON 2.0 envelope and every callback value; returns all nodes for further checks. */
function checkShape(c: unknown): Record<string, unknown>[] {
  const card = c as Record<string, any>;
  expect(card.schema).toBe('2.0');
  expect(card.header.title.tag).toBe('plain_text');
  expect(card.header.title.content).toMatch(/[\u4e00-\u9fff]/);
  expect(Array.isArray(card.body.elements)).toBe(true);
  const nodes: Record<string, unknown>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      nodes.push(n as Record<string, unknown>);
      for (const v of Object.values(n)) walk(v);
    }
  };
  walk(card.body);
  for (const b of nodes.filter((n) => n.tag === 'button')) {
    const value = (b.behaviors as { type: string; value: Record<string, unknown> }[])[0]!.value;
    expect(typeof value.a).toBe('string');
    expect((b.text as { content: string }).content).toMatch(/[\u4e00-\u9fff]/);
  }
  expect(cardBytes(card)).toBeLessThan(CARD_MAX_BYTES);
  return nodes;
}

function formOf(c: unknown): Record<string, any> {
  const nodes = checkShape(c);
  const form = nodes.find((n) => n.tag === 'form') as Record<string, any> | undefined;
  expect(form).toBeDefined();
  return form!;
}

function namedIn(form: Record<string, any>): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const walk = (n: unknown) => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (n && typeof n === 'object') {
      const o = n as Record<string, any>;
      if (typeof o.name === 'string') out.push(o);
      for (const v of Object.values(o)) walk(v);
    }
  };
  walk(form.elements);
  return out;
}

describe('intake step cards', () => {
  const formSteps = ALL_STEPS.filter(isFormStep) as FormStep[];

  it.each(formSteps)(
    '%s: a form with its fields, unique names and the four moves as submit buttons',
    (step) => {
      const card = intakeStepCard({
        ...ref,
        step,
        position: { index: 1, total: 8 },
        facts: maxFacts,
        typed: {},
        errors: ['「事项名称」不能超过 60 个字。', '请选择「执法环节」。'],
        banner: nasty,
        policy,
        today: '2026-03-02',
      });
      const form = formOf(card);
      const named = namedIn(form);
      const names = named.map((n) => n.name);
      expect(new Set(names).size).toBe(names.length);
      for (const f of STEP_FIELDS[step]) expect(names).toContain(f);
      const submits = named.filter((n) => n.tag === 'button');
      expect(submits.map((b) => b.text.content)).toEqual(['下一步', '上一步', '修改', '保存草稿']);
      for (const b of submits) {
        expect(b.form_action_type).toBe('submit');
        expect(b.behaviors[0].value).toMatchObject({ a: 'intake.step', case: 'case_max', step });
      }
      // The cancel button sits outside the form and asks for confirmation.
      const text = JSON.stringify(card);
      expect(text).toContain('取消申请');
      expect(JSON.stringify(form)).not.toContain('intake.cancel');
      // Errors are shown, and user text cannot inject markup.
      expect(text).toContain('请选择「执法环节」');
      const markdown = checkShape(card)
        .filter((n) => n.tag === 'markdown')
        .map((n) => n.content as string)
        .join('\n');
      expect(markdown).toContain('&#60;font color="red"&#62;&#42;粗&#42;');
      expect(markdown).not.toContain('<font color="red">');
    },
  );

  it('the first step has no 上一步; typed values win over saved facts as initial values', () => {
    const card = intakeStepCard({
      ...ref,
      step: 'basics',
      position: { index: 0, total: 8 },
      facts: { ...maxFacts, title: '旧名称', unitId: 'general' },
      typed: { title: '新的名称', occurredOn: '2099-01-01 +0800', unitId: 'enforcement_2' },
      errors: [],
      policy,
      today: '2026-03-02',
    });
    const named = namedIn(formOf(card));
    const by = Object.fromEntries(named.map((n) => [n.name, n]));
    expect(by.back).toBeUndefined();
    expect(by.title.default_value).toBe('新的名称');
    expect(by.occurredOn).toMatchObject({ tag: 'date_picker', initial_date: '2099-01-01' });
    expect(by.unitId).toMatchObject({ tag: 'select_static', initial_option: 'enforcement_2' });
    expect(by.stage.initial_option).toBe('inspection');
    expect(by.stage.options).toHaveLength(policy.enforcementStages.length);
  });

  it('text longer than an input holds is shown, not put back into the box', () => {
    // Saved before the limit followed the input's 1000 characters.
    const card = intakeStepCard({
      ...ref,
      step: 'story',
      position: { index: 1, total: 8 },
      facts: { ...maxFacts, story: long(2000) },
      typed: {},
      errors: [],
      policy,
      today: '2026-03-02',
    });
    const story = namedIn(formOf(card)).find((n) => n.name === 'story')!;
    expect(story.default_value).toBeUndefined();
    expect(JSON.stringify(card)).toContain('已保存的内容（2000 字）');
  });

  it('situations are grouped by article with every hint and a multi-select per article', () => {
    const card = intakeStepCard({
      ...ref,
      step: 'items',
      position: { index: 4, total: 8 },
      facts: maxFacts,
      typed: {},
      errors: [],
      policy,
      today: '2026-03-02',
    });
    const named = namedIn(formOf(card));
    const selects = named.filter((n) => n.tag === 'multi_select_static');
    expect(selects.map((s) => s.name)).toEqual(['items9', 'items10', 'items11', 'items12']);
    const all = selects.flatMap((s) => s.options.map((o: { value: string }) => o.value));
    expect(all).toEqual(policy.items.map((i) => i.id));
    expect(selects[1]!.selected_values).toEqual(
      policy.items.filter((i) => i.article === 10).map((i) => i.id),
    );
    const text = JSON.stringify(card);
    for (const a of policy.articles) expect(text).toContain(a.citation);
  });

  it('the conditions step infers 10.c2 from the loss answers until the user says otherwise', () => {
    const facts = { ...maxFacts, conditions: {} };
    const named = namedIn(
      formOf(
        intakeStepCard({
          ...ref,
          step: 'conditions',
          position: { index: 5, total: 8 },
          facts,
          typed: {},
          errors: [],
          policy,
          today: '2026-03-02',
        }),
      ),
    );
    const by = Object.fromEntries(named.map((n) => [n.name, n]));
    expect(by.c1.initial_option).toBeUndefined();
    expect(by.c2.initial_option).toBe('yes');
  });

  it('evidence card lists attachments with remove buttons and stays small with 200 of them', () => {
    const card = intakeEvidenceCard({
      ...ref,
      position: { index: 6, total: 8 },
      evidence: evidence(200),
      banner: nasty,
    });
    const nodes = checkShape(card);
    const removes = nodes.filter(
      (n) =>
        n.tag === 'button' && (n.behaviors as { value: { a: string } }[])[0]!.value.a === 'intake.remove',
    );
    expect(removes.length).toBe(30);
    expect(JSON.stringify(card)).toContain('另有 170 份未列出');
  });

  it('summary shows every section with 修改, the assessment with citations and what is missing', () => {
    const c = draft();
    const card = intakeSummaryCard({
      ...ref,
      facts: c.facts,
      policy,
      assessment: assess({ items: c.facts.items, conditions: c.facts.conditions }, policy),
      missing: missingFacts(c.facts, policy),
      errors: ['还有内容没有填写：补救措施。'],
    });
    const nodes = checkShape(card);
    const gotos = nodes
      .filter((n) => n.tag === 'button')
      .map((n) => (n.behaviors as { value: Record<string, unknown> }[])[0]!.value)
      .filter((v) => v.a === 'intake.goto')
      .map((v) => v.step);
    expect(gotos).toEqual(['basics', 'story', 'loss', 'remedies', 'items', 'conditions', 'evidence']);
    const text = JSON.stringify(card);
    expect(text).toContain('建议不予容错'); // art. 12 chosen among all items
    expect(text).toContain('第十二条');
    expect(text).toContain('提交申请');
    expect(text).toContain('等 200 份');
  });

  it('an organisation-opened case finishes with 完成补充 instead of 提交申请', () => {
    const c = draft({ ...maxFacts, items: ['9.1'], evidence: [] });
    const card = intakeSummaryCard({
      ...ref,
      origin: 'organisation',
      facts: c.facts,
      policy,
      assessment: assess({ items: c.facts.items, conditions: {} }, policy),
      missing: [],
    });
    checkShape(card);
    const text = JSON.stringify(card);
    expect(text).toContain('完成补充');
    expect(text).not.toContain('提交申请');
    expect(text).not.toContain('"conditions"');
    expect(text).toContain('退出填写');
  });

  it('the short cards are well formed', () => {
    for (const c of [
      draftSavedCard({ caseId: 'x', title: nasty, individual: true }),
      intakeCancelledCard({ individual: true, caseId: 'x' }),
      intakeCancelledCard({ individual: false, caseId: 'x' }),
      confirmCancelCard({ caseId: 'x', individual: true }),
      intakeSubmittedCard({ number: '容错〔2026〕1号', title: nasty }),
      factsCompletedCard({ number: '容错〔2026〕1号', title: nasty }),
      fileWithoutDraftCard(),
      gotoDirectChatCard(),
      organisationOpenedAckCard({ number: '容错〔2026〕2号', subjectName: '刘执法' }),
      organisationUsageCard('没有找到要启动认定的当事人。'),
    ])
      checkShape(c);
  });
});

describe('tracker card', () => {
  const base = draft({ ...maxFacts, evidence: [] });

  it('shows number, status, the progress line, next step and its holder', () => {
    const c: Case = { ...base, status: 'submitted', number: '容错〔2026〕1号' };
    const card = trackerCard({ c, policy });
    checkShape(card);
    const text = JSON.stringify(card);
    expect(text).toContain('容错〔2026〕1号');
    expect(text).toContain('已提交');
    expect(text).toContain('✔提交 → **▶受理**');
    expect(text).toContain('经办人 / 党组书记');
  });

  it.each([
    ['draft', '草稿', 'grey', 'neutral'],
    ['investigating', '核查中', 'wathet', 'wathet'],
    ['correcting', '纠错中', 'orange', 'orange'],
    ['withdrawn', '已撤回', 'grey', 'neutral'],
  ] as const)('%s: header %s in %s, its tag coloured %s', (status, label, template, tag) => {
    const card = trackerCard({ c: { ...base, status }, policy });
    expect(card.header.template).toBe(template);
    expect(card.header.text_tag_list).toEqual([
      { tag: 'text_tag', text: { tag: 'plain_text', content: label }, color: tag },
    ]);
    expect(card.config.summary.content).toContain(`：${label}，`);
  });

  it.each([
    ['draft', 0],
    ['submitted', 1],
    ['investigating', 2],
    ['deliberating', 3],
    ['decided', 5],
    ['correcting', 6],
    ['closed', 8],
  ] as const)('%s is at stage %i', (status, stage) => {
    const c: Case = { ...base, status };
    expect(currentStage(c)).toBe(stage);
    const line = progressLine(c);
    expect(line.split(' → ')).toHaveLength(8);
    expect((line.match(/✔/g) ?? []).length).toBe(stage);
  });

  it('an organisation-opened case with facts missing asks the subject for them, with 补充事实', () => {
    const c: Case = {
      ...base,
      origin: 'organisation',
      status: 'investigating',
      number: '容错〔2026〕2号',
      decisionDueOn: '2026-03-23',
      facts: { ...base.facts, story: '' },
    };
    const text = JSON.stringify(checkShape(trackerCard({ c, policy })));
    expect(text).toContain('补充事实');
    expect(text).toContain('你（当事人）');
    expect(text).toContain('认定期限');
    expect(text).toContain('2026-03-23');
  });

  it('stays under 30 KB with a determination, a correction order and a long return reason', () => {
    const c: Case = {
      ...base,
      status: 'correcting',
      number: '容错〔2026〕999999号',
      returnReason: long(policy.limits.textMaxLength),
      decisionDueOn: '2026-03-23',
      determination: {
        outcome: 'exempt',
        basis: 'tolerance',
        citedItems: policy.items.map((i) => i.id),
        factors: {},
        reasons: long(2000),
        notErrorRecord: true,
        statement: policy.statements.notAnError.text,
        publication: { scope: 'party', chatId: null },
        correctionRequired: true,
        round: 1,
        issuedBy: 'ou_sec',
        issuedAt: '2026-03-10T01:00:00.000Z',
      },
      correction: {
        reason: long(2000),
        items: [],
        responsible: { openId: base.subjectOpenId, unitId: null },
        deadline: '2026-04-10',
        improveRules: '',
        status: 'open',
        progress: [],
        completion: null,
        extensions: [
          {
            id: 'e1',
            reason: 'r',
            newDeadline: '2026-05-10',
            requestedBy: base.subjectOpenId,
            requestedAt: '2026-04-01T01:00:00.000Z',
            status: 'pending',
            decidedBy: null,
            decidedAt: null,
            refusalReason: null,
          },
        ],
        returns: [],
        acceptedBy: null,
        acceptedAt: null,
        remindedOn: [],
        lastOverdueReminderOn: null,
        escalatedAt: null,
        setBy: 'ou_sec',
        setAt: '2026-03-10T01:00:00.000Z',
      },
    };
    const text = JSON.stringify(checkShape(trackerCard({ c, policy })));
    expect(text).toContain('纠错期限');
    expect(text).toContain('已申请延期至 2026-05-10');
    expect(text).toContain('你（责任人）');
    expect(text).toContain('第十四条');
  });
});
