import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox } from '../../db/schema';
import { enableLongConnection } from '../../src/sandbox/long-connection';
import type { WsEndpoint } from '../../src/sandbox/ws-endpoint';
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
