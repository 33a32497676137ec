import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Case } from '../../src/cases/types';
import { riskCounts, riskFactsOf, taxonomyCounts } from '../../src/jobs/analysis';
import { defaultPolicy } from '../../src/policy';
import type { Store } from '../../src/store';
import { Repo } from '../../src/store/repo';
import { riskCasesInWindow, riskFactsInWindow } from '../../src/store/repo-analysis';
import {
  carriedCase,
  determinationCommand,
  envAt,
  run,
  secretary,
  submittedCase,
  withFindings,
} from '../cases/fixtures';
import { storeFactories } from '../support/stores';

const env = envAt('2026-05-20T02:00:00Z');
const TODAY = '2026-06-16';
const determine = {
  ...determinationCommand,
  correction: { ...determinationCommand.correction!, deadline: '2026-07-31' },
};

/** Distinct copies of a case, as separate rows. */
function copy(c: Case, i: number, patch: Partial<Case> = {}): Case {
  return { ...c, id: `case_r${i}`, number: `容错〔2026〕${100 + i}号`, seq: 100 + i, ...patch };
}

function office(): { inWindow: Case[]; outside: Case[] } {
  const decided = run(carriedCase('exempt', env), determine, secretary, env);
  const d = decided.determination!;
  const facts = (occurredOn: string) => ({ ...decided.facts, occurredOn });
  const findings = withFindings(env);
  return {
    inWindow: [
      // Decided, art. 14: not an enforcement error.
      copy(decided, 1, { facts: facts('2026-05-18') }),
      // Decided as an error (the determination says so, not the outcome's name).
      copy(decided, 2, { facts: facts('2026-04-02'), determination: { ...d, notErrorRecord: false } }),
      // Not decided; the investigators' findings put it in another category and area than its facts.
      copy(findings, 3, {
        facts: { ...findings.facts, occurredOn: '2026-06-01' },
        findings: { ...findings.findings!, errorCategory: 'evidence', enforcementArea: 'alarm_facilities' },
      }),
      // Not decided, no findings: its own facts count; no date of its own, so the day it was submitted.
      copy(submittedCase(env), 4, { facts: { ...submittedCase(env).facts, occurredOn: null } }),
    ],
    outside: [
      copy(decided, 5, { facts: facts('2024-03-01') }),
      copy(decided, 6, { facts: facts('2026-05-30'), status: 'withdrawn' }),
    ],
  };
}

describe.each(storeFactories)('art. 17 counting from the case columns ($name)', ({ open }) => {
  let store: Store;
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    ({ store, dispose } = await open());
  });
  afterEach(async () => dispose());

  it('reads of each case in the window what its document says, and counts as from the documents', async () => {
    const { inWindow, outside } = office();
    const repo = new Repo(store.db);
    for (const c of [...inWindow, ...outside]) await store.commit(repo.saveCase(null, c));

    const facts = await riskFactsInWindow(store.db, '2025-12-19', TODAY);
    expect(facts).toEqual(inWindow.map(riskFactsOf));
    expect(facts.map((f) => f.notErrorRecord)).toEqual([true, false, null, null]);
    expect(facts[2]).toMatchObject({ errorCategory: 'evidence', enforcementArea: 'alarm_facilities' });

    const policy = defaultPolicy;
    // The read a warning names its cases from: the same facts, with each document's number, title and unit.
    const named = await riskCasesInWindow(store.db, '2025-12-19', TODAY);
    expect(named).toEqual(
      inWindow.map((c) => ({
        ...riskFactsOf(c),
        number: c.number,
        title: c.facts.title,
        unitId: c.facts.unitId,
      })),
    );
    expect(new Set(named.map((c) => c.title)).size).toBeGreaterThan(0);
    expect(named.every((c) => c.title.length > 0)).toBe(true);
    expect(riskCounts(facts, TODAY, policy)).toEqual(
      taxonomyCounts([...inWindow, ...outside], TODAY, policy),
    );
  });

  it('follows a case as it changes: a determination recorded, then the case withdrawn from the count', async () => {
    const repo = new Repo(store.db);
    const before = copy(withFindings(env), 7, {
      facts: { ...withFindings(env).facts, occurredOn: '2026-06-01' },
    });
    await store.commit(repo.saveCase(null, before));
    const decided = run(carriedCase('exempt', env), determine, secretary, env);
    const after = {
      ...before,
      status: decided.status,
      determination: decided.determination,
      version: before.version + 1,
    };
    await store.commit(repo.saveCase(before, after));
    expect(await riskFactsInWindow(store.db, '2025-12-19', TODAY)).toEqual([riskFactsOf(after)]);
    expect(riskFactsOf(after).notErrorRecord).toBe(true);

    const gone = { ...after, status: 'withdrawn' as const, version: after.version + 1 };
    await store.commit(repo.saveCase(after, gone));
    expect(await riskFactsInWindow(store.db, '2025-12-19', TODAY)).toEqual([]);
  });
});
