// 第十五条: correction starts with the tolerance decision — the order goes with the determination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy, mergePolicy } from '../../src/policy';
import { envAt, ok } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  findingsForm,
  issue,
  noOrder,
  orderFields,
  refusedWith,
  SUBJECT,
  startWorld,
  text,
  type World,
} from './support';

const ART15 = clause('在问责机构作出容错免责决定的同时，应当及时启动纠错程序');

function envWith(patch: unknown) {
  const p = mergePolicy(defaultPolicy, patch);
  if (!p.ok) throw new Error(p.errors.join('；'));
  return { ...envAt(), policy: p.policy };
}

describe(`第十五条「${ART15}」`, () => {
  it('容错免责 with the order: the case is under correction at once and the responsible person is told', () => {
    const d = ok(issue(carriedOn({}, 'exempt')));
    expect(d.state.status).toBe('correcting');
    expect(d.state.correction).toMatchObject({ status: 'open', responsible: { openId: 'ou_subject' } });
    expect(d.intents).toContainEqual(expect.objectContaining({ template: 'correction.ordered' }));
  });

  it('容错免责 marked 不需要纠错 without a stated reason is refused, naming 第十五条', () => {
    refusedWith(
      issue(carriedOn({}, 'exempt'), { correctionRequired: false, correction: undefined }),
      /第十五条.*请说明理由/,
    );
  });

  it('启动纠错 without the order itself is refused: the issue form must carry it', () => {
    refusedWith(issue(carriedOn({}, 'exempt'), { correction: undefined }), /第十五条.*纠错通知/);
  });

  it('with the policy set to 必须纠错 (waiver: never), no reason lets the order be left out', () => {
    const e = envWith({ correction: { waiver: 'never' } });
    refusedWith(issue(carriedOn({}, 'exempt', e), noOrder, e), /第十五条.*请填写纠错事项/);
  });

  it('an office may narrow it in the policy: with requiredAfter [], 不需要纠错 needs no reason', () => {
    const e = envWith({ correction: { requiredAfter: [] } });
    const d = ok(issue(carriedOn({}, 'exempt', e), { correctionRequired: false, correction: undefined }, e));
    expect(d.state.status).toBe('decided');
    expect(d.state.determination?.correctionWaiver).toBeNull();
  });
});

describe('第十五条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${ART15}」: 不需要纠错 without a reason is refused; issued with the order, the case is correcting and the order reaches the subject`, async () => {
    const { h, getCase, issueOn, dm, one } = w;
    const { id, number, issueForm } = await w.carried(
      findingsForm({ items: ['10.4'], outcome: 'exempt' }),
      '免责',
    );
    const bare = await issueOn(issueForm, { outcome: 'exempt', cited: ['10.4'], correction: 'no' });
    expect(bare.toast?.type).toBe('error');
    expect(bare.toast?.content).toContain('第十五条');
    expect((await getCase(id)).determination).toBeNull();

    const issued = await issueOn(issueForm, { outcome: 'exempt', cited: ['10.4'], ...orderFields() });
    expect(issued.toast).toEqual({ type: 'success', content: '认定结论已签发，告知和纠错通知已发出' });
    await h.settle();
    const c = await getCase(id);
    expect(c.status).toBe('correcting');
    expect(c.correction).toMatchObject({ reason: '暂扣设备前未履行审批程序', status: 'open' });
    expect(text(one(dm(SUBJECT.openId), number, '纠错通知', '补办暂扣审批手续并归档'))).toContain('确认收到');
  });
});
