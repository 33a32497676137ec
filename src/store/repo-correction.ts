// What the correction slice keeps beside the case document: order receipts and completion reports being prepared.
import { and, eq } from 'drizzle-orm';
import { conversations, kv } from '../../db/schema';
import type { Attachment } from '../cases/types';
import { type Db, guard, type Write } from './index';

const ackKey = (caseId: string, setAt: string) => `correction-ack:${caseId}:${setAt}`;
const draftKey = (openId: string) => `correction-completion:${openId}`;

/** When the responsible person confirmed receiving this order (keyed by when it was set), or null. */
export async function orderAcknowledgedAt(db: Db, caseId: string, setAt: string): Promise<Date | null> {
  const [row] = await db
    .select({ at: kv.updatedAt })
    .from(kv)
    .where(eq(kv.key, ackKey(caseId, setAt)));
  return row ? new Date(row.at) : null;
}

/** Records the receipt; a second writer loses the guard and re-runs, then finds it recorded. */
export function acknowledgeOrder(db: Db, caseId: string, setAt: string, now: Date): Write[] {
  return [
    db
      .insert(kv)
      .values({ key: ackKey(caseId, setAt), value: '1', updatedAt: now.getTime() })
      .onConflictDoNothing(),
    guard,
  ];
}

/** A completion report being prepared: files sent in the direct chat meanwhile attach to it. */
export interface CompletionDraft {
  caseId: string;
  evidence: Attachment[];
  version: number;
  updatedAt: number;
}

export async function completionDraft(db: Db, openId: string): Promise<CompletionDraft | undefined> {
  const [row] = await db
    .select()
    .from(kv)
    .where(eq(kv.key, draftKey(openId)));
  if (!row) return undefined;
  const data = JSON.parse(row.value) as { caseId?: unknown; evidence?: unknown };
  if (typeof data.caseId !== 'string') return undefined;
  return {
    caseId: data.caseId,
    evidence: Array.isArray(data.evidence) ? (data.evidence as Attachment[]) : [],
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

/** Versioned write of the draft: two files arriving at once never overwrite each other. */
export function saveCompletionDraft(
  db: Db,
  openId: string,
  before: CompletionDraft | undefined,
  after: { caseId: string; evidence: Attachment[] },
  now: Date,
): Write[] {
  const value = JSON.stringify({ caseId: after.caseId, evidence: after.evidence });
  if (!before) {
    return [
      db
        .insert(kv)
        .values({ key: draftKey(openId), value, version: 1, updatedAt: now.getTime() })
        .onConflictDoNothing(),
      guard,
    ];
  }
  return [
    db
      .update(kv)
      .set({ value, version: before.version + 1, updatedAt: now.getTime() })
      .where(and(eq(kv.key, draftKey(openId)), eq(kv.version, before.version))),
    guard,
  ];
}

export function endCompletionDraft(db: Db, openId: string): Write {
  return db.delete(kv).where(eq(kv.key, draftKey(openId)));
}

/** When the person's guided conversation (intake, report) last moved, to tell which one a file belongs to. */
export async function conversationUpdatedAt(db: Db, openId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: conversations.updatedAt })
    .from(conversations)
    .where(eq(conversations.openId, openId));
  return row ? row.at : null;
}
