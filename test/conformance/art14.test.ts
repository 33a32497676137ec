// 第十四条: which outcomes 「不作为执法错误认定」 is a policy setting (default: 免责); statistics follow it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseKind, statsFigures } from '../../src/jobs/analysis';
import { defaultPolicy, mergePolicy } from '../../src/policy';
import { envAt, ok } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  findingsForm,
  issue,
  noOrder,
  orderFields,
  PM,
  startWorld,
  text,
  type World,
} from './support';

const ART14 = clause('经研究决定，对执法人员予以容错的，不作为执法错误认定');
const met = { '10.c1': true, '10.c2': true, '10.c3': true } as const;

function policyWith(patch: unknown) {
  const p = mergePolicy(defaultPolicy, patch);
  if (!p.ok) throw new Error(p.errors.join('；'));
  return p.policy;
}

describe(`第十四条「${ART14}」`, () => {
  it('by default 免责 (尽职免责 and 容错免责) is not an enforcement error; 从轻、减轻、不予容错 are', () => {
    expect(defaultPolicy.notAnErrorOutcomes).toEqual(['exempt']);
    const exempt = ok(issue(carriedOn({}, 'exempt'))).state;
    expect(exempt.determination).toMatchObject({ notErrorRecord: true, statement: `${ART14}。` });
    expect(caseKind(exempt)).toBe('tolerated');
    const lighter = ok(
      issue(carriedOn({ items: ['11.1'], conditions: {} }, 'lighter'), {
        outcome: 'lighter',
        citedItems: ['11.1'],
      }),
    ).state;
    expect(lighter.determination).toMatchObject({ notErrorRecord: false, statement: null });
    expect(caseKind(lighter)).toBe('errors');
  });

  it('a 免责 the law does not allow is never issued, so never counted as tolerated', () => {
    const c = carriedOn({ items: ['10.4'], conditions: { ...met, '10.c3': false } }, 'exempt');
    expect(issue(c).ok).toBe(false);
    expect(caseKind(c)).toBe('pending');
  });

  it('an office that reads 予以容错 to include 从轻 sets it in the policy; the determination and statistics follow', () => {
    const policy = policyWith({ notAnErrorOutcomes: ['exempt', 'lighter'] });
    const e = { ...envAt(), policy };
    const c = carriedOn({ items: ['11.1'], conditions: {} }, 'lighter', e);
    const lighter = ok(issue(c, { outcome: 'lighter', citedItems: ['11.1'], ...noOrder }, e)).state;
    expect(lighter.determination).toMatchObject({
      notErrorRecord: true,
      statement: policy.statements.notAnError.text,
    });
    expect(caseKind(lighter)).toBe('tolerated');
    const figures = statsFigures([lighter], e.now, policy);
    expect(figures.yearFigures).toMatchObject({ notError: 1, liable: 0, lighter: 1 });
    expect(figures.notErrorScope).toBe('免责、从轻');
  });

  it('不予容错 can never be put outside the enforcement-error record', () => {
    const bad = mergePolicy(defaultPolicy, { notAnErrorOutcomes: ['exempt', 'refuse'] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join()).toContain('第十四条');
  });
});

describe('第十四条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${ART14}」: an issued 容错免责 tells the subject so, and 统计 counts it apart from errors`, async () => {
    const { h, issueOn, dm, one } = w;
    const { number, issueForm } = await w.carried(
      findingsForm({ items: ['10.4'], outcome: 'exempt' }),
      '免责',
    );
    const issued = await issueOn(issueForm, { outcome: 'exempt', cited: ['10.4'], ...orderFields() });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    await h.settle();
    expect(text(one(dm('ou_officer_zhang'), number, '容错认定结论告知'))).toContain(
      '本案**不作为执法错误认定**',
    );
    const ask = await h.emu.sendText(PM[0].openId, '统计');
    await h.settle();
    const stats = h.emu.messages({ openId: PM[0].openId }).find((m) => m.replyTo === ask.messageId);
    expect(text(stats)).toContain('不作为执法错误认定（第十四条，适用于「免责」）：**1 件**');
    expect(text(stats)).toContain('认定为执法过错：**0 件**');
  });
});
