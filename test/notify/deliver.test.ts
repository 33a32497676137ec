import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messageRefs, outbox } from '../../db/schema';
import { LarkCallError, type LarkTransport } from '../../src/lark/client';
import { silentLogger } from '../../src/log';
import { Deliverer } from '../../src/notify/deliver';
import { cardMessage, enqueuePatch, enqueueSend, textMessage } from '../../src/notify/outbox';
import type { Store } from '../../src/store';
import { storeFactories } from '../support/stores';

type Call = { op: string; target: string; content?: string; uuid?: string; at: number };

/** A transport that records calls and fails as told; the clock is virtual so pacing is measurable. */
function fakeTransport(clock: { t: number }, failures: Record<string, LarkCallError[]> = {}) {
  const calls: Call[] = [];
  let n = 0;
  const maybeFail = (target: string) => {
    const f = failures[target]?.shift();
    if (f) throw f;
  };
  const t: LarkTransport = {
    async send(_type, id, _msgType, content, uuid) {
      calls.push({ op: 'send', target: id, content, uuid, at: clock.t });
      maybeFail(id);
      return { messageId: `om_${++n}` };
    },
    async reply(id, _m, content, uuid) {
      calls.push({ op: 'reply', target: id, content, uuid, at: clock.t });
      maybeFail(id);
      return { messageId: `om_${++n}` };
    },
    async patch(id, content) {
      calls.push({ op: 'patch', target: id, content, at: clock.t });
      maybeFail(id);
    },
    async urgent(id) {
      calls.push({ op: 'urgent', target: id, at: clock.t });
    },
    async uploadFile(_type, name) {
      calls.push({ op: 'upload', target: name, at: clock.t });
      return `file_${++n}`;
    },
    async userName() {
      return undefined;
    },
    async botOpenId() {
      return 'ou_bot';
    },
  };
  return { t, calls };
}

