import { and, inArray, lt, ne } from 'drizzle-orm';
import { inbox, outbox } from '../../db/schema';
import type { Pipeline } from '../bot/pipeline';
import type { Logger } from '../log';
import type { DeliveryReport, Deliverer } from '../notify/deliver';
import type { Store } from '../store';

export interface TickDeps {
  store: Store;
  pipeline: Pipeline;
  deliverer: Deliverer;
  logger: Logger;
  retentionDays?: number;
}

export interface TickReport {
  recovered: number;
  delivery: DeliveryReport;
  purged: { inbox: number; outbox: number };
}

/**
 * Runs every job that is due at `now`. Node calls it every minute, Workers from a Cron Trigger,
 * operators with `npm run tick -- --now <ISO-8601>`.
 */
export async function tick(deps: TickDeps, now: Date): Promise<TickReport> {
  // Events recorded but never handled (a crash between the 200 and the handling).
  const recovered = await deps.pipeline.recover();
  const delivery = await deps.deliverer.deliverDue(now);
  const cutoff = now.getTime() - (deps.retentionDays ?? 30) * 86_400_000;
  const { db } = deps.store;
  const { changes } = await deps.store.commit([
    db.delete(inbox).where(and(ne(inbox.status, 'pending'), lt(inbox.receivedAt, cutoff))),
    db.delete(outbox).where(and(inArray(outbox.status, ['done', 'failed']), lt(outbox.createdAt, cutoff))),
  ]);
  const report = { recovered, delivery, purged: { inbox: changes[0] ?? 0, outbox: changes[1] ?? 0 } };
  deps.logger.info({ msg: 'tick', now: now.toISOString(), ...report.delivery, recovered, purged: report.purged });
  return report;
}
