// What the correction slice keeps beside the case document: order receipts (kv) and completion reports being
// prepared (conversations, one per person and case: preparing one never touches another's evidence).
import { and, desc, eq, lte, sql } from 'drizzle-orm';
import { cases, conversations, correctionOrders, kv } from '../../db/schema';
import type { Attachment } from '../cases/types';
import { GUIDED_TOPIC } from './conversation-keys';
import { type Db, guard, type Write } from './index';
import { prepared } from './prepared';

const ackKey = (caseId: string, setAt: string) => `correction-ack:${caseId}:${setAt}`;
export const COMPLETION_FLOW = 'completion';

/** When the responsible person confirmed receiving this order (keyed by when it was set), or null. */
export async function orderAcknowledgedAt(db: Db, caseId: string, setAt: string): Promise<Date | null> {
  const q = prepared(db, 'orderAcknowledgedAt', (d) =>
    d
      .select({ at: kv.updatedAt })
      .from(kv)
      .where(eq(kv.key, sql.placeholder('key')))
      .prepare(),
  );
  const [row] = await q.all({ key: ackKey(caseId, setAt) });
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

type ConversationRow = typeof conversations.$inferSelect;

function draftOf(row: ConversationRow): CompletionDraft {
  const data = JSON.parse(row.data) as { evidence?: unknown };
  return {
    caseId: row.topic,
    evidence: Array.isArray(data.evidence) ? (data.evidence as Attachment[]) : [],
    version: row.version,
    updatedAt: row.updatedAt,
  };
}

const completionOf = (openId: string, caseId: string) =>
  and(
    eq(conversations.openId, openId),
    eq(conversations.topic, caseId),
    eq(conversations.flow, COMPLETION_FLOW),
  );

/**
 * Where the next file this person sends goes: the conversation they moved last. `drafts` are every completion
 * report they are preparing, the one opened or added to last first; `guidedFirst` when their guided
 * conversation (intake, report) moved after all of them.
 */
export async function openConversations(
  db: Db,
  openId: string,
): Promise<{ drafts: CompletionDraft[]; guidedFirst: boolean }> {
  const rows = await db
    .select()
    .from(conversations)
    .where(eq(conversations.openId, openId))
    .orderBy(desc(conversations.updatedAt));
  const drafts = rows.filter((r) => r.topic !== GUIDED_TOPIC && r.flow === COMPLETION_FLOW).map(draftOf);
  const guided = rows.find((r) => r.topic === GUIDED_TOPIC);
  // A tie goes to the completion report, as it did when a draft was opened in the same moment.
  const guidedFirst =
    guided !== undefined && (drafts[0] === undefined || guided.updatedAt > drafts[0].updatedAt);
  return { drafts, guidedFirst };
}

/** The completion report this person is preparing for this case. */
export async function completionDraft(
  db: Db,
  openId: string,
  caseId: string,
): Promise<CompletionDraft | undefined> {
  const [row] = await db.select().from(conversations).where(completionOf(openId, caseId));
  return row ? draftOf(row) : undefined;
}

/** Versioned write of the draft: two files arriving at once never overwrite each other. */
export function saveCompletionDraft(
  db: Db,
  openId: string,
  before: CompletionDraft | undefined,
  after: { caseId: string; evidence: Attachment[] },
  now: Date,
): Write[] {
  const data = JSON.stringify({ evidence: after.evidence });
  if (!before) {
    return [
      db
        .insert(conversations)
        .values({
          openId,
          topic: after.caseId,
          flow: COMPLETION_FLOW,
          subjectId: after.caseId,
          step: 'evidence',
          data,
          version: 1,
          updatedAt: now.getTime(),
        })
        .onConflictDoNothing(),
      guard,
    ];
  }
  return [
    db
      .update(conversations)
      .set({ data, version: before.version + 1, updatedAt: now.getTime() })
      .where(and(completionOf(openId, after.caseId), eq(conversations.version, before.version))),
    guard,
  ];
}

/** Ends the report being prepared for this case. */
export function endCompletionDraft(db: Db, openId: string, draft: { caseId: string }): Write {
  return db.delete(conversations).where(completionOf(openId, draft.caseId));
}

/** The query behind correctionCasesDueBy, open for EXPLAIN QUERY PLAN in the tests and the benchmark. */
export function correctionDueQuery(db: Db, lastDeadline: string) {
  return db
    .select({ caseId: correctionOrders.caseId })
    .from(correctionOrders)
    .innerJoin(cases, eq(cases.id, correctionOrders.caseId))
    .where(
      and(
        eq(correctionOrders.status, 'open'),
        lte(correctionOrders.deadline, lastDeadline),
        eq(cases.status, 'correcting'),
      ),
    )
    .orderBy(correctionOrders.deadline);
}

/** Cases being corrected whose open order is due by `lastDeadline` (an index range, not every open case). */
export async function correctionCasesDueBy(db: Db, lastDeadline: string): Promise<string[]> {
  return (await correctionDueQuery(db, lastDeadline)).map((r) => r.caseId);
}
