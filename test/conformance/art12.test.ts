// 第十二条: where it applies, only 不予容错 — whatever carried, whatever is cited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideCase } from '../../src/cases';
import { issuableOutcomes } from '../../src/cases/determination';
import { defaultPolicy as policy } from '../../src/policy';
import { env, ok, secretary } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  fieldOf,
  findingsForm,
  issue,
  noOrder,
  orderFields,
  refusedWith,
  SEC,
  startWorld,
  text,
  type World,
} from './support';

const ART12 = clause(
  '执法人员履行职责过程中，滥用法定职权、不履行法定职责，致使公民、法人和其他组织的合法权益受到损害，造成不良后果的，不予容错',
);
const met = { '10.c1': true, '10.c2': true, '10.c3': true } as const;

describe(`第十二条「${ART12}」`, () => {
  it('with 第十二条 in the findings, 免责 is refused even when the secretary leaves 12 out of the citations', () => {
    const c = carriedOn({ items: ['10.4', '12'], conditions: met }, 'exempt');
    refusedWith(issue(c, { citedItems: ['10.4'] }), /第十二条.*只能作出「不予容错」/);
  });

  it('从轻 and 减轻 are refused too: only 不予容错 can be issued, whatever carried', () => {
    for (const o of ['lighter', 'mitigate'] as const) {
      const c = carriedOn({ items: ['11.1', '12'], conditions: {} }, o);
      refusedWith(issue(c, { outcome: o, citedItems: ['11.1'], ...noOrder }), /第十二条/);
    }
    const refused = carriedOn({ items: ['10.4', '12'], conditions: met }, 'refuse');
    const d = ok(issue(refused, { outcome: 'refuse', citedItems: ['12'], ...noOrder }));
    expect(d.state.determination).toMatchObject({ outcome: 'refuse', notErrorRecord: false });
    expect(d.state.determination?.legalBasis?.article12).toBe(true);
  });

  it('stating that 第十二条 does not apply, against the findings, needs a reason', () => {
    const c = carriedOn({ items: ['10.4', '12'], conditions: met }, 'exempt');
    refusedWith(issue(c, { citedItems: ['10.4'], basis: { article12: false } }), /请说明理由/);
    const d = ok(
      issue(c, { citedItems: ['10.4'], basis: { article12: false, reason: '复核查明未损害合法权益。' } }),
    );
    expect(d.state.determination?.legalBasis).toMatchObject({
      article12: false,
      departureReason: '复核查明未损害合法权益。',
    });
  });

  it('stating that 第十二条 applies, against the findings, refuses 免责', () => {
    const c = carriedOn({ items: ['10.4'], conditions: met }, 'exempt');
    refusedWith(issue(c, { basis: { article12: true, reason: '党组认为属滥用职权。' } }), /第十二条/);
  });

  it('a carried 免责 that 第十二条 forbids may be put to a new vote; a carried 不予容错 may not', () => {
    const c = carriedOn({ items: ['10.4', '12'], conditions: met }, 'exempt');
    const again = ok(decideCase(c, { type: 'reopen_vote' }, secretary, env));
    expect(again.state.deliberation).toMatchObject({ round: 2, status: 'open' });
    const refused = carriedOn({ items: ['10.4', '12'], conditions: met }, 'refuse');
    refusedWith(decideCase(refused, { type: 'reopen_vote' }, secretary, env), /不能重新表决/);
  });

  it('what the vote card offers under 第十二条 is 不予容错 alone', () => {
    const b = { conditions: met, article12: true };
    expect(issuableOutcomes(['10.4', '12'], b, policy).map((o) => o.outcome)).toEqual(['refuse']);
  });
});

describe('第十二条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${ART12}」: the vote card says only 不予容错 can be issued; 免责 without 12 cited is refused`, async () => {
    const { h, getCase, issueOn } = w;
    const { id, cardId, issueForm } = await w.carried(
      findingsForm({ items: ['10.4', '12'], outcome: 'refuse' }),
      '免责',
    );
    const vote = text(h.emu.message(cardId));
    expect(vote).toContain('适用第十二条，只能不予容错');
    expect(vote).toContain('依核查意见可以签发的认定**：「不予容错」');
    expect(fieldOf(issueForm.content, 'art12')?.initial_option).toBe('yes');
    const refused = await issueOn(issueForm, { outcome: 'exempt', cited: ['10.4'], ...orderFields() });
    expect(refused.toast?.content).toContain('第十二条');
    expect(JSON.stringify(refused.card)).toContain('未能签发');
    const c = await getCase(id);
    expect(c.determination).toBeNull();
    expect(c.status).toBe('deliberating');
    // What carried cannot be issued: the secretary may put it to the party group again.
    expect(h.emu.buttons(cardId).map((b) => b.text)).toEqual(['签发认定结论', '重新表决']);
    const again = await h.emu.clickButton(SEC.openId, cardId, '重新表决');
    expect(again.toast).toEqual({ type: 'success', content: '已发起第 2 轮表决' });
    await h.settle();
    expect((await getCase(id)).deliberation).toMatchObject({ round: 2, status: 'open' });
  });
});
