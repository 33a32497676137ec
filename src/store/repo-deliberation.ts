import { and, desc, eq, isNull, ne, or } from 'drizzle-orm';
import { kv, notices, outbox } from '../../db/schema';
import { type Db, guard, type Write } from './index';

/** Cases with at least one art. 13 notice not yet done (subject not acknowledged, chat not delivered). */
export async function casesWithOpenNotices(db: Db): Promise<string[]> {
  const rows = await db
    .selectDistinct({ caseId: notices.caseId })
    .from(notices)
    .where(
      or(
        and(eq(notices.kind, 'subject'), isNull(notices.acknowledgedAt)),
        and(ne(notices.kind, 'subject'), isNull(notices.sentAt), isNull(notices.deliveredAt)),
      ),
    );
  return rows.map((r) => r.caseId);
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
