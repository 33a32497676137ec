import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { caseDate } from '../../src/cases/common';
import type { Case } from '../../src/cases/types';
import { migrationsFolder } from '../../src/store/sqlite';
import { carriedCase, envAt } from '../cases/fixtures';
import { migrationsUpTo } from '../support/stores';

describe('the case date column added for the risk window', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('is filled for the cases already stored, as the core computes it', () => {
    const before = migrationsUpTo('0004_completion_conversations', { including: true });
    const dbDir = mkdtempSync(join(tmpdir(), 'rc-'));
    dirs.push(before, dbDir);
    const raw = new Database(join(dbDir, 'test.sqlite'));
    try {
      migrate(drizzle(raw), { migrationsFolder: before });
      // Submitted at 16:30 UTC: already the next day in Shanghai, which is the day the window counts.
      const base = carriedCase('exempt', envAt('2026-03-01T16:30:00Z'));
      const stored: Case[] = [
        { ...base, id: 'case_occurred', facts: { ...base.facts, occurredOn: '2026-02-11' } },
        {
          ...base,
          id: 'case_submitted',
          submittedAt: '2026-03-01T16:30:00.000Z',
          facts: { ...base.facts, occurredOn: null },
        },
        {
          ...base,
          id: 'case_draft',
          status: 'draft',
          submittedAt: null,
          createdAt: '2026-02-27T17:05:00.000Z',
          facts: { ...base.facts, occurredOn: null },
        },
      ];
      const insert = raw.prepare(
        'INSERT INTO cases (id, origin, subject_open_id, status, doc, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 0, 0)',
      );
      for (const c of stored) insert.run(c.id, c.origin, c.subjectOpenId, c.status, JSON.stringify(c));
      migrate(drizzle(raw), { migrationsFolder });
      const rows = raw.prepare('SELECT id, case_date FROM cases ORDER BY id').all() as {
        id: string;
        case_date: string;
      }[];
      expect(Object.fromEntries(rows.map((r) => [r.id, r.case_date]))).toEqual({
        case_draft: '2026-02-28',
        case_occurred: '2026-02-11',
        case_submitted: '2026-03-02',
      });
      for (const c of stored) expect(rows.find((r) => r.id === c.id)?.case_date).toBe(caseDate(c));
    } finally {
      raw.close();
    }
  });
});
