import { conversations, messageRefs } from '../../db/schema';
import { guidedConversationOf } from './conversation-keys';
import type { Db, Write } from './index';
import { startsWith } from './prefix';

/** A conversations row exactly as stored, so it can be put back byte for byte. */
export type RawConversation = typeof conversations.$inferSelect;

export async function rawConversation(db: Db, openId: string): Promise<RawConversation | undefined> {
  const [row] = await db.select().from(conversations).where(guidedConversationOf(openId));
  return row;
}

/**
 * Puts back the conversation a report intake set aside (e.g. an unfinished application), with its own
 * version and time, so nothing in it records when the report was filed.
 */
export function restoreConversation(db: Db, row: RawConversation): Write {
  return db.insert(conversations).values(row);
}

/** Handler and investigator copies of a report's card: `reportcard:<report id>@<viewer open id>`. */
export const reportCardRef = (reportId: string, viewerOpenId: string) =>
  `reportcard:${reportId}@${viewerOpenId}`;

export async function reportCopies(
  db: Db,
  reportId: string,
): Promise<{ ref: string; messageId: string; viewer: string }[]> {
  const base = `reportcard:${reportId}@`;
  const rows = await db
    .select({ ref: messageRefs.ref, messageId: messageRefs.messageId })
    .from(messageRefs)
    .where(startsWith(messageRefs.ref, base));
  return rows.map((r) => ({ ...r, viewer: r.ref.slice(base.length) }));
}
