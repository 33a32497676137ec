import type { Ctx } from './context';

/**
 * Told after an outbox row with a ref was delivered or failed for good, as its own unit of work
 * (e.g. a notice's delivery recorded on its case). Filled in by the deliberation work.
 */
export async function onMessageSettled(_ctx: Ctx, _ref: string, _outcome: 'delivered' | 'failed'): Promise<void> {}
