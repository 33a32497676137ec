import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const texts = (h: Harness, openId: string) =>
  h.emu
    .messages({ openId })
    .filter((m) => m.msgType === 'text')
    .map((m) => (m.content as { text: string }).text);

describe('an event the handler keeps failing on, replayed by an admin once the cause is fixed', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  /** A broken deployment: a table every handler reads is gone (a migration gone wrong), then back. */
  const breakTable = (from: string, to: string) => {
    const db = new Database(h.dbPath);
    db.exec(`ALTER TABLE ${from} RENAME TO ${to}`);
    db.close();
  };

  it('is kept, its sender and the admins are told, and 「重试失败事件」 handles it exactly once', async () => {
    breakTable('kv', 'kv_broken');
    const sent = await h.emu.sendText(OFFICER.openId, '帮助 请看这句只属于我的话');
    expect(sent.status).toBe(200);
    await h.settle();
    // The per-minute tick's recovery retries it (tick itself stops at the missing table right after).
    for (let i = 1; i <= 4; i++) {
      await h.rt.service.pipeline.recover();
      await h.settle();
    }
    expect(
      h.emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId),
    ).toHaveLength(0);
    const [told] = texts(h, OFFICER.openId);
    expect(told).toContain('没有处理成功');
    const [alert] = texts(h, ADMIN.openId);
    expect(alert).toContain(sent.eventId);
    expect(alert).toContain('重试失败事件');
    expect(alert).not.toContain('只属于我的话');

    breakTable('kv_broken', 'kv');
    // Not an admin: refused, nothing replayed.
    const early = await h.emu.sendText(OFFICER.openId, '重试失败事件');
    await h.settle();
    const refusal = h.emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === early.messageId);
    expect(JSON.stringify(refusal?.content)).toContain('只有管理员');

    const replay = await h.emu.sendText(ADMIN.openId, '重试失败事件');
    await h.settle();
    const replayAnswer = h.emu.messages({ openId: ADMIN.openId }).find((m) => m.replyTo === replay.messageId);
    expect(JSON.stringify(replayAnswer?.content)).toContain('已将 1 个失败事件重新处理');
    const replies = () =>
      h.emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId);
    expect(replies()).toHaveLength(1);
    expect(JSON.stringify(replies()[0]!.content)).toContain('申请容错');

    // Again, and the platform's own retry of the old event: nothing is handled twice.
    const again = await h.emu.sendText(ADMIN.openId, '重试失败事件');
    expect((await h.emu.deliver(sent.envelope)).status).toBe(200);
    await h.rt.service.tick(new Date(Date.now() + 10 * 60_000));
    await h.settle();
    const againAnswer = h.emu.messages({ openId: ADMIN.openId }).find((m) => m.replyTo === again.messageId);
    expect(JSON.stringify(againAnswer?.content)).toContain('没有可以重新处理的失败事件');
    expect(replies()).toHaveLength(1);
  }, 60_000);
});
