// The server under benchmark, as its own process: `BENCH_DRIVER=sqlite` is the real Node runtime (startNode),
// `BENCH_DRIVER=d1` the same service over a Miniflare D1 database. The parent talks to it over IPC.
import { AsyncLocalStorage } from 'node:async_hooks';
import { rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config';
import { createLarkTransport } from '../src/lark/client';
import { silentLogger } from '../src/log';
import type { DeliveryPolicy } from '../src/notify/deliver';
import { startNode } from '../src/runtime/node';
import { createService, type Service } from '../src/service';
import type { Store } from '../src/store';
import type { SqliteStore } from '../src/store/sqlite';
import { type DeliberationSeed, seedDeliberation } from '../test/support/decide';
import { peakRss } from './peak-rss';

export type ServerRequest =
  | { id: number; op: 'mem' }
  | { id: number; op: 'settle' }
  | {
      id: number;
      op: 'tick';
      now: number /** moves the real clock forward first (retention) */;
      wallAheadMs?: number;
    }
  | { id: number; op: 'db' }
  | { id: number; op: 'statements' }
  | { id: number; op: 'account'; eventIds: string[]; messageIds: string[] }
  | { id: number; op: 'peak' }
  | { id: number; op: 'hold-delivery' }
  | ({ id: number; op: 'deliberation' } & DeliberationSeed)
  | { id: number; op: 'close' };

/** What the database holds for a set of acknowledged events: each recorded once, handled, replied to once. */
export interface Accounting {
  recorded: number;
  handled: number;
  /** Reply rows in the outbox per message: exactly one, none, more than one. */
  replyOnce: number;
  replyMissing: number;
  replyTwice: number;
  /** First and last handling time (ms since epoch) of these events. */
  firstHandledAt: number | null;
  lastHandledAt: number | null;
  /** SQLite transactions and commit units so far (each transaction is one fsync). */
  transactions: number;
  units: number;
}

export type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export interface DbSize {
  /** Main file plus WAL as they are on disk. */
  fileBytes: number;
  /** Pages holding data after a checkpoint (the file minus its free list). */
  liveBytes: number;
  /** What `VACUUM INTO` writes: the smallest file the same data fits in. */
  vacuumedBytes: number;
  inboxRows: number;
  outboxRows: number;
}

/**
 * D1 statements prepared, batches sent and the statements inside them since start (the SQLite driver is
 * not counted): a round trip is a batch or a statement run on its own. The outbox's delivery is counted
 * apart (`delivery`): what an event costs before its reply is committed is recording it, reading what
 * handling needs and the commit, and the target (3 round trips for a 帮助) is on that.
 */
const statements = {
  event: { count: 0, batches: 0, batched: 0 },
  delivery: { count: 0, batches: 0, batched: 0 },
};
/** Set while the deliverer works, through every await of its run. */
const delivering = new AsyncLocalStorage<true>();
const counter = () => (delivering.getStore() ? statements.delivery : statements.event);
const tripsOf = (c: { count: number; batches: number; batched: number }) => c.batches + c.count - c.batched;

interface Running {
  service: Service;
  store: Store;
  url: string;
  close(): Promise<void>;
}

const size = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

function dbSize(path: string): DbSize {
  // A second connection: checkpoint the WAL into the main file, then read the page accounting.
  const db = new Database(path);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = Number(db.pragma('page_size', { simple: true }));
    const pages = Number(db.pragma('page_count', { simple: true }));
    const free = Number(db.pragma('freelist_count', { simple: true }));
    const copy = `${path}.vacuumed-${process.pid}-${Date.now()}`;
    db.prepare('VACUUM INTO ?').run(copy);
    const vacuumedBytes = size(copy);
    const count = (t: string) =>
      Number((db.prepare(`select count(*) as n from ${t}`).get() as { n: number }).n);
    const out: DbSize = {
      fileBytes: size(path) + size(`${path}-wal`),
      liveBytes: (pages - free) * pageSize,
      vacuumedBytes,
      inboxRows: count('inbox'),
      outboxRows: count('outbox'),
    };
    rmSync(copy, { force: true });
    return out;
  } finally {
    db.close();
  }
}

