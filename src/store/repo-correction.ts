// What the correction slice keeps beside the case document: order receipts and completion reports being prepared.
import { and, eq, like, lte, or } from 'drizzle-orm';
import { cases, conversations, correctionOrders, kv } from '../../db/schema';
import type { Attachment } from '../cases/types';
import { type Db, guard, type Write } from './index';

const ackKey = (caseId: string, setAt: string) => `correction-ack:${caseId}:${setAt}`;
// One draft per person and case: preparing the report for one case never touches another's evidence.
const draftPrefix = (openId: string) => `correction-completion:${openId}:`;
const draftKey = (openId: string, caseId: string) => `${draftPrefix(openId)}${caseId}`;
/** Before drafts were kept per case: one per person, naming its case inside. */
const legacyDraftKey = (openId: string) => `correction-completion:${openId}`;

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
  /** Read from the one-per-person key of earlier versions; saving moves it to the per-case key. */
  legacy?: boolean;
}

type KvRow = typeof kv.$inferSelect;

function draftOf(row: KvRow, legacy: boolean): CompletionDraft | undefined {
  const data = JSON.parse(row.value) as { caseId?: unknown; evidence?: unknown };
  if (typeof data.caseId !== 'string') return undefined;
  return {
    caseId: data.caseId,
    evidence: Array.isArray(data.evidence) ? (data.evidence as Attachment[]) : [],
    version: row.version,
    updatedAt: row.updatedAt,
    ...(legacy ? { legacy: true } : {}),
  };
}

/** Every completion report this person is preparing, the one opened or added to last first. */
export async function completionDrafts(db: Db, openId: string): Promise<CompletionDraft[]> {
  const prefix = draftPrefix(openId);
  const rows = await db
    .select()
    .from(kv)
    .where(or(eq(kv.key, legacyDraftKey(openId)), like(kv.key, `${prefix}%`)));
  const out: CompletionDraft[] = [];
  const seen = new Set<string>();
  // LIKE treats '_' in open ids as a wildcard; keep exact prefixes only. Per-case keys win over the legacy one.
  for (const row of rows.filter((r) => r.key.startsWith(prefix))) {
    const d = draftOf(row, false);
    if (!d || seen.has(d.caseId)) continue;
    out.push(d);
    seen.add(d.caseId);
  }
  for (const row of rows.filter((r) => r.key === legacyDraftKey(openId))) {
    const d = draftOf(row, true);
    if (d && !seen.has(d.caseId)) out.push(d);
  }
  return out.sort((a, b) => b.updatedAt - a.updatedAt);
}

/** The completion report this person is preparing for this case. */
export async function completionDraft(
  db: Db,
  openId: string,
  caseId: string,
): Promise<CompletionDraft | undefined> {
  const [row] = await db
    .select()
    .from(kv)
    .where(eq(kv.key, draftKey(openId, caseId)));
  const own = row ? draftOf(row, false) : undefined;
  if (own) return own;
  const [old] = await db
    .select()
    .from(kv)
    .where(eq(kv.key, legacyDraftKey(openId)));
  const legacy = old ? draftOf(old, true) : undefined;
  return legacy?.caseId === caseId ? legacy : undefined;
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
  const key = draftKey(openId, after.caseId);
  if (!before || before.legacy) {
    return [
      db.insert(kv).values({ key, value, version: 1, updatedAt: now.getTime() }).onConflictDoNothing(),
      guard,
      ...(before?.legacy
        ? [
            db.delete(kv).where(and(eq(kv.key, legacyDraftKey(openId)), eq(kv.version, before.version))),
            guard,
          ]
        : []),
    ];
  }
  return [
    db
      .update(kv)
      .set({ value, version: before.version + 1, updatedAt: now.getTime() })
      .where(and(eq(kv.key, key), eq(kv.version, before.version))),
    guard,
  ];
}

/** Ends the report being prepared for this case (its legacy one-per-person key, when it was read from there). */
export function endCompletionDraft(
  db: Db,
  openId: string,
  draft: { caseId: string; legacy?: boolean },
): Write {
  return db
    .delete(kv)
    .where(eq(kv.key, draft.legacy ? legacyDraftKey(openId) : draftKey(openId, draft.caseId)));
}

/** When the person's guided conversation (intake, report) last moved, to tell which one a file belongs to. */
export async function conversationUpdatedAt(db: Db, openId: string): Promise<number | null> {
  const [row] = await db
    .select({ at: conversations.updatedAt })
    .from(conversations)
    .where(eq(conversations.openId, openId));
  return row ? row.at : null;
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
