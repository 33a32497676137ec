// 第十一条: 从轻/减轻 on a 第十一条 item (or a 第十条 item without all three conditions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../cases/fixtures';
import {
  carriedOn,
  clause,
  findingsForm,
  issue,
  noOrder,
  refusedWith,
  startWorld,
  type World,
} from './support';

const LEAD = clause('执法人员在履行职责过程中，符合下列情形之一的，可以从轻或者减轻责任');
const ITEM1 = clause('主动采取措施有效避免损失或者挽回影响的');

describe(`第十一条「${LEAD}」`, () => {
  it(`「${ITEM1}」: 从轻 and 减轻 citing a 第十一条 item are issued, recorded as enforcement errors`, () => {
    for (const o of ['lighter', 'mitigate'] as const) {
      const c = carriedOn({ items: ['11.1'], conditions: {} }, o);
      const d = ok(issue(c, { outcome: o, citedItems: ['11.1'], ...noOrder }));
      expect(d.state.determination).toMatchObject({ outcome: o, basis: null, notErrorRecord: false });
      expect(d.state.status).toBe('decided');
    }
  });

  it('从轻 needs a 第十一条 item or a 第十条 item without all three conditions: citing only 第九条 is refused', () => {
    const c = carriedOn({ items: ['9.1', '11.1'], conditions: {} }, 'lighter');
    refusedWith(issue(c, { outcome: 'lighter', citedItems: ['9.1'], ...noOrder }), /第十一条/);
  });

  it('第十一条 is no ground for 免责', () => {
    const c = carriedOn({ items: ['11.2'], conditions: {} }, 'exempt');
    refusedWith(issue(c, { citedItems: ['11.2'] }), /免责认定须引用第九条/);
  });
});

describe('第十一条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${LEAD}」: a case voted 从轻 on a 第十一条 item is issued; 从轻 on 第九条 alone is refused`, async () => {
    const { h, getCase, issueOn } = w;
    const { id, issueForm } = await w.carried(findingsForm({ items: ['11.1'], outcome: 'lighter' }), '从轻');
    const wrong = await issueOn(issueForm, { outcome: 'lighter', cited: ['9.1'], correction: 'no' });
    expect(wrong.toast?.content).toContain('第十一条');
    expect((await getCase(id)).determination).toBeNull();
    const issued = await issueOn(issueForm, { outcome: 'lighter', cited: ['11.1'], correction: 'no' });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    expect(JSON.stringify(issued.card)).not.toContain('不作为执法错误认定');
    await h.settle();
    expect((await getCase(id)).determination).toMatchObject({ outcome: 'lighter', notErrorRecord: false });
  });
});
