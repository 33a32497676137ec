import type { BotDeps } from '../bot/context';
import type { Pipeline } from '../bot/pipeline';
import type { Logger } from '../log';
import type { Store } from '../store';

export interface JobDeps {
  store: Store;
  bot: BotDeps;
  logger: Logger;
  /** Runs a unit of bot work (reads, decisions, messages) as one atomic commit, like an event. */
  runUnit: Pipeline['runUnit'];
}

/** A scheduled job: finds what is due at `now` and acts; must be idempotent (tick may run twice). */
export interface Job {
  name: string;
  /** The names its counts are reported under, where it reports several (a job of case steps): `run` returns each. */
  reports?: readonly string[];
  run(deps: JobDeps, now: Date): Promise<number | Record<string, number>>;
}

/** How many due items a job works on at once: their commits share fsyncs instead of waiting one by one. */
export const JOB_CONCURRENCY = 64;

/**
 * Runs `act` over a job's due items, a few at a time, and counts those it acted on. Each item is its own
 * atomic unit, so their order does not matter; every item is tried even when one fails, and the first
 * failure is then thrown (tick records the job as failed and the next tick tries again).
 */
export async function eachDue<T>(
  items: readonly T[],
  act: (item: T) => Promise<boolean>,
  concurrency = JOB_CONCURRENCY,
): Promise<number> {
  let next = 0;
  let acted = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        if (await act(item)) acted++;
      } catch (err) {
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return acted;
}
