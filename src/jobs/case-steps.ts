import { Ctx } from '../bot/context';
import type { Case, Env } from '../cases/types';
import { Repo } from '../store/repo';
import { eachDue, type Job, type JobDeps } from './types';

/**
 * One job's work on a case: which cases may be due, whether one is, and the work itself. Steps over the same
 * cases run as one job (`caseStepsJob`): a case due for several of them (a notice to follow up under art. 13
 * and an order to remind under arts. 15–16, say) is read once and changed in one unit, one commit, and each
 * step's count is still reported under its own name.
 */
export interface CaseStep {
  name: string;
  /** The ids of the cases that may be due at `env.now`: an index read, or none when no case can be due then. */
  candidates(deps: JobDeps, env: Env): Promise<readonly string[]>;
  /** Whether the case, as read before its unit, has this step's work due (the unit is skipped when no step has). */
  due(c: Case, env: Env): boolean;
  /**
   * The step's work on the case inside the unit (decided on `c`, recorded through `ctx`): the case after it and
   * what was done, or null when it did nothing (nothing due on the case as it now stands, or refused by the core).
   */
  act(ctx: Ctx, c: Case): Promise<{ case: Case; outcome: string } | null>;
}

/**
 * Runs `steps` in their order over the union of their candidates. Each case is one atomic unit: its first
 * attempt works on the case just read to see whether anything is due, a retry after a lost race reads it again,
 * and each step decides on the case as the steps before it left it. A failure in one case fails that case's
 * unit only; the others are still tried and the first failure is then thrown (tick records every step of the
 * job as failed, and the next tick tries again).
 */
export function caseStepsJob(name: string, steps: readonly CaseStep[]): Job {
  return {
    name,
    reports: steps.map((s) => s.name),
    async run(deps, now) {
      const { store, bot, runUnit } = deps;
      const env: Env = { now, policy: bot.policy, calendar: bot.calendar };
      const counts: Record<string, number> = Object.fromEntries(steps.map((s) => [s.name, 0]));
      const ids = [...new Set((await Promise.all(steps.map((s) => s.candidates(deps, env)))).flat())];
      const reader = new Repo(store.db);
      await eachDue(ids, async (id) => {
        const first = await reader.getCase(id);
        if (!first || !steps.some((s) => s.due(first, env))) return false;
        let fresh: Case | undefined = first;
        let acted: string[] = [];
        const fx = await runUnit(
          `${name}:${id}`,
          async (fx) => {
            acted = [];
            const ctx = new Ctx(fx, new Repo(fx.db), bot);
            let c = fresh ?? (await ctx.repo.getCase(id));
            fresh = undefined;
            if (!c) return;
            const outcomes: string[] = [];
            for (const step of steps) {
              const r = await step.act(ctx, c);
              if (!r) continue;
              c = r.case;
              acted.push(step.name);
              outcomes.push(`${step.name}:${r.outcome}`);
            }
            fx.outcome = outcomes.join(';');
          },
          now,
        );
        if (fx.writes.length === 0) return false;
        for (const n of acted) counts[n] = (counts[n] ?? 0) + 1;
        return true;
      });
      return counts;
    },
  };
}
