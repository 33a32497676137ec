import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { atBusinessTime } from '../../src/calendar';
import type { Case } from '../../src/cases/types';
import { type CaseStep, caseStepsJob } from '../../src/jobs/case-steps';
import { correctionReminderJob } from '../../src/jobs/correction';
import { noticeFollowUpJob } from '../../src/jobs/notices';
import { tick } from '../../src/jobs/tick';
import { silentLogger } from '../../src/log';
import { toStatement, type Write } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { carriedCase, determinationCommand, envAt, run, secretary } from '../cases/fixtures';
import { type Harness, startHarness } from '../support/harness';

/** A case decided on 2026-05-20 whose notices were never sent, under an order due on 2026-06-10. */
function dueForBoth(id: string, seq: number): Case {
  const env = envAt('2026-05-20T02:00:00Z');
  const c = run(
    carriedCase('exempt', env),
    { ...determinationCommand, correction: { ...determinationCommand.correction!, deadline: '2026-06-10' } },
    secretary,
    env,
  );
  return { ...c, id, seq, number: `容错〔2026〕${seq}号` };
}

/** A Tuesday at 09:30 Shanghai: the reminder hour of a working day, past the notices' retry days. */
const NOW = atBusinessTime('2026-06-16', 9, 30);

const caseUpdates = (writes: Write[], id: string) =>
  writes.filter((w) => {
    const s = toStatement(w);
    return /^update "cases"/i.test(s.sql) && s.params.includes(id);
  }).length;

/** The audit actions a commit records. */
const actions = (writes: Write[]) =>
  writes.flatMap((w) => {
    const s = toStatement(w);
    return /^insert into "audit"/i.test(s.sql)
      ? s.params.filter((p): p is string => typeof p === 'string')
      : [];
  });

describe('a case due for a notice follow-up and a correction reminder (arts. 13, 15–16)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('is read once and changed in one commit, and each step is counted under its own name', async () => {
    const c = dueForBoth('both_1', 101);
    const repo = new Repo(h.rt.store.db);
    await h.rt.store.commit(repo.saveCase(null, c));
    const commit = vi.spyOn(h.rt.store, 'commit');
    const report = await h.rt.service.tick(NOW);
    const jobsCommits = commit.mock.calls
      .map(([writes]) => writes)
      .filter((w) => actions(w).some((a) => a === 'notice.followed_up' || a === 'correction.reminded'));
    commit.mockRestore();
    expect(report.jobs).toMatchObject({ [noticeFollowUpJob.name]: 1, [correctionReminderJob.name]: 1 });
    // One commit carries both decisions, and the case row is rewritten once, from the state read to the last.
    expect(jobsCommits).toHaveLength(1);
    expect(actions(jobsCommits[0]!)).toEqual(
      expect.arrayContaining(['notice.followed_up', 'correction.reminded']),
    );
    expect(caseUpdates(jobsCommits[0]!, c.id)).toBe(1);
    const after = (await repo.getCase(c.id))!;
    expect(after.correction?.lastOverdueReminderOn).toBe('2026-06-16');
    expect(after.notices.every((n) => n.escalatedAt !== null)).toBe(true);
    // Done once: the same instant again finds nothing due for either.
    const again = await h.rt.service.tick(NOW);
    expect(again.jobs).toMatchObject({ [noticeFollowUpJob.name]: 0, [correctionReminderJob.name]: 0 });
  });

  it('a failure in one case fails its unit only; the job is then reported failed under every step', async () => {
    const repo = new Repo(h.rt.store.db);
    const [bad, good] = [dueForBoth('bad_1', 102), dueForBoth('good_1', 103)];
    await h.rt.store.commit([...repo.saveCase(null, bad), ...repo.saveCase(null, good)]);
    const marked: string[] = [];
    const step = (name: string, fail: boolean): CaseStep => ({
      name,
      candidates: async () => [bad.id, good.id],
      due: () => true,
      async act(ctx, c) {
        if (fail && c.id === bad.id) throw new Error('broken step');
        const r = { ...c, version: c.version + 1, updatedAt: ctx.now.toISOString() };
        ctx.fx.write(...ctx.repo.saveCase(c, r));
        marked.push(`${name}:${c.id}`);
        return { case: r, outcome: 'marked' };
      },
    });
    const { service } = h.rt;
    const report = await tick(
      {
        store: h.rt.store,
        pipeline: service.pipeline,
        deliverer: service.deliverer,
        logger: silentLogger,
        bot: service.bot,
        jobs: [caseStepsJob('test.steps', [step('a', false), step('b', true)])],
      },
      NOW,
    );
    expect(report.jobs).toEqual({ a: -1, b: -1 });
    // The good case was changed by both steps; the bad one by neither (its unit is one commit).
    expect(marked).toContain(`a:${good.id}`);
    expect(marked).toContain(`b:${good.id}`);
    expect((await repo.getCase(good.id))!.version).toBe(good.version + 2);
    expect((await repo.getCase(bad.id))!.version).toBe(bad.version);
  });
});
