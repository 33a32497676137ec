import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_ACTION } from '../../src/bot/router';
import { Repo } from '../../src/store/repo';
import { type Harness, OFFICER, startHarness } from '../support/harness';

describe('a card click whose value breaks its action schema, through the real server', () => {
  let h: Harness;
  let stepCard = '';
  let caseId = '';
  const repo = () => new Repo(h.rt.store.db);

  beforeAll(async () => {
    h = await startHarness();
    const started = await h.emu.sendText(OFFICER.openId, '申请容错');
    await h.settle();
    const card = h.emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === started.messageId);
    stepCard = card!.messageId;
    const cancel = h.emu.buttons(stepCard).find((b) => b.value.a === 'intake.cancel');
    caseId = String(cancel!.value.case);
  });
  afterAll(async () => h?.close());

  it('is answered in Chinese and changes nothing; the button as the card sends it still works', async () => {
    const before = await repo().getCase(caseId);
    expect(before?.status).toBe('draft');
    const shown = h.emu.messages({ openId: OFFICER.openId }).length;

    const bad = await h.emu.click(
      OFFICER.openId,
      stepCard,
      { a: 'intake.cancel', case: [caseId] },
      undefined,
      {
        unchecked: true,
      },
    );
    await h.settle();
    expect(bad.status).toBe(200);
    expect(bad.toast).toEqual({ type: 'warning', content: MALFORMED_ACTION });
    expect(bad.card).toBeUndefined();
    expect(await repo().getCase(caseId)).toEqual(before);
    expect(h.emu.messages({ openId: OFFICER.openId })).toHaveLength(shown);

    const cancel = h.emu.buttons(stepCard).find((b) => b.value.a === 'intake.cancel')!;
    const good = await h.emu.click(OFFICER.openId, stepCard, cancel.value);
    await h.settle();
    expect(good.toast?.content).toBe('已取消申请');
    expect((await repo().getCase(caseId))?.status).toBe('withdrawn');
  });
});
