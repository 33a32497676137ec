import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cases, notices, reportAccused, reports, votes } from '../../db/schema';
import { type Case, createDraft, decideCase, fileReport, type Report } from '../../src/cases';
import { ConflictError, retryOnConflict, type Store, toStatement } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { completeFacts, env, member, partyOf, secretary, subject } from '../cases/fixtures';
import { storeFactories } from '../support/stores';

const ok = <S>(d: { ok: boolean; state?: S; reason?: string }): S => {
  if (!d.ok) throw new Error(d.reason);
  return d.state as S;
};

/** A case in deliberation with a 5-member party group, saved through the repository. */
async function deliberatingCase(store: Store, repo: Repo): Promise<Case> {
  let c = ok<Case>(
    createDraft({ type: 'create_draft', caseId: 'case_1', subjectName: '张执法' }, subject, env),
  );
  await store.commit(repo.saveCase(null, c));
  const steps: [Parameters<typeof decideCase>[1], Parameters<typeof decideCase>[2]][] = [
    [{ type: 'update_facts', patch: completeFacts }, subject],
    [{ type: 'submit', seq: 1 }, subject],
    [{ type: 'accept' }, secretary],
  ];
  for (const [cmd, actor] of steps) {
    const next = ok<Case>(decideCase(c, cmd, actor, env));
    await store.commit(repo.saveCase(c, next));
    c = next;
  }
  // Findings and the opening of the vote are the party group's; straight to deliberation here.
  const withFindings = ok<Case>(
    decideCase(
      { ...c, investigators: ['ou_inv'] },
      {
        type: 'submit_findings',
        items: ['10.4'],
        conditions: { '10.c1': true, '10.c2': true, '10.c3': true },
        factors: {
          subjective_objective: '客观',
          procedure: '合规',
          nature: '轻微',
          consequence: '无',
          recovery: '已挽回',
        },
        recommendedOutcome: 'exempt',
        errorCategory: 'procedure',
        enforcementArea: 'shelter_maintenance',
      },
      { openId: 'ou_inv', roles: ['investigator'] },
      env,
    ),
  );
  await store.commit(repo.saveCase(c, withFindings));
  const open = ok<Case>(
    decideCase(withFindings, { type: 'open_deliberation', partyMembers: partyOf(5) }, secretary, env),
  );
  await store.commit(repo.saveCase(withFindings, open));
  return open;
}

