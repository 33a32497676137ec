import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite';
import { type Harness, OFFICER, startHarness } from '../support/harness';

/** Rows and a consistency check read through a connection of their own, as an operator would. */
function inspect(dbPath: string) {
  const db = new Database(dbPath, { readonly: true });
  try {
    return {
      inbox: db.prepare('select event_id as eventId, status from inbox').all() as {
        eventId: string;
        status: string;
      }[],
      outbox: (db.prepare('select count(*) as n from outbox').get() as { n: number }).n,
      integrity: (db.prepare('pragma integrity_check').get() as { integrity_check: string }).integrity_check,
    };
  } finally {
    db.close();
  }
}

describe('the database full or locked', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => h?.close());

  const replies = (messageId: string) =>
    h.emu.messages({ openId: OFFICER.openId }).filter((m) => m.replyTo === messageId);

  /** Like a disk with no space left: the file may not grow, and the inbox's pages are filled to the brim. */
  async function fillDisk() {
    const db = h.rt.store.db as unknown as {
      get<T>(q: ReturnType<typeof sql>): T;
    };
    const { page_count } = db.get<{ page_count: number }>(sql`pragma page_count`);
    // The limit is the writing connection's own (the store writes on a thread of its own).
    const store = h.rt.store as SqliteStore;
    await store.writerPragma(`max_page_count = ${page_count}`);
    let n = 0;
    for (const size of [4000, 1000, 250, 60, 1]) {
      for (let i = 0; i < 10_000; i++, n++) {
        try {
          await h.rt.store.commit([
            {
              sql: "insert into inbox (event_id, event_type, source, payload, status, received_at) values (?, 'filler', 'webhook', ?, 'done', 0)",
              params: [`filler${String(n).padStart(26, '0')}`, 'x'.repeat(size)],
            },
          ]);
        } catch (err) {
          expect((err as { code?: string }).code).toBe('SQLITE_FULL');
          break;
        }
      }
    }
    return () => store.writerPragma('max_page_count = 1073741823');
  }

  it('full: an event is answered 503 and nothing is recorded; once space frees, the retry is handled once', async () => {
    const warm = await h.emu.sendText(OFFICER.openId, '帮助');
    await h.settle();
    expect(replies(warm.messageId!)).toHaveLength(1);
    const card = replies(warm.messageId!)[0]!;
    const before = inspect(h.dbPath);

    const free = await fillDisk();
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(503);
    expect((sent.json as { msg: string }).msg).toContain('请稍后重试');
    const button = h.emu.buttons(card.messageId).find((b) => b.value.a === 'cmd');
    expect(button).toBeDefined();
    const click = await h.emu.click(OFFICER.openId, card.messageId, button!.value);
    expect(click.status).toBe(200);
    expect(click.toast?.content).toContain('系统繁忙');
    await h.settle();
    const during = inspect(h.dbPath);
    expect(during.inbox.filter((r) => !r.eventId.startsWith('filler'))).toEqual(before.inbox);
    expect(during.outbox).toBe(before.outbox);
    expect(during.integrity).toBe('ok');

    await free();
    // The platform delivers the refused event again: handled once, like any other.
    expect((await h.emu.deliver(sent.envelope)).status).toBe(200);
    expect((await h.emu.deliver(sent.envelope)).status).toBe(200);
    await h.settle();
    expect(replies(sent.messageId!)).toHaveLength(1);
    expect(inspect(h.dbPath).inbox.filter((r) => r.eventId === sent.eventId)).toEqual([
      { eventId: sent.eventId, status: 'done' },
    ]);
  }, 60_000);

  it('locked past the busy timeout: 503, nothing recorded; after the lock is gone the retry is handled once', async () => {
    const other = new Database(h.dbPath);
    other.exec('begin immediate');
    other.prepare("insert into kv (key, value, updated_at) values ('other-writer', '1', 0)").run();
    const sent = await h.emu.sendText(OFFICER.openId, '帮助');
    expect(sent.status).toBe(503);
    other.exec('commit');
    other.close();
    expect(inspect(h.dbPath).inbox.some((r) => r.eventId === sent.eventId)).toBe(false);

    expect((await h.emu.deliver(sent.envelope)).status).toBe(200);
    await h.settle();
    expect(replies(sent.messageId!)).toHaveLength(1);
  }, 60_000);
});
