// 第十条: 容错免责 only with a 第十条 item AND all three conditions of 第十条第二款; without them, 从轻/减轻.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allConditionsMet, basisFromFindings, outcomeAllowed } from '../../src/cases/determination';
import { defaultPolicy as policy } from '../../src/policy';
import { ok } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  fieldOf,
  findingsForm,
  issue,
  orderFields,
  refusedWith,
  startWorld,
  text,
  type World,
} from './support';

const PARA2 = clause('具有上述情形之一同时符合下列条件的，可以免除相关执法机构及执法人员的责任');
const C1 = clause('法律没有明令禁止的');
const C2 = clause('没有造成重大损失和严重不良影响的');
const C3 = clause('积极主动消除不良影响、挽回损失的');
const LEAD = clause('符合下列情形之一的，应当从轻、减轻处理或者予以免责');

const met = { '10.c1': true, '10.c2': true, '10.c3': true } as const;
const notMet = { '10.c1': true, '10.c2': false, '10.c3': true } as const;

describe(`第十条第二款「${PARA2}」：${C1} ${C2} ${C3}`, () => {
  it('免责 on a 第十条 item with all three conditions met is 容错免责 and not an enforcement error', () => {
    const d = ok(issue(carriedOn({ items: ['10.4'], conditions: met }, 'exempt')));
    expect(d.state.determination).toMatchObject({ basis: 'tolerance', notErrorRecord: true });
    expect(d.state.determination?.legalBasis).toMatchObject({ conditions: met, departureReason: null });
  });

  it('免责 on a 第十条 item is refused when the findings record a condition not met, naming 第十条第二款', () => {
    const c = carriedOn({ items: ['10.4'], conditions: notMet }, 'exempt');
    refusedWith(issue(c), /第十条第二款.*没有造成重大损失和严重不良影响的/);
    expect(c.status).toBe('deliberating');
  });

  it('each condition counts: any one missing refuses 免责', () => {
    for (const missing of ['10.c1', '10.c2', '10.c3'] as const) {
      const conditions = { ...met, [missing]: false };
      const c = carriedOn({ items: ['10.4'], conditions }, 'exempt');
      refusedWith(issue(c), /第十条第二款/);
      expect(allConditionsMet(basisFromFindings(c, policy))).toBe(false);
    }
  });

  it('the secretary may state the conditions otherwise only with a reason, which the determination records', () => {
    const c = carriedOn({ items: ['10.4'], conditions: notMet }, 'exempt');
    const restated = { conditions: met };
    refusedWith(issue(c, { basis: restated }), /与核查意见不同，请说明理由/);
    const d = ok(
      issue(c, { basis: { ...restated, reason: '复核查明当事单位停工损失已由保险赔付，不属重大损失。' } }),
    );
    expect(d.state.determination?.legalBasis).toMatchObject({
      conditions: met,
      departureReason: '复核查明当事单位停工损失已由保险赔付，不属重大损失。',
    });
    expect(d.state.determination?.basis).toBe('tolerance');
  });
});

describe(`第十条「${LEAD}」：without all three conditions, 从轻 or 减轻`, () => {
  it('从轻 and 减轻 on a 第十条 item without all three conditions are issued, and are enforcement errors', () => {
    for (const o of ['lighter', 'mitigate'] as const) {
      const d = ok(issue(carriedOn({ items: ['10.4'], conditions: notMet }, o), { outcome: o }));
      expect(d.state.determination).toMatchObject({ outcome: o, basis: null, notErrorRecord: false });
    }
  });

  it('从轻 on a 第十条 item meeting all three conditions (and no 第十一条 item) is refused, naming the article', () => {
    refusedWith(
      issue(carriedOn({ items: ['10.4'], conditions: met }, 'lighter'), { outcome: 'lighter' }),
      /第十一条.*第十条第二款三项条件/,
    );
  });

  it('the rule is one function the vote card reads too', () => {
    const b = { conditions: notMet, article12: false };
    expect(outcomeAllowed('exempt', ['10.4'], b, policy).ok).toBe(false);
    expect(outcomeAllowed('mitigate', ['10.4'], b, policy)).toEqual({ ok: true, basis: null });
  });
});

describe('第十条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${PARA2}」: a carried 免责 without 「${C2}」 is refused on the issue form; stated otherwise with a reason, it is issued and the vote card shows the reason`, async () => {
    const { h, getCase, issueOn } = w;
    const form = findingsForm({ items: ['10.4'], conditions: [true, false, true], outcome: 'lighter' });
    const { id, cardId, issueForm } = await w.carried(form, '免责');
    // The vote card told the members what the findings allow.
    expect(text(h.emu.message(cardId))).toContain('依核查意见可以签发的认定');
    expect(text(h.emu.message(cardId))).not.toContain('「免责（容错免责）」');
    // The issue form carries the three conditions pre-filled from the findings.
    expect(fieldOf(issueForm.content, 'cond_1')?.initial_option).toBe('yes');
    expect(fieldOf(issueForm.content, 'cond_2')?.initial_option).toBe('no');
    expect(fieldOf(issueForm.content, 'art12')?.initial_option).toBe('no');

    const refused = await issueOn(issueForm, { outcome: 'exempt', cited: ['10.4'], ...orderFields() });
    expect(refused.toast?.type).toBe('error');
    expect(refused.toast?.content).toContain('第十条第二款');
    expect(JSON.stringify(refused.card)).toContain('未能签发');
    expect((await getCase(id)).determination).toBeNull();

    const noReason = await issueOn(issueForm, {
      outcome: 'exempt',
      cited: ['10.4'],
      cond_2: 'yes',
      ...orderFields(),
    });
    expect(noReason.toast?.content).toContain('请说明理由');
    expect((await getCase(id)).determination).toBeNull();

    const reason = '复核查明损失已全部挽回，不属重大损失。';
    const issued = await issueOn(issueForm, {
      outcome: 'exempt',
      cited: ['10.4'],
      cond_2: 'yes',
      basis_reason: reason,
      ...orderFields(),
    });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    await h.settle();
    const c = await getCase(id);
    expect(c.determination).toMatchObject({ basis: 'tolerance', legalBasis: { departureReason: reason } });
    // The deliberation record — the vote card in the party chat — shows the basis and the reason.
    const record = text(h.emu.message(cardId));
    expect(record).toContain('认定结论已签发（容错免责）');
    expect(record).toContain(`与核查意见不同的理由**：${reason}`);
  });
});