describe.each(storeFactories)('repository on $name', (factory) => {
  let store: Store;
  let repo: Repo;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await factory.open());
    repo = new Repo(store.db);
  });
  afterEach(async () => dispose());

  it('round-trips a case and keeps its queryable columns and projections in step', async () => {
    const c = await deliberatingCase(store, repo);
    expect(await repo.getCase(c.id)).toEqual(c);
    expect(await repo.caseByNumber(c.number!)).toEqual(c);
    const [row] = await store.db.select().from(cases).where(eq(cases.id, c.id));
    expect(row).toMatchObject({
      status: 'deliberating',
      number: c.number,
      version: c.version,
      subjectOpenId: subject.openId,
    });
    const voted = ok<Case>(decideCase(c, { type: 'vote', option: 'exempt' }, member(1), env));
    await store.commit(repo.saveCase(c, voted));
    expect(await store.db.select().from(votes).where(eq(votes.caseId, c.id))).toMatchObject([
      { voterOpenId: member(1).openId, option: 'exempt', round: 1 },
    ]);
  });

  it('notices of different cases share their per-case ids without clashing; unchanged parts are not rewritten', async () => {
    const c = await deliberatingCase(store, repo);
    const notice = {
      id: 'n1',
      kind: 'subject' as const,
      target: { user: subject.openId },
      dueOn: '2026-03-09',
      attempts: 0,
      lastAttemptAt: null,
      sentAt: null,
      deliveredAt: null,
      failedAt: null,
      lastError: null,
      acknowledgedAt: null,
      escalatedAt: null,
    };
    const a = { ...c, notices: [notice], version: c.version + 1 };
    const b = { ...c, id: 'case_2', number: null, year: null, seq: null, notices: [notice], version: 1 };
    await store.commit(repo.saveCase(c, a));
    await store.commit(repo.saveCase(null, b));
    expect((await store.db.select().from(notices)).map((n) => n.id).sort()).toEqual([
      'case_1:n1',
      'case_2:n1',
    ]);
    const voted = ok<Case>(decideCase(a, { type: 'vote', option: 'exempt' }, member(1), env));
    const writes = repo.saveCase(a, voted).map((w) => toStatement(w).sql.toLowerCase());
    // Checks and the one vote row: the case row itself is not rewritten for a vote.
    expect(writes.filter((w) => !w.includes('commit_guard'))).toEqual([
      expect.stringMatching(/^insert into "votes"/),
    ]);
  });

  it('two members voting on the same version both land, neither rewriting the case', async () => {
    const c = await deliberatingCase(store, repo);
    const a = ok<Case>(decideCase(c, { type: 'vote', option: 'exempt' }, member(1), env));
    const b = ok<Case>(decideCase(c, { type: 'vote', option: 'refuse' }, member(2), env));
    await Promise.all([store.commit(repo.saveCase(c, a)), store.commit(repo.saveCase(c, b))]);
    const stored = (await repo.getCase(c.id))!;
    expect(stored.deliberation!.votes).toMatchObject({
      [member(1).openId]: { option: 'exempt' },
      [member(2).openId]: { option: 'refuse' },
    });
    expect(stored.version).toBe(c.version);
    expect(await store.db.select().from(votes)).toHaveLength(2);
  });

  it('a vote and the close decided on the same state cannot both apply, whichever commits first', async () => {
    for (const closeFirst of [false, true]) {
      await store.commit([
        { sql: 'DELETE FROM cases', params: [] },
        { sql: 'DELETE FROM votes', params: [] },
      ]);
      let c = await deliberatingCase(store, repo);
      for (const v of [secretary, member(1), member(2), member(3)]) {
        const next = ok<Case>(decideCase(c, { type: 'vote', option: 'exempt' }, v, env));
        await store.commit(repo.saveCase(c, next));
        c = (await repo.getCase(c.id))!;
      }
      const vote = ok<Case>(decideCase(c, { type: 'vote', option: 'refuse' }, member(4), env));
      const close = ok<Case>(decideCase(c, { type: 'close_vote' }, secretary, env));
      const commits = [
        { name: 'vote', run: () => store.commit(repo.saveCase(c, vote)) },
        { name: 'close', run: () => store.commit(repo.saveCase(c, close)) },
      ];
      if (closeFirst) commits.reverse();
      // Asked for in this order; on D1 the two batches may still reach the database the other way round.
      const settled = await Promise.allSettled(commits.map((x) => x.run()));
      const won = settled.flatMap((r, i) => (r.status === 'fulfilled' ? [commits[i]!.name] : []));
      expect(won).toHaveLength(1);
      const lost = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      if (store.driver === 'better-sqlite3') expect(won[0]).toBe(closeFirst ? 'close' : 'vote');
      const closed = won[0] === 'close';
      const stored = (await repo.getCase(c.id))!;
      // Closed: its tally counted exactly the votes that are stored; open: the late vote is stored.
      const rows = await store.db.select().from(votes);
      expect(rows).toHaveLength(closed ? 4 : 5);
      expect(stored.deliberation!.status).toBe(closed ? 'closed' : 'open');
      if (closed) expect(stored.deliberation!.result!.cast).toBe(4);
    }
  });

  it('of members voting at once, the one whose vote completes the round always learns it', async () => {
    const c = await deliberatingCase(store, repo);
    const voters = [secretary, member(1), member(2), member(3), member(4)];
    let conflicts = 0;
    const toldAllVoted: string[] = [];
    // Every first attempt decides on the same state, with nobody's vote in it.
    const reads = voters.map(() => repo.getCase(c.id));
    await Promise.all(
      voters.map((v, i) => {
        let read: Promise<Case | undefined> = reads[i]!;
        return retryOnConflict(async () => {
          const fresh = (await read)!;
          read = repo.getCase(c.id);
          const d = decideCase(fresh, { type: 'vote', option: 'exempt' }, v, env);
          if (!d.ok) throw new Error(d.reason);
          try {
            await store.commit(repo.saveCase(fresh, d.state));
          } catch (err) {
            conflicts++;
            throw err;
          }
          if (d.intents.some((x) => 'template' in x && x.template === 'deliberation.all_voted'))
            toldAllVoted.push(v.openId);
        });
      }),
    );
    expect(toldAllVoted).toHaveLength(1);
    expect(conflicts).toBeLessThanOrEqual(voters.length - 1);
    expect(Object.keys((await repo.getCase(c.id))!.deliberation!.votes)).toHaveLength(5);
  });

  it('with reload-and-retry every member’s concurrent vote lands exactly once', async () => {
    const c = await deliberatingCase(store, repo);
    const voters = [secretary, member(1), member(2), member(3), member(4)];
    await Promise.all(
      voters.map((v) =>
        retryOnConflict(async () => {
          const fresh = (await repo.getCase(c.id))!;
          const next = decideCase(fresh, { type: 'vote', option: 'exempt' }, v, env);
          if (next.ok) await store.commit(repo.saveCase(fresh, next.state));
        }),
      ),
    );
    const stored = (await repo.getCase(c.id))!;
    expect(Object.keys(stored.deliberation!.votes).sort()).toEqual(voters.map((v) => v.openId).sort());
    expect(await store.db.select().from(votes)).toHaveLength(5);
    // Votes are rows of their own: the case row stays at its version.
    expect(stored.version).toBe(c.version);
  });

  it('an anonymous report leaves no identity of its sender in any stored byte', async () => {
    const reporter = { openId: 'ou_whistle_9f3a', roles: [] };
    const r = ok<Report>(
      fileReport(
        {
          type: 'file_report',
          reportId: 'rep_1',
          seq: 1,
          accused: ['ou_accused'],
          matter: '检查中收受礼品',
          content: '某次检查后……',
          realName: false,
          queryCode: 'QK7M2P9XW4',
        },
        reporter,
        env,
      ),
    );
    await store.commit(repo.saveReport(null, r));
    const [row] = await store.db.select().from(reports);
    const bytes = JSON.stringify(row);
    expect(bytes).not.toContain(reporter.openId);
    expect(bytes).not.toContain('QK7M2P9XW4');
    expect(row!.queryCodeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await repo.reportByQueryHash(row!.queryCodeHash!)).toEqual(r);
    expect(await store.db.select().from(reportAccused)).toEqual([
      { reportId: 'rep_1', openId: 'ou_accused' },
    ]);
  });

  it('sequences hand out each number once under concurrency', async () => {
    const now = new Date('2026-03-02T02:00:00Z');
    const got = await Promise.all(
      Array.from({ length: 6 }, () =>
        retryOnConflict(async () => {
          const s = await repo.nextSeq('case:2026', now);
          await store.commit(s.write);
          return s.value;
        }),
      ),
    );
    expect(got.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