describe.each(storeFactories)('outbox delivery on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const clock = { t: 1_000_000 };
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
    clock.t = 1_000_000;
  });
  afterEach(async () => dispose());

  const deliverer = (transport: LarkTransport, admins: string[] = ['ou_admin']) =>
    new Deliverer({
      store,
      transport,
      logger: silentLogger,
      clock: () => clock.t,
      sleep: async (ms) => {
        clock.t += ms;
      },
      admins: async () => admins,
      policy: { baseBackoffMs: 1000 },
    });
  const now = () => new Date(clock.t);
  const rows = () => store.db.select().from(outbox);

  it('paces sends to one user at 5 per second', async () => {
    const { t, calls } = fakeTransport(clock);
    await store.commit(
      Array.from({ length: 12 }, (_, i) =>
        enqueueSend(store.db, { to: { openId: 'ou_a' }, message: textMessage(`m${i}`), now: now() }),
      ),
    );
    const report = await deliverer(t).deliverDue(now());
    expect(report.delivered).toBe(12);
    const times = calls.map((c) => c.at);
    for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(1000);
    expect(calls.map((c) => JSON.parse(c.content!).text)).toEqual(
      Array.from({ length: 12 }, (_, i) => `m${i}`),
    );
  });

  it('retries a 500 with exponential back-off and keeps the same uuid', async () => {
    const { t, calls } = fakeTransport(clock, {
      ou_b: [new LarkCallError('retry', undefined, 500), new LarkCallError('retry', undefined, 500)],
    });
    await store.commit([
      enqueueSend(store.db, { to: { openId: 'ou_b' }, message: textMessage('hi'), now: now() }),
    ]);
    const d = deliverer(t);
    expect((await d.deliverDue(now())).retried).toBe(1);
    const [r1] = await rows();
    expect(r1!.nextAttemptAt - clock.t).toBe(1000);
    expect((await d.deliverDue(now())).delivered).toBe(0); // not due yet
    clock.t += 1000;
    expect((await d.deliverDue(now())).retried).toBe(1);
    const [r2] = await rows();
    expect(r2!.nextAttemptAt - clock.t).toBe(2000);
    clock.t += 2000;
    expect((await d.deliverDue(now())).delivered).toBe(1);
    expect(new Set(calls.map((c) => c.uuid)).size).toBe(1);
    expect((await rows())[0]).toMatchObject({ status: 'done', attempts: 3, content: null });
  });

  it('a permanent failure is marked and the admins are told, once', async () => {
    const { t, calls } = fakeTransport(clock, { oc_gone: [new LarkCallError('permanent', 230002, 400)] });
    await store.commit([
      enqueueSend(store.db, { to: { chatId: 'oc_gone' }, message: textMessage('x'), now: now() }),
    ]);
    const d = deliverer(t, ['ou_admin1', 'ou_admin2']);
    expect((await d.deliverDue(now())).failed).toBe(1);
    await d.deliverDue(now());
    const all = await rows();
    expect(all.find((r) => r.receiveId === 'oc_gone')).toMatchObject({
      status: 'failed',
      lastError: 'permanent:230002',
    });
    const alerts = calls.filter((c) => c.target.startsWith('ou_admin'));
    expect(alerts.map((c) => c.target).sort()).toEqual(['ou_admin1', 'ou_admin2']);
    expect(JSON.parse(alerts[0]!.content!).text).toContain('机器人不在该群中');
  });

  it('an update waits for its card to go out, and only the newest update is sent', async () => {
    const { t, calls } = fakeTransport(clock, { ou_c: [new LarkCallError('retry', undefined, 503)] });
    const card = (n: number) => ({
      schema: '2.0',
      body: { elements: [{ tag: 'markdown', content: `v${n}` }] },
    });
    await store.commit([
      enqueueSend(store.db, {
        to: { openId: 'ou_c' },
        message: cardMessage(card(0)),
        now: now(),
        ref: 'tracker:c1',
      }),
      enqueuePatch(store.db, { target: { ref: 'tracker:c1' }, card: card(1), now: now() }),
      enqueuePatch(store.db, { target: { ref: 'tracker:c1' }, card: card(2), now: now() }),
    ]);
    const d = deliverer(t);
    const first = await d.deliverDue(now());
    expect(first).toMatchObject({ retried: 1, delivered: 0 });
    expect(calls.filter((c) => c.op === 'patch')).toHaveLength(0);
    clock.t += 5000;
    await d.deliverDue(now());
    await d.deliverDue(now());
    const patches = calls.filter((c) => c.op === 'patch');
    expect(patches).toHaveLength(1);
    expect(JSON.parse(patches[0]!.content!).body.elements[0].content).toBe('v2');
    const [ref] = await store.db.select().from(messageRefs);
    expect(patches[0]!.target).toBe(ref!.messageId);
    expect((await rows()).every((r) => r.status === 'done')).toBe(true);
  });

  it('two deliverers sweeping at once send each row once', async () => {
    const { t, calls } = fakeTransport(clock);
    await store.commit(
      Array.from({ length: 6 }, (_, i) =>
        enqueueSend(store.db, { to: { openId: `ou_${i}` }, message: textMessage('x'), now: now() }),
      ),
    );
    await Promise.all([deliverer(t).deliverDue(now()), deliverer(t).deliverDue(now())]);
    expect(calls).toHaveLength(6);
    expect((await rows()).every((r) => r.status === 'done' && r.attempts === 1)).toBe(true);
  });

  it('a private row forgets its recipient, uuid and content once delivered, and leaves no message ref', async () => {
    const { t, calls } = fakeTransport(clock);
    await store.commit([
      enqueueSend(store.db, {
        to: { openId: 'ou_reporter' },
        message: textMessage('查询码 QK7M2P9XW4'),
        now: now(),
        ref: 'private:report-code',
      }),
    ]);
    expect((await deliverer(t).deliverDue(now())).delivered).toBe(1);
    expect(calls).toHaveLength(1);
    const bytes = JSON.stringify(await rows());
    expect(bytes).not.toContain('ou_reporter');
    expect(bytes).not.toContain('QK7M2P9XW4');
    expect(bytes).not.toContain(calls[0]!.uuid === undefined ? 'x' : 'om_1');
    // A resend with the uuid would return the original message, chat included.
    expect(calls[0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(bytes).not.toContain(calls[0]!.uuid);
    expect(await store.db.select().from(messageRefs)).toHaveLength(0);
  });

  it('a private row that fails for good forgets its recipient and uuid too', async () => {
    const { t, calls } = fakeTransport(clock);
    t.send = async (_type, id, _msgType, content, uuid) => {
      calls.push({ op: 'send', target: id, content, uuid, at: clock.t });
      throw new LarkCallError('permanent', 230013, 400);
    };
    await store.commit([
      enqueueSend(store.db, {
        to: { openId: 'ou_reporter_gone' },
        message: textMessage('说明'),
        now: now(),
        ref: 'private:note',
      }),
    ]);
    expect((await deliverer(t).deliverDue(now())).failed).toBe(1);
    const [row] = (await rows()).filter((r) => r.ref === 'private:note');
    expect(row?.status).toBe('failed');
    expect(row?.receiveId).toBeNull();
    expect(row?.uuid).not.toBe(calls[0]!.uuid);
  });
});
