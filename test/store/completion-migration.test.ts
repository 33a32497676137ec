import { readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzleD1 } from 'drizzle-orm/d1';
import { migrate as migrateD1 } from 'drizzle-orm/d1/migrator';
import { Miniflare } from 'miniflare';
import { describe, expect, it } from 'vitest';
import { conversations, kv } from '../../db/schema';
import type { Store } from '../../src/store';
import { openD1Store } from '../../src/store/d1';
import { completionDraft, openConversations } from '../../src/store/repo-correction';
import { migrationsFolder, openSqliteStore } from '../../src/store/sqlite';
import { migrationsUpTo, tempDbPath, workerdAvailable } from '../support/stores';

/** The migrations folder as it was before completion drafts moved into conversations. */
function previousMigrations(): string {
  const dir = migrationsUpTo('0004_completion_conversations');
  expect(readdirSync(dir).filter((f) => f.endsWith('.sql')).length).toBeGreaterThan(0);
  return dir;
}

const file = (key: string, name: string) => ({ kind: 'file', messageId: `om_${key}`, key, name });
// Open ids carry '_', which LIKE reads as a wildcard; the move must not mix people up.
const A = 'ou_a_1';
const B = 'ou_b_2';
/** kv rows as earlier versions wrote them. */
const OLD_ROWS = [
  // A's per-case drafts, two cases.
  {
    key: `correction-completion:${A}:case_1`,
    value: { caseId: 'case_1', evidence: [file('f1', '审批表.pdf')] },
    at: 1000,
  },
  { key: `correction-completion:${A}:case_2`, value: { caseId: 'case_2', evidence: [] }, at: 2000 },
  // A's one-per-person draft of an even earlier version, for a case that has a per-case draft: that one wins.
  {
    key: `correction-completion:${A}`,
    value: { caseId: 'case_1', evidence: [file('f0', '旧.pdf')] },
    at: 500,
  },
  // B only has the one-per-person draft.
  {
    key: `correction-completion:${B}`,
    value: { caseId: 'case_9', evidence: [file('f9', '说明.docx')] },
    at: 3000,
  },
  // What kv keeps.
  { key: 'correction-ack:case_1:2026-01-01T00:00:00.000Z', value: 1, at: 700 },
];

async function expectMoved(store: Store) {
  const db = store.db;
  expect(await completionDraft(db, A, 'case_1')).toEqual({
    caseId: 'case_1',
    evidence: [file('f1', '审批表.pdf')],
    version: 1,
    updatedAt: 1000,
  });
  expect((await completionDraft(db, B, 'case_9'))?.evidence).toEqual([file('f9', '说明.docx')]);
  // The file A sends next goes to the report A touched last; A's guided conversation (moved at 1500) is older.
  const open = await openConversations(db, A);
  expect(open.guidedFirst).toBe(false);
  expect(open.drafts.map((d) => d.caseId)).toEqual(['case_2', 'case_1']);
  // The guided conversation came through the table rebuild unchanged.
  const rows = await db.select().from(conversations);
  expect(rows.find((r) => r.topic === '')).toMatchObject({ openId: A, flow: 'intake', subjectId: 'case_7' });
  expect(rows).toHaveLength(4);
  // kv keeps only the receipt.
  expect((await db.select().from(kv)).map((r) => r.key)).toEqual([OLD_ROWS[4]!.key]);
}

const insertKv = 'INSERT INTO kv (key, value, version, updated_at) VALUES (?, ?, 1, ?)';
const insertConversation =
  "INSERT INTO conversations (open_id, flow, subject_id, step, data, version, updated_at) VALUES (?, 'intake', 'case_7', 'story', '{}', 3, 1500)";

describe('completion drafts move from kv into conversations', () => {
  it('on SQLite: a database at the previous migration keeps every draft', async () => {
    const path = tempDbPath();
    const old = new Database(path);
    migrateSqlite(drizzleSqlite(old), { migrationsFolder: previousMigrations() });
    for (const r of OLD_ROWS) old.prepare(insertKv).run(r.key, JSON.stringify(r.value), r.at);
    old.prepare(insertConversation).run(A);
    old.close();

    const store = openSqliteStore(path);
    try {
      await expectMoved(store);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!workerdAvailable)('on D1: a database at the previous migration keeps every draft', async () => {
    const mf = new Miniflare({
      modules: true,
      script: 'export default { fetch() { return new Response(null, { status: 404 }); } }',
      d1Databases: ['DB'],
    });
    try {
      const d1 = (await mf.getD1Database('DB')) as any;
      await migrateD1(drizzleD1(d1), { migrationsFolder: previousMigrations() });
      for (const r of OLD_ROWS) await d1.prepare(insertKv).bind(r.key, JSON.stringify(r.value), r.at).run();
      await d1.prepare(insertConversation).bind(A).run();
      await migrateD1(drizzleD1(d1), { migrationsFolder });
      await expectMoved(openD1Store(d1));
    } finally {
      await mf.dispose();
    }
  });
});
