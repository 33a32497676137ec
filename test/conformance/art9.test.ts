// 第九条: 尽职免责 rests on a 第九条 item; it is an exemption, never an enforcement error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  findingsForm,
  issue,
  orderFields,
  refusedWith,
  SUBJECT,
  startWorld,
  text,
  type World,
} from './support';

const LEAD = clause('行政执法人员履行职责过程中，符合下列情形的，应当认定为履职尽责');
const ITEM2 = clause('因行政相对人隐瞒、伪造、毁灭证据或者提供虚假材料，致使作出错误执法决定');

describe(`第九条「${LEAD}」`, () => {
  it(`「${ITEM2}…」: 免责 citing a 第九条 item is 尽职免责`, () => {
    const d = ok(issue(carriedOn({ items: ['9.2'], conditions: {} }, 'exempt'), { citedItems: ['9.2'] }));
    expect(d.state.determination).toMatchObject({ outcome: 'exempt', basis: 'duty', notErrorRecord: true });
  });

  it('尽职免责 needs a 第九条 item: 免责 citing only a 第十一条 item is refused, naming 第九条', () => {
    const c = carriedOn({ items: ['9.2', '11.1'], conditions: {} }, 'exempt');
    refusedWith(issue(c, { citedItems: ['11.1'] }), /第九条（尽职免责）/);
  });

  it('尽职免责 does not depend on 第十条第二款: a 第九条 item exempts even where the conditions are not met', () => {
    const c = carriedOn(
      { items: ['9.4', '10.4'], conditions: { '10.c1': true, '10.c2': false, '10.c3': true } },
      'exempt',
    );
    const d = ok(issue(c, { citedItems: ['9.4'] }));
    expect(d.state.determination?.basis).toBe('duty');
  });
});

describe('第九条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${LEAD}」: a 第九条 case voted 免责 is issued as 尽职免责; citing no 第九条 item is refused`, async () => {
    const { h, getCase, issueOn, dm, one } = w;
    const { id, number, cardId, issueForm } = await w.carried(
      findingsForm({ items: ['9.2'], outcome: 'exempt' }),
      '免责',
    );
    expect(text(h.emu.message(cardId))).toContain('「免责（尽职免责）」');
    const wrong = await issueOn(issueForm, { outcome: 'exempt', cited: ['11.1'], ...orderFields() });
    expect(wrong.toast?.content).toContain('第九条');
    expect((await getCase(id)).determination).toBeNull();
    const issued = await issueOn(issueForm, { outcome: 'exempt', cited: ['9.2'], ...orderFields() });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    expect(JSON.stringify(issued.card)).toContain('免责（尽职免责）');
    await h.settle();
    expect((await getCase(id)).determination).toMatchObject({ basis: 'duty', notErrorRecord: true });
    expect(text(one(dm(SUBJECT.openId), number, '容错认定结论告知'))).toContain('第九条第（二）项');
  });
});
