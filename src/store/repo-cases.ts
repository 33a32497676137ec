import { and, asc, eq, inArray, like, or } from 'drizzle-orm';
import { audit, messageRefs } from '../../db/schema';
import type { Db } from './index';

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

/** Every delivered copy of a case's application card: the party chat's, or one per handler. */
export async function applicationCopies(
  db: Db,
  caseId: string,
): Promise<{ ref: string; messageId: string }[]> {
  const base = applicationRef(caseId);
  const rows = await db
    .select({ ref: messageRefs.ref, messageId: messageRefs.messageId })
    .from(messageRefs)
    .where(
      or(eq(messageRefs.ref, base), like(messageRefs.ref, `${base}#%`), like(messageRefs.ref, `${base}@%`)),
    );
  // LIKE treats '_' in ids as a wildcard; keep exact matches only.
  return rows.filter((r) => r.ref === base || r.ref.startsWith(`${base}#`) || r.ref.startsWith(`${base}@`));
}
