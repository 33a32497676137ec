// 第十六条: 尽职免责 and 容错免责 alike get the reason, the items, the requirement and a deadline; an
// extension may be asked. Where nothing needs correcting, the secretary says why and the case records it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideCase } from '../../src/cases';
import { envAt, ok, secretary, subject } from '../cases/fixtures';
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

const DUTY = clause(
  '应向尽职免责、容错免责对象说明纠错事由，明确纠错事项，提出纠错要求或者建议，责成限期纠正问题、改进工作',
);
const EXTEND = clause('因特殊情况难以在规定时间内完成的，可以申请适当延长整改期限');
const IMPROVE = clause('完善制度、健全机制，防止类似错误再次发生');

describe(`第十六条「${DUTY}」`, () => {
  it('尽职免责 too: 不需要纠错 without a reason is refused', () => {
    const c = carriedOn({ items: ['9.1'], conditions: {} }, 'exempt');
    refusedWith(
      issue(c, { citedItems: ['9.1'], correctionRequired: false, correction: undefined }),
      /第十六条.*请说明理由/,
    );
  });

  it('a stated reason is recorded on the determination', () => {
    const c = carriedOn({ items: ['9.1'], conditions: {} }, 'exempt');
    const d = ok(issue(c, { citedItems: ['9.1'], ...noOrder }));
    expect(d.state.determination).toMatchObject({
      basis: 'duty',
      correctionRequired: false,
      correctionWaiver: noOrder.correctionWaiver,
    });
  });

  it(`the order states 纠错事由, 纠错事项 (requirements and suggestions), a deadline and 「${IMPROVE}」`, () => {
    const o = ok(issue(carriedOn({}, 'exempt'))).state.correction!;
    expect(o.reason).not.toBe('');
    expect(o.items.map((i) => i.kind)).toEqual(['requirement', 'suggestion']);
    expect(o.deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(o.improveRules).not.toBe('');
    refusedWith(
      issue(carriedOn({}, 'exempt'), {
        correction: {
          reason: '事由',
          items: [],
          responsible: { openId: subject.openId },
          improveRules: '完善制度',
        },
      }),
      /纠错要求.*纠错建议/,
    );
  });

  it(`「${EXTEND}」: the responsible person asks; a secretary approves, and the new deadline holds`, () => {
    const c = ok(issue(carriedOn({}, 'exempt'))).state;
    const later = envAt('2026-03-05T02:00:00Z');
    const ask = {
      type: 'request_extension',
      extensionId: 'x1',
      reason: '需等待上级批复',
      newDeadline: '2026-04-10',
    } as const;
    const asked = ok(decideCase(c, ask, subject, later)).state;
    expect(asked.correction?.extensions[0]?.status).toBe('pending');
    const approved = ok(
      decideCase(asked, { type: 'decide_extension', extensionId: 'x1', approve: true }, secretary, later),
    ).state;
    expect(approved.correction?.deadline).toBe('2026-04-10');
  });
});

describe('第十六条 end to end through the emulator', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld();
  });
  afterAll(async () => w?.h.close());

  it(`「${DUTY}」: 尽职免责 marked 不需要纠错 is refused without a reason; with one, the case records it and the issued card shows it`, async () => {
    const { h, getCase, issueOn } = w;
    const { id, issueForm } = await w.carried(findingsForm({ items: ['9.1'], outcome: 'exempt' }), '免责');
    const bare = await issueOn(issueForm, { outcome: 'exempt', cited: ['9.1'], correction: 'no' });
    expect(bare.toast?.content).toContain('第十六条');
    expect((await getCase(id)).determination).toBeNull();
    const reason = '已按法定程序履职，执法行为本身没有需要纠正的问题。';
    const issued = await issueOn(issueForm, {
      outcome: 'exempt',
      cited: ['9.1'],
      correction: 'no',
      waiver: reason,
    });
    expect(issued.toast?.type, issued.toast?.content).toBe('success');
    expect(JSON.stringify(issued.card)).toContain(`不需要纠错。理由：${reason}`);
    await h.settle();
    const c = await getCase(id);
    expect(c.status).toBe('decided');
    expect(c.determination).toMatchObject({
      basis: 'duty',
      correctionWaiver: reason,
      correctionRequired: false,
    });
  });
});
