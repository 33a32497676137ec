import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox, outbox } from '../../db/schema';
import { type Harness, OFFICER, startHarness } from '../support/harness';

const textOf = (card: unknown) => JSON.stringify(card);

describe('foundation end to end: signed, encrypted payloads → real server → emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  const inboxRows = () => h.rt.store.db.select().from(inbox);
  const botMessagesTo = (openId: string) => h.emu.messages({ openId });

  it('answers the URL-verification challenge on both URLs, with and without signature headers', async () => {
    for (const which of ['event', 'card'] as const) {
      const signed = await h.emu.verifyUrl(which);
      expect(signed.status).toBe(200);
      expect((signed.json as { challenge: string }).challenge).toMatch(/\w+/);
      const unsigned = await h.emu.verifyUrl(which, { noSign: true });
      expect(unsigned.status).toBe(200);
      expect(unsigned.json).toHaveProperty('challenge');
      const wrongToken = await h.emu.verifyUrl(which, { noSign: true, token: 'not-the-token' });
      expect(wrongToken.status).toBe(401);
    }
    expect(await inboxRows()).toHaveLength(0);
  });

  it('帮助 in a direct chat gets the help card, and a duplicate event_id causes nothing', async () => {
    const before = botMessagesTo(OFFICER.openId).length;
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    await h.settle();
    const after = botMessagesTo(OFFICER.openId);
    expect(after).toHaveLength(before + 1);
    const help = after.at(-1)!;
    expect(help.msgType).toBe('interactive');
    expect(help.replyTo).toBe(sent.messageId);
    expect(textOf(help.content)).toContain('申请容错');
    expect(textOf(help.content)).toContain('我的案件');

    const again = await h.emu.deliver(sent.envelope);
    expect(again.status).toBe(200);
    await h.settle();
    expect(botMessagesTo(OFFICER.openId)).toHaveLength(before + 1);
    const rows = (await inboxRows()).filter((r) => r.eventId === sent.eventId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'done', outcome: 'help', payload: null });
  });

  it('unknown words get the help card naming what was not understood; a group message needs an @mention', async () => {
    await h.emu.sendText(OFFICER.openId, '今天天气怎么样');
    await h.settle();
    expect(textOf(botMessagesTo(OFFICER.openId).at(-1)!.content)).toContain('没有听懂「今天天气怎么样」');

    h.emu.addChat({ chatId: 'oc_party_group', name: '党组群', members: [OFFICER.openId] });
    const silent = await h.emu.sendText(OFFICER.openId, '帮助', { chatId: 'oc_party_group' });
    expect(silent.delivered).toBe(false);
    const mentioned = await h.emu.sendText(OFFICER.openId, '帮助', {
      chatId: 'oc_party_group',
      mentionBot: true,
    });
    expect(mentioned.status).toBe(200);
    await h.settle();
    const group = h.emu.messages({ chatId: 'oc_party_group' });
    expect(group).toHaveLength(1);
    expect(textOf(group[0]!.content)).toContain('容错纠错助手');
  });

  describe('refusals change nothing', () => {
    const refusals: [string, (envelope: object) => Promise<{ status: number }>, number][] = [
      ['tampered signature', (e) => h.emu.deliver(e, { tamper: 'signature' }), 401],
      ['tampered body', (e) => h.emu.deliver(e, { tamper: 'body' }), 401],
      [
        'stale timestamp',
        (e) => h.emu.deliver(e, { timestampSec: Math.floor(Date.now() / 1000) - 3600 }),
        401,
      ],
      [
        'future timestamp',
        (e) => h.emu.deliver(e, { timestampSec: Math.floor(Date.now() / 1000) + 3600 }),
        401,
      ],
      ['wrong verification token', (e) => h.emu.deliver(e, { token: 'forged-token' }), 401],
      ['missing signature headers', (e) => h.emu.deliver(e, { noSign: true }), 401],
      ['plaintext body', (e) => h.emu.deliver(e, { encrypt: false }), 401],
      ['malformed JSON', (e) => h.emu.deliver(e, { raw: '{"encrypt": "abc' }), 400],
      [
        '2 MiB body',
        (e) => h.emu.deliver(e, { raw: JSON.stringify({ encrypt: 'A'.repeat(2 * 1024 * 1024) }) }),
        413,
      ],
    ];
    it.each(refusals)('%s → %i', async (_name, send, status) => {
      const probe = await h.emu.sendText(OFFICER.openId, '帮助');
      await h.settle();
      const inboxBefore = (await inboxRows()).length;
      const messagesBefore = h.emu.messages().length;
      const fresh = {
        ...probe.envelope,
        header: { ...probe.envelope.header, event_id: `evt_refused_${status}_${Math.random()}` },
      };
      const res = await send(fresh);
      expect(res.status).toBe(status);
      await h.settle();
      expect(await inboxRows()).toHaveLength(inboxBefore);
      expect(h.emu.messages()).toHaveLength(messagesBefore);
    });
  });

  it('unknown event types get 200 and are not recorded', async () => {
    const probe = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.settle();
    const before = (await inboxRows()).length;
    const res = await h.emu.deliver({
      ...probe.envelope,
      header: {
        ...probe.envelope.header,
        event_id: 'evt_unknown_type',
        event_type: 'contact.user.updated_v3',
      },
    });
    expect(res.status).toBe(200);
    expect(await inboxRows()).toHaveLength(before);
  });

  it('a send that fails with 500 twice then succeeds is delivered exactly once', async () => {
    h.emu.failNext('reply', { status: 500, times: 2 });
    const before = botMessagesTo(OFFICER.openId).length;
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(200);
    const reply = await h.emu.waitFor(
      () => botMessagesTo(OFFICER.openId).find((m) => m.replyTo === sent.messageId),
      10_000,
    );
    await h.settle();
    expect(botMessagesTo(OFFICER.openId)).toHaveLength(before + 1);
    const attempts = h.emu.requests().filter((r) => r.path.includes(`/messages/${sent.messageId}/reply`));
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    const [row] = await h.rt.store.db.select().from(outbox).where(eq(outbox.messageId, reply.messageId));
    expect(row).toMatchObject({ status: 'done', attempts: 3, content: null });
  });

  it('an expired tenant token is refreshed once and the message still goes out', async () => {
    h.emu.invalidateTokens();
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.emu.waitFor(
      () => botMessagesTo(OFFICER.openId).find((m) => m.replyTo === sent.messageId),
      10_000,
    );
    const tokenCalls = h.emu.requests().filter((r) => r.path.includes('tenant_access_token'));
    expect(tokenCalls.length).toBeGreaterThanOrEqual(2);
  });
});
