import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conversations, inbox, kv, outbox } from '../../db/schema';
import type { Effects } from '../../src/bot/effects';
import { Pipeline } from '../../src/bot/pipeline';
import type { EventEnvelope } from '../../src/lark/envelope';
import { silentLogger } from '../../src/log';
import type { UnrecordedMessage } from '../../src/notify/outbox';
import { guard, type Store } from '../../src/store';
import { storeFactories } from '../support/stores';

const SENDER = 'ou_sender_wang';
const ADMINS = ['ou_admin_1', 'ou_admin_2'];
const SECRET = '这段话只属于发送人';

const textEvent = (id: string, text: string): EventEnvelope => ({
  schema: '2.0',
  header: { event_id: id, event_type: 'im.message.receive_v1' },
  event: {
    sender: { sender_id: { open_id: SENDER }, sender_type: 'user' },
    message: {
      message_id: `om_${id}`,
      chat_id: 'oc_p2p',
      chat_type: 'p2p',
      message_type: 'text',
      content: JSON.stringify({ text }),
    },
  },
});

const clickEvent = (id: string, value: object = { a: 'vote.cast' }): EventEnvelope => ({
  schema: '2.0',
  header: { event_id: id, event_type: 'card.action.trigger' },
  event: {
    operator: { open_id: SENDER },
    action: { tag: 'button', value },
    context: { open_message_id: 'om_card', open_chat_id: 'oc_group' },
  },
});

type Router = (e: EventEnvelope, fx: Effects) => Promise<void>;

