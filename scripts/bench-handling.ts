// Handling alone, in one process: `帮助` events recorded in the inbox, then handled to committed outbox rows.
// For quick iteration and profiling (`node --cpu-prof --import tsx scripts/bench-handling.ts [N]`).
import type { EventEnvelope } from '../src/lark/envelope';
import { offlineService } from './bench-offline';

const n = Number(process.argv[2] ?? 2000);
const { store, service, close } = offlineService('handling');

const envelopes: EventEnvelope[] = Array.from({ length: n }, (_, i) => ({
  schema: '2.0',
  header: {
    event_id: `ev_${i}`,
    event_type: 'im.message.receive_v1',
    create_time: String(Date.now()),
    token: 'token',
    app_id: 'cli_bench',
    tenant_key: 't',
  },
  event: {
    sender: { sender_id: { open_id: `ou_user_${i % 500}` }, sender_type: 'user', tenant_key: 't' },
    message: {
      message_id: `om_${i}`,
      chat_id: `oc_p2p_${i % 500}`,
      chat_type: 'p2p',
      message_type: 'text',
      content: JSON.stringify({ text: '帮助' }),
      create_time: String(Date.now()),
    },
  },
})) as unknown as EventEnvelope[];

for (const e of envelopes) await service.pipeline.accept(e, 'webhook');
const started = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: Number(process.argv[3] ?? 16) }, async () => {
    for (let i = next++; i < n; i = next++) {
      const r = await service.pipeline.process(envelopes[i]!.header.event_id, envelopes[i]);
      if (r.status !== 'done') throw new Error(`event ${i}: ${r.status}`);
    }
  }),
);
const ms = performance.now() - started;
const { transactions, units } = store.durability();
console.log(
  `handled ${n} 帮助 in ${ms.toFixed(0)} ms: ${((n / ms) * 1000).toFixed(0)}/s; ${units} units in ${transactions} transactions; rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
);
await close();
