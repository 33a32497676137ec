// A person has one guided conversation (topic '') and one completion report in preparation per case (topic: the case id).
import { and, eq, type Placeholder } from 'drizzle-orm';
import { conversations } from '../../db/schema';

/** The topic of the guided conversation (intake, report): starting another replaces it. */
export const GUIDED_TOPIC = '';

/** The row of this person's guided conversation. */
export const guidedConversationOf = (openId: string | Placeholder) =>
  and(eq(conversations.openId, openId), eq(conversations.topic, GUIDED_TOPIC));
