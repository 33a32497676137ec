import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import { audit, cases, messageRefs, outbox } from '../../db/schema';
import type { Case, CaseStatus } from '../cases/types';
import type { Db } from './index';
import { prefixRange, startsWith } from './prefix';
import { prepared } from './prepared';
import { caseColumns, caseOf } from './repo';

/** Cases in these states whose decision is due on or before `lastDueOn` (a date), newest first. */
/** The query behind casesDecisionDueBy, open for EXPLAIN QUERY PLAN in the tests and the benchmark. */
export function decisionDueQuery(db: Db, statuses: CaseStatus[], lastDueOn: string) {
  return db
    .select(caseColumns)
    .from(cases)
    .where(and(inArray(cases.status, statuses), lte(cases.decisionDueOn, lastDueOn)))
    .orderBy(desc(cases.createdAt));
}

export async function casesDecisionDueBy(db: Db, statuses: CaseStatus[], lastDueOn: string): Promise<Case[]> {
  return (await decisionDueQuery(db, statuses, lastDueOn)).map(caseOf);
}

/** One step of a case's handling as the audit log recorded it. */
export interface HistoryEntry {
  at: number;
  actor: string;
  action: string;
  after: unknown;
}

/** The audit actions that show on the application card's handling record. */
export const HANDLING_ACTIONS = [
  'case.submitted',
  'case.accepted',
  'case.returned',
  'case.investigator_assigned',
  'case.withdrawn',
  'case.findings_submitted',
  'deliberation.opened',
  'case.determined',
] as const;

/** The handling record of a case, oldest first. */
export async function caseHistory(
  db: Db,
  caseId: string,
  actions: readonly string[] = HANDLING_ACTIONS,
): Promise<HistoryEntry[]> {
  const rows = await db
    .select()
    .from(audit)
    .where(and(eq(audit.subject, `case:${caseId}`), inArray(audit.action, [...actions])))
    .orderBy(asc(audit.id));
  return rows.map((r) => ({
    at: r.at,
    actor: r.actor,
    action: r.action,
    after: r.after ? (JSON.parse(r.after) as unknown) : null,
  }));
}

export const applicationRef = (caseId: string) => `application:${caseId}`;

/** Every delivered copy sent under `base` or `base#<copy>`: a card sent again is kept up to date too. */
export async function copiesOf(db: Db, base: string): Promise<string[]> {
  // Every order and tracker refresh asks: built once, the range's bounds as values.
  const q = prepared(db, 'copiesOf', (d) =>
    d
      .select({ ref: messageRefs.ref })
      .from(messageRefs)
      .where(
        or(
          eq(messageRefs.ref, sql.placeholder('base')),
          and(gte(messageRefs.ref, sql.placeholder('from')), lt(messageRefs.ref, sql.placeholder('below'))),
        ),
      )
      .prepare(),
  );
  const rows = await q.all({ base, ...prefixRange(`${base}#`) });
  return rows.map((r) => r.ref);
}

/** Who a copy of the application card was sent to. */
export type CopyViewer = { openId: string } | { chatId: string };

/**
 * A copy's ref names its viewer, so it can be re-rendered for them long after the outbox forgot the
 * recipient: `application:<case>@u:<open id>[~<nonce>]` or `application:<case>@c:<chat id>`.
 */
export function applicationCopyRef(caseId: string, to: CopyViewer, nonce?: string): string {
  const who = 'openId' in to ? `u:${to.openId}` : `c:${to.chatId}`;
  return `${applicationRef(caseId)}@${who}${nonce ? `~${nonce}` : ''}`;
}

function viewerInRef(base: string, ref: string): CopyViewer | null {
  const m = /^@(u|c):([^~]+)(?:~.*)?$/.exec(ref.slice(base.length));
  if (!m?.[2]) return null;
  return m[1] === 'u' ? { openId: m[2] } : { chatId: m[2] };
}

/**
 * Every delivered copy of a case's application card, with who it went to: named in the ref, or (for copies
 * sent before refs named them) the outbox row that sent it while it is kept; null when nothing tells.
 */
export async function applicationCopies(
  db: Db,
  caseId: string,
): Promise<{ ref: string; messageId: string; viewer: CopyViewer | null }[]> {
  const base = applicationRef(caseId);
  const rows = await db
    .select({ ref: messageRefs.ref, messageId: messageRefs.messageId })
    .from(messageRefs)
    .where(
      or(
        eq(messageRefs.ref, base),
        startsWith(messageRefs.ref, `${base}#`),
        startsWith(messageRefs.ref, `${base}@`),
      ),
    );
  const copies = rows;
  const out: { ref: string; messageId: string; viewer: CopyViewer | null }[] = [];
  for (const copy of copies) {
    let viewer = viewerInRef(base, copy.ref);
    if (!viewer) {
      const [sent] = await db
        .select({ type: outbox.receiveIdType, id: outbox.receiveId })
        .from(outbox)
        .where(and(eq(outbox.ref, copy.ref), eq(outbox.op, 'send')))
        .orderBy(desc(outbox.id))
        .limit(1);
      if (sent?.id) viewer = sent.type === 'chat_id' ? { chatId: sent.id } : { openId: sent.id };
    }
    out.push({ ...copy, viewer });
  }
  return out;
}
