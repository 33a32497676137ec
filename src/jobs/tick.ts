import { and, inArray, lt, ne } from 'drizzle-orm';
import { inbox, kv, messageRefs, outbox } from '../../db/schema';
import type { BotDeps } from '../bot/context';
import type { Pipeline } from '../bot/pipeline';
import { ANONYMOUS_DRAFT_PREFIX } from '../bot/shared/retention';
import type { Logger } from '../log';
import type { Deliverer, DeliveryReport } from '../notify/deliver';
import type { Db, Store } from '../store';
import { startsWith } from '../store/prefix';
import type { Job } from './types';

/** How long an accepted event may be in its accepter's hands before tick takes it over. */
export const IN_FLIGHT_MS = 30_000;

export interface TickDeps {
  store: Store;
  pipeline: Pipeline;
  deliverer: Deliverer;
  logger: Logger;
  bot: BotDeps;
  jobs: Job[];
  retentionDays?: number;
  /** Real time for the safety timers below; `now` is business time and may be anywhere (`--now`). */
  wallClock?: () => number;
}

export interface TickReport {
  recovered: number;
  jobs: Record<string, number>;
  delivery: DeliveryReport;
  purged: { inbox: number; outbox: number; messageRefs: number; reportDrafts: number };
}

/**
 * An anonymous report draft nobody finished, once its card can no longer be clicked: a key range on kv's
 * primary key (a LIKE would read every kv row, case-insensitively).
 */
export function expiredDraftsPurge(db: Db, wallNow: number) {
  return db.delete(kv).where(and(startsWith(kv.key, ANONYMOUS_DRAFT_PREFIX), lt(kv.expiresAt, wallNow)));
}

/**
 * Runs every job that is due at `now`. Node calls it every minute, Workers from a Cron Trigger,
 * operators with `npm run tick -- --now <ISO-8601>`.
 */
export async function tick(deps: TickDeps, now: Date): Promise<TickReport> {
  // Events recorded but never handled (a crash between the 200 and the handling). Younger ones are still
  // being handled by whoever accepted them; taking them too would only do the work twice.
  // How long an event has waited is a fact of the real clock, not of the business time being simulated.
  const wallNow = (deps.wallClock ?? Date.now)();
  const recovered = await deps.pipeline.recover(wallNow - IN_FLIGHT_MS);
  await deps.bot.syncPolicyData(deps.store.db);
  const jobs: Record<string, number> = {};
  const jobDeps = {
    store: deps.store,
    bot: deps.bot,
    logger: deps.logger,
    runUnit: deps.pipeline.runUnit.bind(deps.pipeline),
  };
  for (const job of deps.jobs) {
    try {
      const done = await job.run(jobDeps, now);
      if (typeof done === 'number') jobs[job.name] = done;
      else Object.assign(jobs, done);
    } catch (err) {
      for (const name of job.reports ?? [job.name]) jobs[name] = -1;
      deps.logger.error({ msg: 'job failed', job: job.name, error: String(err) });
    }
  }
  const delivery = await deps.deliverer.deliverDue(now);
  // Retention is a safety timer too: a simulated far-future `now` must not purge the inbox's dedup records.
  const cutoff = wallNow - (deps.retentionDays ?? 30) * 86_400_000;
  const { db } = deps.store;
  const { changes } = await deps.store.commit([
    db.delete(inbox).where(and(ne(inbox.status, 'pending'), lt(inbox.receivedAt, cutoff))),
    db.delete(outbox).where(and(inArray(outbox.status, ['done', 'failed']), lt(outbox.createdAt, cutoff))),
    // Lark lets a bot update its message for 14 days; a ref older than the retention has nothing left to update.
    db.delete(messageRefs).where(lt(messageRefs.updatedAt, cutoff)),
    // An anonymous report draft nobody finished: its card can no longer be clicked.
    expiredDraftsPurge(db, wallNow),
  ]);
  const purged = {
    inbox: changes[0] ?? 0,
    outbox: changes[1] ?? 0,
    messageRefs: changes[2] ?? 0,
    reportDrafts: changes[3] ?? 0,
  };
  const report = { recovered, jobs, delivery, purged };
  deps.logger.info({
    msg: 'tick',
    now: now.toISOString(),
    ...report.delivery,
    recovered,
    jobs,
    purged: report.purged,
  });
  return report;
}
