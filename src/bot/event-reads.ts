import { eq } from 'drizzle-orm';
import { kv } from '../../db/schema';
import type { Role } from '../cases/types';
import type { Db, Store } from '../store';
import { keepReadsOf, kept } from '../store/prepared';
import { type Conversation, conversationFrom, type Repo, rolesFrom } from '../store/repo';
import { EXTRA_DAYS_KEY, type LiveCalendar, storedExtraDays } from './calendar-data';

/** What almost every event reads first: the sender's roles and conversation, and the admins' extra days. */
export type EventReads = (repo: Repo, openId: string | undefined) => Promise<void>;

/** Entries per process cache; past it the cache starts over (a bound on memory, not a policy). */
const MAX_CACHED = 10_000;

/**
 * On a store that is the database's one writer (SQLite on Node) the three are kept in memory and read again
 * only after a commit wrote their table. Elsewhere (D1, where other isolates write too) they are read
 * fresh for every unit, in one batch: one round trip instead of three.
 */
export function eventReads(store: Store, calendar: LiveCalendar): EventReads {
  const version = store.tableVersion?.bind(store);
  if (!version) return (repo, openId) => batchedReads(repo, openId, calendar);
  const roles = new Map<string, { at: number; roles: Role[] }>();
  const conversations = new Map<string, { at: number; conversation: Conversation | null }>();
  let calendarAt = -1;
  const bounded = <V>(m: Map<string, V>) => {
    if (m.size >= MAX_CACHED) m.clear();
    return m;
  };
  return async (repo, openId) => {
    const kvAt = version('kv');
    if (kvAt !== calendarAt) {
      await calendar.sync(repo.db);
      calendarAt = kvAt;
    }
    if (!openId) return;
    const rosterAt = version('roster');
    let r = roles.get(openId);
    if (r?.at !== rosterAt) {
      r = { at: rosterAt, roles: await repo.rolesOf(openId) };
      bounded(roles).set(openId, r);
    }
    const conversationsAt = version('conversations');
    let c = conversations.get(openId);
    if (c?.at !== conversationsAt) {
      c = { at: conversationsAt, conversation: (await repo.conversation(openId)) ?? null };
      bounded(conversations).set(openId, c);
    }
    repo.seed(openId, { roles: r.roles, conversation: c.conversation });
  };
}

/** Display names by open id from the roster (the first named row of each person, by role and when added). */
export type RosterNames = (repo: Repo) => Promise<Record<string, string>>;

/**
 * The roster's names for cards that list people (the vote card names every member): kept in memory on a
 * store that is the database's one writer until a commit writes the roster, read fresh elsewhere.
 */
export function rosterNames(store: Store): RosterNames {
  keepReadsOf(store);
  return (repo) => kept(repo.db, 'roster', 'names', () => repo.rosterNames());
}

async function batchedReads(repo: Repo, openId: string | undefined, calendar: LiveCalendar): Promise<void> {
  const db = repo.db as Db & { batch?: (queries: unknown[]) => Promise<unknown[]> };
  const extraDays = db.select().from(kv).where(eq(kv.key, EXTRA_DAYS_KEY));
  const queries = openId ? [extraDays, repo.rolesQuery(openId), repo.conversationQuery(openId)] : [extraDays];
  const results = db.batch
    ? await db.batch(queries)
    : await Promise.all(queries.map((q) => q as unknown as Promise<unknown>));
  calendar.apply(storedExtraDays((results[0] as (typeof kv.$inferSelect)[])[0]));
  if (!openId) return;
  repo.seed(openId, {
    roles: rolesFrom(results[1] as Parameters<typeof rolesFrom>[0]),
    conversation: conversationFrom(results[2] as Parameters<typeof conversationFrom>[0]) ?? null,
  });
}
