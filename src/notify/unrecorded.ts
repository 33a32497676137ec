import { randomUUID } from 'node:crypto';
import { LarkCallError, type LarkTransport } from '../lark/client';
import type { Logger } from '../log';
import type { UnrecordedMessage } from './outbox';

export interface UnrecordedDeps {
  transport: LarkTransport;
  logger: Logger;
  baseBackoffMs: number;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Delivers answers to an anonymous reporter straight from memory: no outbox row, no message ref, the
 * idempotency uuid held only here. Retried a few times in this process; if it still fails the answer is
 * lost and the reporter asks again, which is the price of never writing where it went. Logs carry no ids.
 */
export async function deliverUnrecorded(deps: UnrecordedDeps, messages: UnrecordedMessage[]): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const maxAttempts = deps.maxAttempts ?? 5;
  for (const m of messages) {
    const uuid = randomUUID();
    for (let attempt = 1; ; attempt++) {
      try {
        if (m.op === 'send') {
          await deps.transport.send('open_id', m.openId, m.message.msgType, m.message.content, uuid);
        } else {
          await deps.transport.patch(m.messageId, JSON.stringify(m.card));
        }
        deps.logger.info({ msg: 'delivered unrecorded', op: m.op, attempt });
        break;
      } catch (err) {
        const e = err instanceof LarkCallError ? err : new LarkCallError('retry', undefined, undefined);
        const error = `${e.kind}:${e.code ?? e.httpStatus ?? 'network'}`;
        if (e.kind === 'permanent' || attempt >= maxAttempts) {
          deps.logger.warn({ msg: 'unrecorded delivery failed', op: m.op, error, attempts: attempt });
          break;
        }
        await sleep(deps.baseBackoffMs * 2 ** (attempt - 1));
      }
    }
  }
}
