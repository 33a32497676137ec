// Handling alone, in one process: `帮助` events recorded in the inbox, then handled to committed outbox rows.
// For quick iteration and profiling (`node --cpu-prof --import tsx scripts/bench-handling.ts [N]`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import type { EventEnvelope } from '../src/lark/envelope';
import { silentLogger } from '../src/log';
import { createService } from '../src/service';
import { openSqliteStore } from '../src/store/sqlite';

const n = Number(process.argv[2] ?? 2000);
const dir = mkdtempSync(join(tmpdir(), 'rc-handling-'));
const store = openSqliteStore(join(dir, 'bench.sqlite'));
const loaded = loadConfig({
  LARK_APP_ID: 'cli_bench',
  LARK_APP_SECRET: 'secret',
  LARK_ENCRYPT_KEY: 'key',
  LARK_VERIFICATION_TOKEN: 'token',
  DATABASE_PATH: 'unused.sqlite',
  LARK_DOMAIN: 'http://127.0.0.1:9',
});
if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
// Nothing is sent: handling ends at the committed outbox row.
const transport = new Proxy({} as never, {
  get: () => async () => {
    throw new Error('no sending in this run');
  },
});
const service = createService({ config: loaded.config, store, transport, logger: silentLogger });
service.deliverer.close();

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
await store.close();
rmSync(dir, { recursive: true, force: true });
