import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Effects } from '../../src/bot/effects';
import type { Case } from '../../src/cases/types';
import { ConflictError, type Store, toStatement, type Write } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { openSqliteStore } from '../../src/store/sqlite';
import { carriedCase, deliberatingCase, envAt, member, run } from '../cases/fixtures';

const env = envAt('2026-05-20T02:00:00Z');
const at = (k: number) => new Date(Date.parse('2026-05-20T02:00:00Z') + k * 1000).toISOString();

/** The next state of `c` as the core makes it: a copy with a new version (and here a new title). */
const next = (c: Case, title: string, k: number): Case => ({
  ...c,
  facts: { ...c.facts, title },
  version: c.version + 1,
  updatedAt: at(k),
});

const text = (writes: Write[]) =>
  writes.map((w) => {
    const s = toStatement(w);
    return `${s.sql} ${JSON.stringify(s.params)}`;
  });
const caseUpdates = (writes: Write[]) =>
  writes.filter((w) => /^update "cases"/i.test(toStatement(w).sql)).length;
const marker = (n: number): Write => ({ sql: 'SELECT ?', params: [`marker ${n}`] });

describe('a case saved several times in one unit', () => {
  let store: Store;
  let repo: Repo;
  beforeEach(() => {
    store = openSqliteStore(':memory:');
    repo = new Repo(store.db);
  });
  afterEach(async () => store.close());

  const stored = async (id: string, seq: number, base: Case = carriedCase('exempt', env)) => {
    const c = { ...base, id, seq, number: `容错〔2026〕${seq}号` };
    await store.commit(repo.saveCase(null, c));
    return c;
  };

  it('from the state it was last saved at is written once, at the first save, from the state read to the last', async () => {
    const c0 = await stored('chain', 1);
    const c1 = next(c0, '第一步之后', 1);
    const c2 = next(c1, '第二步之后', 2);
    const fx = new Effects(store.db, env.now);
    fx.saveCase(repo, c0, c1).write(marker(1)).saveCase(repo, c1, c2).write(marker(2));
    // The same writes as one save from c0 to c2, where the first save was asked for.
    expect(text(fx.writes)).toEqual(text([...repo.saveCase(c0, c2), marker(1), marker(2)]));
    expect(caseUpdates(fx.writes)).toBe(1);
    await store.commit(fx.writes);
    const after = (await repo.getCase(c0.id))!;
    expect(after.facts.title).toBe('第二步之后');
    expect(after.version).toBe(c0.version + 2);
  });

  it('still loses to a change committed since it was read (the guard is the first save’s)', async () => {
    const c0 = await stored('raced', 2);
    // Someone else changes the case after this unit read it.
    await store.commit(repo.saveCase(c0, next(c0, '别处的修改', 9)));
    const c1 = next(c0, '第一步之后', 1);
    const fx = new Effects(store.db, env.now);
    fx.saveCase(repo, c0, c1).saveCase(repo, c1, next(c1, '第二步之后', 2));
    await expect(store.commit(fx.writes)).rejects.toBeInstanceOf(ConflictError);
    expect((await repo.getCase(c0.id))!.facts.title).toBe('别处的修改');
  });

  it('from another state than the one last saved is written apart, and the commit conflicts', async () => {
    const c0 = await stored('apart', 3);
    const fx = new Effects(store.db, env.now);
    const a = next(c0, '甲', 1);
    const b = next(c0, '乙', 2);
    fx.saveCase(repo, c0, a).saveCase(repo, c0, b);
    expect(text(fx.writes)).toEqual(text([...repo.saveCase(c0, a), ...repo.saveCase(c0, b)]));
    await expect(store.commit(fx.writes)).rejects.toBeInstanceOf(ConflictError);
    expect((await repo.getCase(c0.id))!.version).toBe(c0.version);
  });

  it('in an open round is never merged: each vote is guarded as it was read', async () => {
    const c0 = await stored('round', 4, deliberatingCase(5, env));
    const c1 = run(c0, { type: 'vote', option: 'exempt' }, member(1), env);
    const c2 = run(c1, { type: 'vote', option: 'exempt' }, member(2), env);
    expect(c0.deliberation?.status).toBe('open');
    const fx = new Effects(store.db, env.now);
    fx.saveCase(repo, c0, c1).saveCase(repo, c1, c2);
    // Each a vote row of its own, guarded by what its save read, not one rewrite of the document.
    expect(text(fx.writes)).toEqual(text([...repo.saveCase(c0, c1), ...repo.saveCase(c1, c2)]));
    expect(caseUpdates(fx.writes)).toBe(0);
  });

  it('keeps every write in the order asked for, across cases, when the writes are read in between', async () => {
    const a0 = await stored('case_a', 5);
    const b0 = await stored('case_b', 6);
    const d0 = await stored('case_d', 7);
    const a1 = next(a0, 'A1', 1);
    const a2 = next(a1, 'A2', 2);
    const b1 = next(b0, 'B1', 3);
    const d1 = next(d0, 'D1', 4);
    const fx = new Effects(store.db, env.now);
    // Two saves asked for at the same place (nothing between them) keep their order too.
    fx.saveCase(repo, a0, a1).write(marker(1)).saveCase(repo, b0, b1).saveCase(repo, d0, d1);
    expect(fx.writes.length).toBeGreaterThan(0);
    fx.write(marker(2)).saveCase(repo, a1, a2).write(marker(3));
    expect(text(fx.writes)).toEqual(
      text([
        ...repo.saveCase(a0, a2),
        marker(1),
        ...repo.saveCase(b0, b1),
        ...repo.saveCase(d0, d1),
        marker(2),
        marker(3),
      ]),
    );
    await store.commit(fx.writes);
    expect((await repo.getCase(a0.id))!.facts.title).toBe('A2');
    expect((await repo.getCase(b0.id))!.facts.title).toBe('B1');
    expect((await repo.getCase(d0.id))!.facts.title).toBe('D1');
  });
});
