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
  run(deps: JobDeps, now: Date): Promise<number>;
}