describe.each(storeFactories)('dead letters and late answers on $name', (factory) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
  });
  afterEach(async () => dispose());

  const make = (router: Router, cardBudgetMs = 2500) =>
    new Pipeline({
      store,
      logger: silentLogger,
      router,
      kickDelivery: () => {},
      cardBudgetMs,
      maxAttempts: 3,
      admins: async () => ADMINS,
    });
  const outRows = async () => store.db.select().from(outbox);
  const textsTo = async (openId: string) =>
    (await outRows())
      .filter((r) => r.receiveId === openId && r.msgType === 'text')
      .map((r) => JSON.parse(r.content!).text as string);
  const failAll = async (p: Pipeline, id: string, times = 3) => {
    for (let i = 0; i < times; i++) expect((await p.process(id)).status).toBe('error');
  };

  it('a failed event keeps its envelope, tells its sender what to do and the admins without contents', async () => {
    const p = make(async () => {
      throw new Error('handler bug');
    });
    await p.accept(textEvent('e1', SECRET), 'webhook');
    await failAll(p, 'e1', 2);
    // Still being retried: nobody is bothered yet.
    expect(await outRows()).toHaveLength(0);
    await failAll(p, 'e1', 1);
    const [row] = await store.db.select().from(inbox);
    expect(row).toMatchObject({ status: 'failed', attempts: 3 });
    expect(JSON.parse(row!.payload!).event.message.content).toContain(SECRET);
    const [told] = await textsTo(SENDER);
    expect(told).toContain('没有处理成功');
    expect(told).toContain('请不要重复操作');
    for (const admin of ADMINS) {
      const [alert] = await textsTo(admin);
      expect(alert).toContain('e1');
      expect(alert).toContain('重试失败事件');
      expect(alert).not.toContain(SECRET);
      expect(alert).not.toContain(SENDER);
    }
  });

  it('a failed report step keeps nothing to replay; its sender is told to act again, under a private ref', async () => {
    const p = make(async () => {
      throw new Error('handler bug');
    });
    await store.commit([
      store.db.insert(conversations).values({
        openId: SENDER,
        flow: 'report',
        step: 'anon',
        data: JSON.stringify({ d: 'tok' }),
        version: 1,
        updatedAt: 1,
      }),
    ]);
    await p.accept(textEvent('typed', SECRET), 'webhook');
    await p.accept(textEvent('word', '举报'), 'webhook');
    await p.accept(clickEvent('click', { a: 'report.mode', d: 'tok', m: 'anon' }), 'webhook');
    for (const id of ['typed', 'word', 'click']) await failAll(p, id);
    const rows = await store.db.select().from(inbox);
    expect(rows.map((r) => [r.eventId, r.status, r.payload])).toEqual(
      expect.arrayContaining([
        ['typed', 'failed', null],
        ['word', 'failed', null],
        ['click', 'failed', null],
      ]),
    );
    const toSender = (await outRows()).filter((r) => r.receiveId === SENDER);
    expect(toSender).toHaveLength(3);
    for (const r of toSender) {
      expect(r.ref).toMatch(/^private:/);
      expect(JSON.parse(r.content!).text).toContain('请稍后重新操作');
    }
    for (const alert of await textsTo(ADMINS[0]!)) expect(alert).toContain('无法重新处理');
  });

  it('a report step is read as the router reads it: a post, or words after an @mention, keep nothing either', async () => {
    const p = make(async () => {
      throw new Error('handler bug');
    });
    const post: EventEnvelope = {
      schema: '2.0',
      header: { event_id: 'post', event_type: 'im.message.receive_v1' },
      event: {
        sender: { sender_id: { open_id: SENDER }, sender_type: 'user' },
        message: {
          message_id: 'om_post',
          chat_id: 'oc_p2p',
          chat_type: 'p2p',
          message_type: 'post',
          content: JSON.stringify({ title: '', content: [[{ tag: 'text', text: '查询 K7M2P9QX4R' }]] }),
        },
      },
    };
    const mentioned: EventEnvelope = {
      schema: '2.0',
      header: { event_id: 'mention', event_type: 'im.message.receive_v1' },
      event: {
        sender: { sender_id: { open_id: SENDER }, sender_type: 'user' },
        message: {
          message_id: 'om_mention',
          chat_id: 'oc_group',
          chat_type: 'group',
          message_type: 'text',
          content: JSON.stringify({ text: '@_user_1 举报' }),
          mentions: [{ key: '@_user_1', id: { open_id: 'ou_bot' }, name: '容错纠错助手' }],
        },
      },
    };
    await p.accept(post, 'webhook');
    await p.accept(mentioned, 'webhook');
    await p.accept(textEvent('plain', SECRET), 'webhook');
    for (const id of ['post', 'mention', 'plain']) await failAll(p, id);
    const rows = await store.db.select().from(inbox);
    const kept = Object.fromEntries(rows.map((r) => [r.eventId, r.payload !== null]));
    expect(kept).toEqual({ post: false, mention: false, plain: true });
  });

  it('an event handled elsewhere while its last attempt failed is no dead letter and alarms nobody', async () => {
    let runs = 0;
    const p = make(async () => {
      runs++;
      if (runs === 3)
        await store.commit([
          { sql: "update inbox set status = 'done', payload = null where event_id = 'raced'", params: [] },
        ]);
      throw new Error('handler bug');
    });
    await p.accept(textEvent('raced', 'x'), 'webhook');
    await failAll(p, 'raced', 2);
    expect((await p.process('raced')).status).toBe('skipped');
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'done' });
    expect(await outRows()).toHaveLength(0);
  });

  it('an anonymous sender is told from memory: no outbox row, no kept envelope', async () => {
    const sent: UnrecordedMessage[] = [];
    const p = new Pipeline({
      store,
      logger: silentLogger,
      kickDelivery: () => {},
      maxAttempts: 1,
      admins: async () => ADMINS,
      redact: (e) => ({ recorded: { ...e, event: { redacted: true } }, traces: [SENDER, 'om_anon'] }),
      sendUnrecorded: async (m) => {
        sent.push(...m);
      },
      router: async () => {
        throw new Error('handler bug');
      },
    });
    const e = textEvent('anon', SECRET);
    expect(await p.accept(e, 'webhook')).toBe('accepted');
    expect((await p.process('anon', e)).status).toBe('error');
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'failed', payload: null });
    const rows = await outRows();
    expect(JSON.stringify(rows)).not.toContain(SENDER);
    expect(rows.map((r) => r.receiveId).sort()).toEqual([...ADMINS].sort());
    expect(sent).toEqual([
      { op: 'send', openId: SENDER, message: expect.objectContaining({ msgType: 'text' }) },
    ]);
    expect(JSON.stringify(sent)).toContain('请稍后重新操作');
  });

  it('a full or locked database does not count as a failed attempt', async () => {
    let calls = 0;
    const p = make(async () => {
      calls++;
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    await p.accept(textEvent('e2', 'x'), 'webhook');
    await failAll(p, 'e2', 5);
    expect(calls).toBe(5);
    expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await outRows()).toHaveLength(0);
  });

  describe('a click answered after the budget', () => {
    const gated = (conclude: (fx: Effects) => void) => {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      return {
        release,
        router: (async (_e, fx) => {
          await gate;
          conclude(fx);
        }) as Router,
      };
    };
    const lateClick = async (router: Router, release: () => void, id: string) => {
      const p = make(router, 5);
      const answer = await p.handleCard(clickEvent(id), 'webhook');
      expect(answer.toast?.content).toBe('已收到，正在处理，结果稍后更新');
      release();
      await p.idle();
      return p;
    };

    it('a refusal reaches the clicker as a direct message', async () => {
      const g = gated((fx) => fx.toast('warning', '本轮表决已结束，不能再投票'));
      await lateClick(g.router, g.release, 'late-refusal');
      const [dm] = await textsTo(SENDER);
      expect(dm).toContain('本轮表决已结束，不能再投票');
      expect((await store.db.select().from(inbox))[0]).toMatchObject({ status: 'done' });
    });

    it('a success updates the card and tells the clicker the toast', async () => {
      const g = gated((fx) => {
        fx.write(fx.db.insert(kv).values({ key: 'voted', value: '1', updatedAt: 1 }));
        fx.toast('success', '已记录你的表决');
        fx.card({ schema: '2.0', body: { elements: [] } });
      });
      await lateClick(g.router, g.release, 'late-ok');
      const rows = await outRows();
      expect(rows.filter((r) => r.op === 'patch' && r.targetMessageId === 'om_card')).toHaveLength(1);
      expect(await textsTo(SENDER)).toEqual([expect.stringContaining('已记录你的表决')]);
      expect(await store.db.select().from(kv)).toHaveLength(1);
    });

    it('an error tells the clicker it will be retried, and the retry forwards its answer', async () => {
      let fail = true;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const p = await lateClick(
        async (_e, fx) => {
          await gate;
          if (fail) throw new Error('handler bug');
          fx.toast('success', '已记录你的表决');
        },
        () => release(),
        'late-error',
      );
      expect(await textsTo(SENDER)).toEqual([expect.stringContaining('系统会自动重试')]);
      fail = false;
      expect(await p.recover()).toBe(1);
      expect(await textsTo(SENDER)).toEqual([
        expect.stringContaining('系统会自动重试'),
        expect.stringContaining('已记录你的表决'),
      ]);
    });

    it('an attempt that loses a race after the budget lets the clicker go at once; the retry forwards', async () => {
      // The first commit is slow enough for the budget to run out during it, and then loses a race.
      let commits = 0;
      const slowStore: Store = {
        ...store,
        db: store.db,
        async commit(writes) {
          // The accept, then the first attempt's claim.
          if (++commits === 2) await new Promise((r) => setTimeout(r, 30));
          return store.commit(writes);
        },
      };
      let runs = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const p = new Pipeline({
        store: slowStore,
        logger: silentLogger,
        kickDelivery: () => {},
        cardBudgetMs: 5,
        router: async (_e, fx) => {
          runs++;
          if (runs === 1) {
            fx.write(fx.db.update(kv).set({ value: 'x' }).where(eq(kv.key, 'nobody')), guard);
            return;
          }
          await gate;
          fx.toast('success', '已记录你的表决');
        },
      });
      const answer = await p.handleCard(clickEvent('raced-click'), 'webhook');
      expect(answer.toast?.content).toBe('已收到，正在处理，结果稍后更新');
      release();
      await p.idle();
      expect(runs).toBe(2);
      expect(await textsTo(SENDER)).toEqual([expect.stringContaining('已记录你的表决')]);
    });

    it('an answer inside the budget is the response itself, with no message besides', async () => {
      const p = make(async (_e, fx) => {
        fx.toast('warning', '本轮表决已结束');
      });
      const answer = await p.handleCard(clickEvent('quick'), 'webhook');
      expect(answer.toast?.content).toBe('本轮表决已结束');
      expect(await outRows()).toHaveLength(0);
    });
  });

  it('a click handled after a restart forwards its answer to the clicker', async () => {
    const p = make(async (_e, fx) => {
      fx.toast('error', '你不是本案的表决成员');
    });
    await p.accept(clickEvent('recovered'), 'webhook');
    expect(await p.recover()).toBe(1);
    expect(await textsTo(SENDER)).toEqual([expect.stringContaining('你不是本案的表决成员')]);
  });
});
