// What the sandbox page may do to the running sandbox besides chatting: move business time (each move runs
// tick at the new time) and start over.
import { resolve } from 'node:path';
import { eq, is } from 'drizzle-orm';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../../db/schema';
import { atBusinessTime, businessDate } from '../calendar';
import { type BusinessClock, clockJumps, type SandboxDeadline } from '../sandbox/clock';
import type { LarkEmulator } from '../sandbox/emulator';
import { type SandboxControls, seedSandbox } from '../sandbox/page';
import type { Service } from '../service';
import type { Store } from '../store';
import { Repo } from '../store/repo';

/** Marks a database as the sandbox's and keeps its business time, so a restart and `npm run tick` see both. */
export const SANDBOX_CLOCK_KEY = 'sandbox:clock';

/** How far the sandbox's business time was ahead of the wall clock, or null for a database that is not the sandbox's. */
export async function readSandboxClock(store: Store): Promise<number | null> {
  const [row] = await store.db
    .select({ value: schema.kv.value })
    .from(schema.kv)
    .where(eq(schema.kv.key, SANDBOX_CLOCK_KEY));
  return row ? Number(row.value) || 0 : null;
}

export async function saveSandboxClock(store: Store, clock: BusinessClock): Promise<void> {
  const value = String(clock.offsetMs);
  const updatedAt = clock.now();
  await store.commit([
    store.db
      .insert(schema.kv)
      .values({ key: SANDBOX_CLOCK_KEY, value, updatedAt })
      .onConflictDoUpdate({ target: schema.kv.key, set: { value, updatedAt } }),
  ]);
}

const TABLES = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable));

/** Open deadlines the page offers to jump to. */
async function openDeadlines(store: Store): Promise<SandboxDeadline[]> {
  const repo = new Repo(store.db);
  const out: SandboxDeadline[] = [];
  for (const c of await repo.casesByStatus(['investigating', 'deliberating', 'correcting'])) {
    const caseNumber = c.number ?? c.id;
    if (c.status === 'correcting' && c.correction?.status === 'open')
      out.push({ caseNumber, kind: 'correction', dueOn: c.correction.deadline });
    else if (c.status !== 'correcting' && c.decisionDueOn)
      out.push({ caseNumber, kind: 'decision', dueOn: c.decisionDueOn });
  }
  return out;
}

const DAY_MS = 86_400_000;
const MAX_STOPS = 400;

/** Each 09:00 Shanghai strictly between `from` and `to` (at most a bounded number). */
function dailyStops(from: number, to: number): number[] {
  const stops: number[] = [];
  let d = businessDate(new Date(from));
  for (let i = 0; i < MAX_STOPS; i++) {
    const t = atBusinessTime(d, 9).getTime();
    if (t >= to) break;
    if (t > from) stops.push(t);
    d = businessDate(new Date(atBusinessTime(d, 12).getTime() + DAY_MS));
  }
  return stops;
}

export function sandboxControls(o: {
  clock: BusinessClock;
  service: Service;
  store: Store;
  emulator: LarkEmulator;
  databasePath: string;
}): SandboxControls {
  const { clock, service, store, emulator } = o;
  // One move at a time: a jump runs a whole tick, and two ticks at once would only race each other.
  let running: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = running.then(work, work);
    running = next.catch(() => undefined);
    return next;
  };
  return {
    now: () => clock.now(),
    databasePath: resolve(o.databasePath),
    async jumps() {
      const now = new Date(clock.now());
      const p = service.bot.policy.correction;
      return clockJumps(now, await openDeadlines(store), p.reminderOffsetsDays, service.bot.calendar);
    },
    moveTo: (ms) =>
      serial(async () => {
        const from = clock.now();
        if (ms !== undefined && ms < from) return { ok: false, now: from };
        const at = ms ?? from;
        // Time passes day by day, as it would with the minute tick: each 09:00 on the way is ticked too, so
        // daily reminders go out and cards near Lark's 14-day limit are renewed before it.
        const stops = [...dailyStops(from, at), at];
        let report: unknown;
        for (const stop of stops) {
          clock.set(stop);
          emulator.setClock(stop);
          await service.settle();
          report = await service.tick(new Date(stop));
          await service.settle();
        }
        await saveSandboxClock(store, clock);
        return { ok: true, now: at, report };
      }),
    reset: () =>
      serial(async () => {
        await service.settle();
        await store.commit(TABLES.map((t) => store.db.delete(t)));
        clock.reset();
        emulator.setClock(clock.now());
        const s = emulator.state;
        for (const m of Object.keys(s.chats)) delete s.chats[m];
        s.messages.length = 0;
        for (const k of ['uuids', 'files', 'cardTokens'] as const)
          for (const id of Object.keys(s[k])) delete s[k][id];
        s.requestLog.length = 0;
        s.deliveryLog.length = 0;
        await saveSandboxClock(store, clock);
        await seedSandbox(emulator, () => service.settle());
      }),
  };
}
