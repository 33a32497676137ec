// The single source of truth for storage. Migrations in db/migrations are generated from this file
// by drizzle-kit (`npm run db:generate`) and applied at start on Node and by wrangler on D1.
import { sql } from 'drizzle-orm';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  CASE_ORIGINS,
  CASE_STATUSES,
  CORRECTION_STATUSES,
  EXTENSION_STATUSES,
  REPORT_STATUSES,
  ROLES,
} from '../src/cases/types';

/** Where an accepted event or an outgoing message stands. */
export const DELIVERY_STATUSES = ['pending', 'done', 'failed'] as const;

/** Every accepted event or card callback, recorded before the platform gets its 200. */
export const inbox = sqliteTable(
  'inbox',
  {
    eventId: text('event_id').primaryKey(),
    eventType: text('event_type').notNull(),
    source: text('source').notNull(), // webhook | websocket
    // The raw envelope, kept only until handled; an anonymous report's events come redacted (src/bot/redact.ts).
    payload: text('payload'),
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
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
    status: text('status', { enum: DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: integer('created_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [uniqueIndex('outbox_uuid_idx').on(t.uuid), index('outbox_due_idx').on(t.status, t.nextAttemptAt)],
);

/** Logical message names → Lark message ids, so a card can be updated in place later. */
export const messageRefs = sqliteTable(
  'message_refs',
  {
    ref: text('ref').primaryKey(),
    messageId: text('message_id').notNull(),
    /** When the message was sent (a send under the same ref replaces it). */
    updatedAt: integer('updated_at').notNull(),
    /** The chat it went to, so a card about to pass Lark's 14-day limit can be sent there afresh. */
    chatId: text('chat_id'),
  },
  // Card renewal and retention read only the refs older than a cutoff.
  (t) => [index('message_refs_updated_idx').on(t.updatedAt)],
);

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

// ───────────────────────────── the regulation's records ─────────────────────────────
// Cases and reports are aggregates: the whole state is one JSON document guarded by `version`
// (optimistic concurrency), and the parts other code queries are projected into their own tables
// in the same commit.

export const cases = sqliteTable(
  'cases',
  {
    id: text('id').primaryKey(),
    number: text('number'), // 容错〔2026〕7号, set on submission
    year: integer('year'),
    seq: integer('seq'),
    origin: text('origin', { enum: CASE_ORIGINS }).notNull(),
    subjectOpenId: text('subject_open_id').notNull(),
    status: text('status', { enum: CASE_STATUSES }).notNull(),
    unitId: text('unit_id'),
    errorCategory: text('error_category'),
    enforcementArea: text('enforcement_area'),
    decisionDueOn: text('decision_due_on'),
    /** When the matter happened (its occurrence date, else the day it was submitted): the art. 17 window's key. */
    caseDate: text('case_date'),
    doc: text('doc').notNull(),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('cases_number_idx').on(t.number),
    uniqueIndex('cases_year_seq_idx').on(t.year, t.seq),
    index('cases_subject_idx').on(t.subjectOpenId, t.status),
    index('cases_status_idx').on(t.status),
    // The decision-deadline reminders read only the cases of a status due by a date.
    index('cases_status_due_idx').on(t.status, t.decisionDueOn),
    // The risk warnings read only the cases that happened within the window.
    index('cases_date_idx').on(t.caseDate),
  ],
);

/** One row per member's vote in each round (记名表决). */
export const votes = sqliteTable(
  'votes',
  {
    caseId: text('case_id').notNull(),
    round: integer('round').notNull(),
    voterOpenId: text('voter_open_id').notNull(),
    option: text('option').notNull(),
    comment: text('comment').notNull().default(''),
    at: text('at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.round, t.voterOpenId] })],
);

export const determinations = sqliteTable('determinations', {
  caseId: text('case_id').primaryKey(),
  outcome: text('outcome').notNull(),
  basis: text('basis'),
  citedItems: text('cited_items').notNull(), // JSON array of item ids
  notErrorRecord: integer('not_error_record').notNull(), // art. 14
  publicationScope: text('publication_scope').notNull(),
  correctionRequired: integer('correction_required').notNull(),
  issuedBy: text('issued_by').notNull(),
  issuedAt: text('issued_at').notNull(),
});

/** Art. 13 notices: one per recipient, with the 7-day clock. */
export const notices = sqliteTable(
  'notices',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').notNull(),
    kind: text('kind').notNull(),
    target: text('target').notNull(), // JSON
    dueOn: text('due_on').notNull(),
    sentAt: text('sent_at'),
    deliveredAt: text('delivered_at'),
    acknowledgedAt: text('acknowledged_at'),
    escalatedAt: text('escalated_at'),
  },
  (t) => [
    index('notices_case_idx').on(t.caseId),
    index('notices_due_idx').on(t.dueOn),
    // The follow-up reads only notices not done: subject ones not acknowledged, others never sent.
    index('notices_unacknowledged_idx').on(t.kind, t.acknowledgedAt),
    index('notices_unsent_idx').on(t.sentAt, t.deliveredAt),
  ],
);

/** Art. 15–16 correction orders, their items and extension requests. */
export const correctionOrders = sqliteTable(
  'correction_orders',
  {
    caseId: text('case_id').primaryKey(),
    responsibleOpenId: text('responsible_open_id').notNull(),
    unitId: text('unit_id'),
    deadline: text('deadline').notNull(),
    status: text('status', { enum: CORRECTION_STATUSES }).notNull(),
  },
  // The reminder job reads only the open orders whose deadline is near or past.
  (t) => [index('correction_orders_due_idx').on(t.status, t.deadline)],
);

export const correctionItems = sqliteTable(
  'correction_items',
  {
    caseId: text('case_id').notNull(),
    position: integer('position').notNull(),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.position] })],
);

export const extensions = sqliteTable(
  'extensions',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id').notNull(),
    newDeadline: text('new_deadline').notNull(),
    status: text('status', { enum: EXTENSION_STATUSES }).notNull(),
    requestedAt: text('requested_at').notNull(),
  },
  (t) => [index('extensions_case_idx').on(t.caseId)],
);

/** Art. 18 reports. An anonymous report stores no identity of its sender: only the query code's hash. */
export const reports = sqliteTable(
  'reports',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull(),
    year: integer('year').notNull(),
    seq: integer('seq').notNull(),
    status: text('status', { enum: REPORT_STATUSES }).notNull(),
    realName: integer('real_name').notNull(),
    queryCodeHash: text('query_code_hash'),
    doc: text('doc').notNull(),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('reports_number_idx').on(t.number),
    uniqueIndex('reports_year_seq_idx').on(t.year, t.seq),
    uniqueIndex('reports_query_idx').on(t.queryCodeHash),
  ],
);

