import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inbox, kv, outbox } from '../../db/schema';
import type { Effects } from '../../src/bot/effects';
import { Pipeline } from '../../src/bot/pipeline';
import { AnonymousDrafts, redact } from '../../src/bot/redact';
import type { EventEnvelope } from '../../src/lark/envelope';
import { createLogger } from '../../src/log';
import type { UnrecordedMessage } from '../../src/notify/outbox';
import { guard, type Store } from '../../src/store';
import { storeFactories } from '../support/stores';

const SENDER = 'ou_sender_5e4d3c2b1a';
const message = (id: string): EventEnvelope => ({
  schema: '2.0',
  header: { event_id: id, event_type: 'im.message.receive_v1', token: 'verification' },
  event: {
    sender: { sender_id: { open_id: SENDER, union_id: 'on_union_9f8e7d', user_id: 'u_5b4a3c' } },
    message: {
      message_id: 'om_message_0a1b2c',
      chat_id: 'oc_p2p_chat_3d4e5f',
      chat_type: 'p2p',
      message_type: 'text',
      content: JSON.stringify({ text: '举报 @_user_1' }),
      mentions: [{ key: '@_user_1', id: { open_id: 'ou_accused_7a8b9c' }, name: '钱' }],
    },
  },
});

describe('redact', () => {
  it('keeps only the id and type, and names every trace of the sender but not the people mentioned', () => {
    const r = redact(message('e1'));
    expect(r.recorded).toEqual({
      schema: '2.0',
      header: { event_id: 'e1', event_type: 'im.message.receive_v1' },
      event: { redacted: true },
    });
    expect(r.traces.sort()).toEqual(
      [SENDER, 'on_union_9f8e7d', 'u_5b4a3c', 'om_message_0a1b2c', 'oc_p2p_chat_3d4e5f'].sort(),
    );
  });

  it('a card click: operator, callback token and the clicked message; not the values picked', () => {
    const r = redact({
      schema: '2.0',
      header: { event_id: 'c1', event_type: 'card.action.trigger' },
      event: {
        operator: { open_id: SENDER, union_id: 'on_union_9f8e7d' },
        token: 'c-token-1a2b3c4d',
        action: { value: { a: 'report.file', d: 'd_1' }, form_value: { accused: ['ou_accused_7a8b9c'] } },
        context: { open_message_id: 'om_card_4d5e6f', open_chat_id: 'oc_p2p_chat_3d4e5f' },
      },
    });
    expect(r.traces.sort()).toEqual(
      [SENDER, 'on_union_9f8e7d', 'c-token-1a2b3c4d', 'om_card_4d5e6f', 'oc_p2p_chat_3d4e5f'].sort(),
    );
  });
});

describe('AnonymousDrafts (memory only)', () => {
  it('forgets a sender after the idle time, on request, and the oldest beyond its bound', () => {
    const d = new AnonymousDrafts(1000, 2);
    d.mark('ou_a', 'd_a', 0);
    expect(d.tokenOf('ou_a', 999)).toBe('d_a');
    expect(d.tokenOf('ou_a', 1000)).toBeUndefined();
    d.mark('ou_a', 'd_a', 0);
    d.mark('ou_b', 'd_b', 0);
    d.mark('ou_c', 'd_c', 0);
    expect(d.tokenOf('ou_a', 1)).toBeUndefined();
    expect(d.tokenOf('ou_c', 1)).toBe('d_c');
    d.forget('ou_c');
    expect(d.tokenOf('ou_c', 1)).toBeUndefined();
  });
});

describe.each(storeFactories)('a redacted event in the pipeline on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const lines: string[] = [];
  const sentUnrecorded: UnrecordedMessage[] = [];
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
    lines.length = 0;
    sentUnrecorded.length = 0;
  });
  afterEach(async () => dispose());

  const make = (router: (e: EventEnvelope, fx: Effects) => Promise<void>) =>
    new Pipeline({
      store,
      logger: createLogger('debug', (l) => lines.push(l)),
      router,
      kickDelivery: () => {},
      redact: (e) => redact(e),
      sendUnrecorded: async (m) => {
        sentUnrecorded.push(...m);
      },
    });
  const senderIn = (x: unknown) =>
    ['ou_sender', 'on_union_9f8e7d', 'om_message_0a1b2c', 'oc_p2p_chat_3d4e5f'].some((n) =>
      JSON.stringify(x).includes(n),
    );

  it('is answered from memory; the inbox and the logs never see the sender', async () => {
    const p = make(async (e, fx) => {
      expect(fx.anonymous).toBe(true);
      const open = (e.event as { sender: { sender_id: { open_id: string } } }).sender.sender_id.open_id;
      fx.write(fx.db.insert(kv).values({ key: 'reportdraft:d_1', value: '{}', updatedAt: 1 }));
      fx.sendUnrecorded(open, { schema: '2.0', body: { elements: [] } });
    });
    const e = message('e1');
    expect(await p.accept(e, 'webhook')).toBe('accepted');
    expect(senderIn(await store.db.select().from(inbox))).toBe(false);
    expect((await p.process('e1', e)).status).toBe('done');
    expect(sentUnrecorded).toMatchObject([{ op: 'send', openId: SENDER }]);
    expect(await store.db.select().from(outbox)).toEqual([]);
    expect(senderIn(await store.db.select().from(inbox))).toBe(false);
    expect(senderIn(lines)).toBe(false);
  });

  it('after a restart it cannot be answered: closed unhandled, the handler never runs', async () => {
    let runs = 0;
    const crashed = make(async () => {});
    expect(await crashed.accept(message('e2'), 'webhook')).toBe('accepted');
    // A new process finds the record: nothing in it says whom to answer.
    const restarted = make(async () => {
      runs++;
    });
    expect(await restarted.recover()).toBe(0);
    expect(runs).toBe(0);
    const [row] = await store.db.select().from(inbox);
    expect(row).toMatchObject({ status: 'done', payload: null, outcome: 'anonymous:unanswered' });
    expect(lines.some((l) => l.includes('anonymous event left unanswered'))).toBe(true);
    expect(senderIn(lines)).toBe(false);
  });

  it('a handler that would write the sender commits nothing', async () => {
    const p = make(async (_e, fx) => {
      fx.write(fx.db.insert(kv).values({ key: 'innocent', value: '1', updatedAt: 1 }));
      fx.send({ openId: SENDER }, { schema: '2.0', body: { elements: [] } });
    });
    const e = message('e3');
    await p.accept(e, 'webhook');
    expect((await p.process('e3', e)).status).toBe('error');
    expect(await store.db.select().from(kv)).toEqual([]);
    expect(await store.db.select().from(outbox)).toEqual([]);
    expect(senderIn(lines)).toBe(false);
  });

  it('a retry after a lost race still works on the envelope in memory', async () => {
    let runs = 0;
    const p = make(async (_e, fx) => {
      runs++;
      // The first attempt loses an optimistic-concurrency race.
      if (runs === 1) fx.write(fx.db.update(kv).set({ value: 'x' }).where(eq(kv.key, 'missing')), guard);
      fx.sendUnrecorded(SENDER, { schema: '2.0', body: { elements: [] } });
    });
    const e = message('e4');
    await p.accept(e, 'webhook');
    expect((await p.process('e4', e)).status).toBe('done');
    expect(runs).toBe(2);
    expect(sentUnrecorded).toHaveLength(1);
  });
});
