// The single source of truth for storage. Migrations in db/migrations are generated from this file
// by drizzle-kit (`npm run db:generate`) and applied at start on Node and by wrangler on D1.
import { sql } from 'drizzle-orm';
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Every accepted event or card callback, recorded before the platform gets its 200. */
export const inbox = sqliteTable(
  'inbox',
  {
    eventId: text('event_id').primaryKey(),
    eventType: text('event_type').notNull(),
    source: text('source').notNull(), // webhook | websocket
    // The raw envelope, kept only until handled (reports must never leave their sender behind).
    payload: text('payload'),
    status: text('status').notNull().default('pending'), // pending | done | failed
    attempts: integer('attempts').notNull().default(0),
    outcome: text('outcome'),
    receivedAt: integer('received_at').notNull(),
    handledAt: integer('handled_at'),
  },
  (t) => [index('inbox_status_idx').on(t.status, t.receivedAt)],
);

/** Everything that goes out to Lark, written in the same commit as the change that caused it. */
export const outbox = sqliteTable(
  'outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    uuid: text('uuid').notNull(), // Lark idempotency key
    op: text('op').notNull(), // send | reply | patch | urgent
    receiveIdType: text('receive_id_type'), // open_id | chat_id (send)
    receiveId: text('receive_id'),
    targetMessageId: text('target_message_id'), // the message replied to, patched or urged, when its id is known
    ref: text('ref'), // logical name of the message this row creates, e.g. tracker:<case id>
    targetRef: text('target_ref'), // logical name of the message this row patches or urges, resolved at delivery
    msgType: text('msg_type'),
    content: text('content'), // JSON string as Lark expects it; cleared once delivered
    urgentUsers: text('urgent_users'), // JSON array of open ids (urgent)
    status: text('status').notNull().default('pending'), // pending | done | failed
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    uniqueIndex('outbox_uuid_idx').on(t.uuid),
    index('outbox_due_idx').on(t.status, t.nextAttemptAt),
  ],
);

/** Logical message names → Lark message ids, so a card can be updated in place later. */
export const messageRefs = sqliteTable('message_refs', {
  ref: text('ref').primaryKey(),
  messageId: text('message_id').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** Append-only: who, when, what, before → after. */
export const audit = sqliteTable(
  'audit',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject').notNull(),
    before: text('before'),
    after: text('after'),
  },
  (t) => [index('audit_subject_idx').on(t.subject, t.id)],
);

/**
 * One-row table that makes optimistic concurrency atomic on both drivers: after a versioned UPDATE the
 * commit writes `changes()` here, and the CHECK aborts the whole transaction/batch when nothing matched.
 */
export const commitGuard = sqliteTable(
  'commit_guard',
  {
    id: integer('id').primaryKey(),
    ok: integer('ok').notNull(),
  },
  (t) => [check('commit_guard_ok', sql`${t.ok} > 0`)],
);

/** Small named documents with a version: sequences, settings, one-time codes. */
export const kv = sqliteTable('kv', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  version: integer('version').notNull().default(1),
  expiresAt: integer('expires_at'),
  updatedAt: integer('updated_at').notNull(),
});