/** Who a report accuses: they are recused from it and never see it. */
export const reportAccused = sqliteTable(
  'report_accused',
  {
    reportId: text('report_id').notNull(),
    openId: text('open_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.openId] }), index('report_accused_open_idx').on(t.openId)],
);

/** The roster: roles given in chat by an admin. */
export const roster = sqliteTable(
  'roster',
  {
    openId: text('open_id').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    name: text('name'),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.openId, t.role] })],
);

/** Group chats bound to a purpose: 党组群, 公示群, 科室群. */
export const chatBindings = sqliteTable(
  'chat_bindings',
  {
    chatId: text('chat_id').notNull(),
    kind: text('kind').notNull(), // party | publication | unit
    unitId: text('unit_id').notNull().default(''),
    boundBy: text('bound_by').notNull(),
    boundAt: integer('bound_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.unitId] }), index('chat_bindings_chat_idx').on(t.chatId)],
);

/**
 * Where each person is in a guided conversation (intake, report), so nothing is lost between messages, and
 * the completion reports they are preparing (art. 16), one per case. Whatever the person moved last takes
 * the next file they send.
 */
export const conversations = sqliteTable(
  'conversations',
  {
    openId: text('open_id').notNull(),
    // '' for the one guided conversation (a new one replaces it); a case id for a completion report.
    topic: text('topic').notNull().default(''),
    flow: text('flow').notNull(), // intake | report | completion
    subjectId: text('subject_id'), // the case or report being edited
    step: text('step').notNull(),
    data: text('data').notNull().default('{}'), // JSON: values typed but not yet valid, files received, etc.
    cardRef: text('card_ref'),
    version: integer('version').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.openId, t.topic] })],
);

/**
 * Generated files: 公文 (.docx) with their 文号, ledgers (.xlsx) and case archives (.zip). The bytes stay
 * here until sent (a file message names its row), and the archive stays retrievable with 「归档」.
 */
export const documents = sqliteTable(
  'documents',
  {
    id: text('id').primaryKey(),
    caseId: text('case_id'), // null for a ledger
    kind: text('kind').notNull(), // decision | notice | correction | receipt | archive | ledger
    number: text('number'), // 发文字号, e.g. 兴国动容〔2026〕3号
    year: integer('year'),
    seq: integer('seq'),
    edition: integer('edition').notNull().default(1), // a correction notice is reissued when an extension is approved
    fileName: text('file_name').notNull(),
    fileType: text('file_type').notNull(), // Open API file_type: doc | xls | stream
    data: text('data').notNull(), // base64
    sha256: text('sha256').notNull(),
    fileKey: text('file_key'), // Open API file_key once uploaded
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('documents_number_idx').on(t.number),
    uniqueIndex('documents_year_seq_idx').on(t.year, t.seq),
    index('documents_case_idx').on(t.caseId, t.kind),
  ],
);
