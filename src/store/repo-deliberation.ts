import { and, desc, eq, isNull, ne, or, sql } from 'drizzle-orm';
import { kv, notices, outbox } from '../../db/schema';
import { type Db, guard, type Write } from './index';

/** Cases with at least one art. 13 notice not yet done (subject not acknowledged, chat not delivered). */
export async function casesWithOpenNotices(db: Db): Promise<string[]> {
  return (await openNoticesQuery(db)).map((r) => r.caseId);
}

/** The query behind casesWithOpenNotices, open for EXPLAIN QUERY PLAN in the tests and the benchmark. */
export function openNoticesQuery(db: Db) {
  return (
    db
      .select({ caseId: notices.caseId })
      .from(notices)
      .where(
        or(
          and(eq(notices.kind, 'subject'), isNull(notices.acknowledgedAt)),
          and(isNull(notices.sentAt), isNull(notices.deliveredAt), ne(notices.kind, 'subject')),
        ),
      )
      .groupBy(notices.caseId)
      // Each case once, in the order a read of every notice met it first.
      .orderBy(sql`min(${notices}.rowid)`)
  );
}

/** The last delivery error recorded for messages with this ref (why a notice failed). */
export async function lastDeliveryError(db: Db, ref: string): Promise<string | null> {
  const [row] = await db
    .select({ lastError: outbox.lastError })
    .from(outbox)
    .where(eq(outbox.ref, ref))
    .orderBy(desc(outbox.id))
    .limit(1);
  return row?.lastError ?? null;
}

export async function remembered(db: Db, key: string): Promise<boolean> {
  const [row] = await db.select({ key: kv.key }).from(kv).where(eq(kv.key, key));
  return row !== undefined;
}

/** Remembers that something was done; the commit fails (and the unit re-runs) if another run got there first. */
export function remember(db: Db, key: string, now: Date, expiresAt?: number): Write[] {
  return [
    db
      .insert(kv)
      .values({ key, value: '1', updatedAt: now.getTime(), ...(expiresAt ? { expiresAt } : {}) })
      .onConflictDoNothing(),
    guard,
  ];
}
