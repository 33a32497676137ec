import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox } from '../../db/schema';
import { enableLongConnection } from '../../src/sandbox/long-connection';
import type { WsEndpoint } from '../../src/sandbox/ws-endpoint';
import { submitReport } from '../support/forms';
import { APP, type Harness, OFFICER, startEmulator, startHarness } from '../support/harness';

describe('the same over the long connection (LARK_TRANSPORT=websocket)', () => {
  let h: Harness;
  let ws: WsEndpoint;
  beforeAll(async () => {
    const emu = await startEmulator();
    ws = enableLongConnection(emu, APP.appId, APP.appSecret);
    h = await startHarness({
      emu,
      env: { LARK_TRANSPORT: 'websocket', LARK_ENCRYPT_KEY: '', LARK_VERIFICATION_TOKEN: '' },
    });
    await emu.waitFor(() => ws.connected() > 0, 10_000);
  });
  afterAll(async () => {
    await h?.close();
    await ws?.close();
    await h?.emu.close();
  });

  it('帮助 arrives as a data frame and is answered; a redelivered event_id causes nothing', async () => {
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    const reply = await h.emu.waitFor(() =>
      h.emu.messages({ openId: OFFICER.openId }).find((m) => m.replyTo === sent.messageId),
    );
    expect(JSON.stringify(reply.content)).toContain('申请容错');
    const ack = (await ws.pushEvent(sent.envelope)) as { code: number };
    expect(ack.code).toBe(200);
    await h.settle();
    expect(
      h.emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === sent.messageId),
    ).toHaveLength(1);
    const rows = (await h.rt.store.db.select().from(inbox)).filter((r) => r.eventId === sent.eventId);
    expect(rows).toMatchObject([{ status: 'done', source: 'websocket', payload: null }]);
  });

  it('a card click comes back with its toast through the frame response', async () => {
    const help = h.emu.messages({ openId: OFFICER.openId }).at(-1)!;
    const click = await h.emu.clickButton(OFFICER.openId, help.messageId, '我的案件');
    expect(click.status).toBe(200);
    expect(click.toast?.content).toBeTruthy();
    expect(click.toast).toEqual({ type: 'info', content: '已在私聊中回复' });
    await h.settle();
    // The command the button stands for was carried out: the case list reached the private chat.
    const list = h.emu.messages({ openId: OFFICER.openId }).at(-1)!;
    expect(list.messageId).not.toBe(help.messageId);
    expect(JSON.stringify(list.content)).toContain('我的案件');
  });

  it('an anonymous report over the long connection: no byte of the data folder holds its sender', async () => {
    const reporter = { openId: 'ou_reporter_ws_4c3b2a19', name: '匿名丙' };
    h.emu.addUser(reporter);
    await h.emu.sendText(reporter.openId, '举报');
    await h.settle();
    const choose = h.emu.messages({ openId: reporter.openId }).at(-1)!;
    const picked = await h.emu.clickButton(reporter.openId, choose.messageId, '匿名举报');
    expect(JSON.stringify(picked.card)).toContain('提交匿名举报');
    const filed = await submitReport(h.emu, reporter.openId, choose.messageId, '提交匿名举报', {
      accused: [OFFICER.openId],
      matter: '长连接下的匿名举报',
      content: '2026年4月检查时索要财物。',
    });
    expect(filed.toast?.type).toBe('success');
    expect(JSON.stringify(filed.card)).toMatch(/查询码\*\*：\*\*[A-Z0-9]{10}\*\*/);
    await h.settle();
    const events = (await h.rt.store.db.select().from(inbox)).filter((r) => r.outcome === 'reports:intake');
    // 举报, 匿名举报, 提交匿名举报 (the review) and 确认提交.
    expect(events.map((e) => e.source)).toEqual(['websocket', 'websocket', 'websocket', 'websocket']);
    const p2p = h.emu.p2pChatId(reporter.openId);
    const user = h.emu.state.users[reporter.openId]!;
    const needles = [
      reporter.openId,
      user.unionId,
      user.userId,
      p2p,
      picked.token,
      filed.token,
      ...h.emu.messages({ chatId: p2p, from: 'any' }).map((m) => m.messageId),
    ].filter((n) => n.length > 0);
    const dir = dirname(h.dbPath);
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      for (const n of needles) expect(bytes.includes(Buffer.from(n)), `${f} holds ${n}`).toBe(false);
    }
  });

  it('with no key or token configured the webhook is shut: a posted event is refused and changes nothing', async () => {
    const before = (await h.rt.store.db.select().from(inbox)).length;
    const probe = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.settle();
    const forged = {
      ...probe.envelope,
      header: { ...probe.envelope.header, event_id: 'evt_forged_webhook' },
    };
    const res = await h.emu.deliver(forged, { url: 'event', encrypt: false, noSign: true });
    expect(res.status).toBe(403);
    expect((await h.rt.store.db.select().from(inbox)).length).toBe(before + 1);
    expect((await h.rt.store.db.select().from(inbox)).some((r) => r.eventId === 'evt_forged_webhook')).toBe(
      false,
    );
  });
});
