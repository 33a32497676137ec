import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inbox, kv, outbox } from '../../db/schema';
import type { Effects } from '../../src/bot/effects';
import { Pipeline } from '../../src/bot/pipeline';
import type { EventEnvelope } from '../../src/lark/envelope';
import { silentLogger } from '../../src/log';
import type { Store } from '../../src/store';
import { storeFactories } from '../support/stores';

const envelope = (id: string, type = 'im.message.receive_v1', event: object = {}): EventEnvelope => ({
  schema: '2.0',
  header: { event_id: id, event_type: type },
  event,
});

describe.each(storeFactories)('pipeline on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let kicks = 0;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
    kicks = 0;
  });
  afterEach(async () => dispose());

  const make = (router: (e: EventEnvelope, fx: Effects) => Promise<void>, cardBudgetMs = 2500) =>
    new Pipeline({
      store,
      logger: silentLogger,
      router,
      kickDelivery: () => kicks++,
      cardBudgetMs,
      maxAttempts: 2,
    });

  it('handles each event once, even when processed from two places at the same time', async () => {
    let runs = 0;
    const p = make(async (e, fx) => {
      runs++;
      fx.write(fx.db.insert(kv).values({ key: `seen:${e.header.event_id}`, value: '1', updatedAt: 1 }));
      fx.send({ openId: 'ou_x' }, { schema: '2.0', body: { elements: [] } });
    });
    expect(await p.accept(envelope('e1'), 'webhook')).toBe('accepted');
    expect(await p.accept(envelope('e1'), 'webhook')).toBe('duplicate');
    const results = await Promise.all([p.process('e1'), p.process('e1'), p.recover()]);
    expect(results[0].status === 'done' || results[1].status === 'done').toBe(true);
    expect(await store.db.select().from(kv).where(eq(kv.key, 'seen:e1'))).toHaveLength(1);
    expect(await store.db.select().from(outbox)).toHaveLength(1);
    const [row] = await store.db.select().from(inbox);
    expect(row).toMatchObject({ status: 'done', payload: null });
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(kicks).toBeGreaterThanOrEqual(1);
  });

  it('the envelope just accepted is handled without reading it back, still only once', async () => {
    const p = make(async (e, fx) => {
      fx.write(fx.db.insert(kv).values({ key: `seen:${e.header.event_id}`, value: '1', updatedAt: 1 }));
    });
    const e = envelope('e3');
    await p.accept(e, 'webhook');
    const results = await Promise.all([p.process('e3', e), p.process('e3', e), p.recover()]);
    expect(results.filter((r) => typeof r === 'object' && r.status === 'done')).toHaveLength(1);
    expect(await store.db.select().from(kv).where(eq(kv.key, 'seen:e3'))).toHaveLength(1);
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'done', payload: null });
    // Handing an already handled event in again does nothing.
    expect((await p.process('e3', e)).status).toBe('skipped');
    expect(await store.db.select().from(kv).where(eq(kv.key, 'seen:e3'))).toHaveLength(1);
  });

  it('recovery takes only events received before its cutoff; younger ones are left to their accepter', async () => {
    let runs = 0;
    const p = new Pipeline({
      store,
      logger: silentLogger,
      router: async () => {
        runs++;
      },
      kickDelivery: () => {},
      clock: () => 10_000,
    });
    await p.accept(envelope('young'), 'webhook');
    expect(await p.recover(10_000)).toBe(0);
    expect(runs).toBe(0);
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'pending' });
    expect(await p.recover(10_001)).toBe(1);
    expect(runs).toBe(1);
  });

  it('a handler that keeps failing is given up after its attempts, its envelope kept for a replay', async () => {
    const p = make(async () => {
      throw new Error('boom');
    });
    await p.accept(envelope('e2'), 'webhook');
    expect((await p.process('e2')).status).toBe('error');
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await p.process('e2')).status).toBe('error');
    const [row] = await store.db.select().from(inbox);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(JSON.parse(row!.payload!).header.event_id).toBe('e2');
    // No sender in the event and no admins configured: nobody to tell.
    expect(await store.db.select().from(outbox)).toHaveLength(0);
  });

  it('a card callback over its budget answers with a toast and updates the card when done', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const p = make(async (_e, fx) => {
      await gate;
      fx.card({ schema: '2.0', body: { elements: [{ tag: 'markdown', content: '完成' }] } });
    }, 20);
    const answer = await p.handleCard(
      envelope('c1', 'card.action.trigger', { context: { open_message_id: 'om_clicked' } }),
      'webhook',
    );
    expect(answer.toast?.content).toContain('正在处理');
    release();
    for (let i = 0; i < 100 && (await store.db.select().from(outbox)).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const rows = await store.db.select().from(outbox);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ op: 'patch', targetMessageId: 'om_clicked' });
    expect(JSON.parse(rows[0]!.content!).body.elements[0].content).toBe('完成');
  });
});