async function startD1(env: Record<string, string | undefined>, delivery: Partial<DeliveryPolicy>) {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  // Loaded only here, so the SQLite server's memory is the product's alone.
  const [{ migratedD1 }, { openD1Store }] = await Promise.all([
    import('../test/support/stores'),
    import('../src/store/d1'),
  ]);
  const { d1, dispose } = await migratedD1();
  // Count what crosses to D1: every statement is a round trip to the database.
  const counted = {
    prepare: (sql: string) => {
      counter().count++;
      return d1.prepare(sql);
    },
    batch: (stmts: unknown[]) => {
      const c = counter();
      c.batches++;
      c.batched += stmts.length;
      return d1.batch(stmts);
    },
    exec: (sql: string) => d1.exec(sql),
    dump: () => d1.dump(),
  };
  const store = openD1Store(counted as any);
  const service = createService({
    config: loaded.config,
    store,
    transport: createLarkTransport({
      appId: loaded.config.appId,
      appSecret: loaded.config.appSecret,
      domain: loaded.config.domain,
    }),
    logger: silentLogger,
    delivery,
  });
  // Everything the deliverer starts (its runs, the timer to the next due row, the look for it) is delivery.
  const { deliverer } = service;
  for (const name of ['kick', 'deliverDue', 'nextDueWithin'] as const) {
    const own = deliverer[name].bind(deliverer) as (...a: unknown[]) => unknown;
    (deliverer as unknown as Record<string, unknown>)[name] = (...a: unknown[]) =>
      delivering.run(true, () => own(...a));
  }
  const server = serve({ fetch: service.app.fetch, port: loaded.config.port, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    service,
    store,
    url,
    async close() {
      service.deliverer.close();
      await service.settle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dispose();
    },
  };
}

/**
 * The side-by-side runs compare acknowledgements alone: the peer has nothing to send, and once delivery is
 * held the project sends nothing either. A sweep under way when the hold comes finishes first (`hold`
 * resolves then); every later one waits, and at close is let go without sending: what was held would
 * otherwise go out at the app's 50 messages/s through the next part's runs, which share the app's limit in
 * the emulator.
 */
function holdable(deliverer: Service['deliverer']) {
  let held = false;
  let letGo = () => {};
  const closed = new Promise<void>((resolve) => (letGo = resolve));
  const active = new Set<Promise<unknown>>();
  const sweep = deliverer.deliverDue.bind(deliverer);
  deliverer.deliverDue = async (...args: Parameters<typeof sweep>) => {
    if (held) {
      await closed;
      return { delivered: 0, retried: 0, failed: 0, deferred: 0 };
    }
    const run = sweep(...args);
    active.add(run);
    try {
      return await run;
    } finally {
      active.delete(run);
    }
  };
  return {
    async hold() {
      held = true;
      await Promise.allSettled([...active]);
    },
    /** Closing: whatever waits is let go without sending. */
    drop: () => letGo(),
  };
}

function account(
  path: string,
  eventIds: string[],
  messageIds: string[],
): Omit<Accounting, 'transactions' | 'units'> {
  const db = new Database(path, { readonly: true });
  try {
    const inbox = db
      .prepare(
        "select count(*) as recorded, sum(status = 'done') as handled, min(handled_at) as first, max(handled_at) as last from inbox where event_id in (select value from json_each(?))",
      )
      .get(JSON.stringify(eventIds)) as {
      recorded: number;
      handled: number | null;
      first: number | null;
      last: number | null;
    };
    // One pass over the outbox's replies, not one scan per message (target_message_id has no index).
    const counts = new Map(
      (
        db
          .prepare(
            "select target_message_id as id, count(*) as n from outbox where op = 'reply' group by target_message_id",
          )
          .all() as { id: string; n: number }[]
      ).map((r) => [r.id, r.n]),
    );
    const replies = messageIds.map((id) => ({ id, n: counts.get(id) ?? 0 }));
    return {
      recorded: inbox.recorded,
      handled: inbox.handled ?? 0,
      replyOnce: replies.filter((r) => r.n === 1).length,
      replyMissing: replies.filter((r) => r.n === 0).length,
      replyTwice: replies.filter((r) => r.n > 1).length,
      firstHandledAt: inbox.first,
      lastHandledAt: inbox.last,
    };
  } finally {
    db.close();
  }
}

async function main() {
  const env = process.env;
  const delivery = JSON.parse(env.BENCH_DELIVERY ?? '{}') as Partial<DeliveryPolicy>;
  const driver = env.BENCH_DRIVER ?? 'sqlite';
  let running: Running;
  // Retention follows the real clock; the bench moves it ahead to show what retention leaves behind.
  let wallAheadMs = 0;
  if (driver === 'd1') running = await startD1(env, delivery);
  else {
    const rt = await startNode(env, {
      logger: silentLogger,
      delivery,
      wallClock: () => Date.now() + wallAheadMs,
    });
    running = { service: rt.service, store: rt.store, url: rt.url, close: () => rt.close() };
  }
  const held = holdable(running.service.deliverer);
  const gc = (globalThis as { gc?: () => void }).gc;
  // The highest RSS since the last `peak` request (scripts/peak-rss.ts).
  const peak = peakRss();
  const send = (m: ServerMessage) => process.send?.(m);

  process.on('message', async (req: ServerRequest) => {
    try {
      let result: unknown = null;
      switch (req.op) {
        case 'mem': {
          // Twice: the first pass frees what finalisers release for the second.
          gc?.();
          gc?.();
          const m = process.memoryUsage();
          result = { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
          break;
        }
        case 'settle':
          await running.service.settle();
          break;
        case 'tick':
          wallAheadMs = req.wallAheadMs ?? wallAheadMs;
          result = await running.service.tick(new Date(req.now));
          await running.service.settle();
          break;
        case 'statements':
          result =
            driver === 'd1'
              ? {
                  count: statements.event.count + statements.delivery.count,
                  eventTrips: tripsOf(statements.event),
                  deliveryTrips: tripsOf(statements.delivery),
                }
              : null;
          break;
        case 'db':
          result = driver === 'd1' || !env.DATABASE_PATH ? null : dbSize(env.DATABASE_PATH);
          break;
        case 'account': {
          const d = (running.store as Partial<SqliteStore>).durability?.();
          result = {
            ...(env.DATABASE_PATH && driver !== 'd1'
              ? account(env.DATABASE_PATH, req.eventIds, req.messageIds)
              : {}),
            transactions: d?.transactions ?? 0,
            units: d?.units ?? 0,
          };
          break;
        }
        case 'deliberation':
          await seedDeliberation(running.service, running.store, req, 'bench');
          break;
        case 'hold-delivery':
          await held.hold();
          break;
        case 'peak':
          result = peak.take();
          break;
        case 'close':
          held.drop();
          await running.close();
          send({ type: 'reply', id: req.id, ok: true, result: null });
          // The SDK's keep-alive sockets would hold the process open.
          setTimeout(() => process.exit(0), 50);
          return;
      }
      send({ type: 'reply', id: req.id, ok: true, result });
    } catch (err) {
      send({ type: 'reply', id: req.id, ok: false, error: String(err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: running.url });
}

main().catch((err) => {
  console.error(`bench server failed to start: ${String(err)}`);
  process.exit(1);
});
