// Vote storms alone, in one process: every member of a party group votes at once through the pipeline (no HTTP).
// For quick iteration and profiling (`node --cpu-prof --import tsx scripts/bench-votes.ts [storms] [members]`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import type { EventEnvelope } from '../src/lark/envelope';
import { silentLogger } from '../src/log';
import { cardActionEvent, envelope } from '../src/sandbox/emulator-envelopes';
import type { EmulatedUser } from '../src/sandbox/emulator-state';
import { createService } from '../src/service';
import { openSqliteStore } from '../src/store/sqlite';
import { seedDeliberation } from '../test/support/decide';

const storms = Number(process.argv[2] ?? 10);
const n = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'rc-votes-'));
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
// Nothing is sent: a vote ends at its committed answer.
const transport = new Proxy({} as never, {
  get: () => async () => {
    throw new Error('no sending in this run');
  },
});
const service = createService({ config: loaded.config, store, transport, logger: silentLogger });
service.deliverer.close();

let eventSeq = 0;
const walls: number[] = [];
for (let s = 0; s < storms; s++) {
  const caseId = `case_${s + 1}`;
  const chatId = `oc_storm_${s}`;
  const secretary = `ou_storm${s}_sec`;
  const members = Array.from({ length: n - 1 }, (_, i) => `ou_storm${s}_m${i + 1}`);
  const seed = {
    caseId,
    secretary,
    members,
    investigator: `ou_storm${s}_inv`,
    subject: `ou_storm${s}_subj`,
    chatId,
  };
  await seedDeliberation(service, store, seed, 'bench');
  const clicks = [secretary, ...members].map(
    (openId) =>
      envelope(
        'card.action.trigger',
        cardActionEvent({
          operator: { openId, userId: openId, unionId: openId } as EmulatedUser,
          tenantKey: 't',
          token: `c_${eventSeq}`,
          messageId: `om_storm_${s}`,
          chatId,
          value: { a: 'delib.vote', case: caseId, round: 1, v: 'exempt' },
        }),
        {
          eventId: `ev_${eventSeq++}`,
          createTimeMs: Date.now(),
          token: 'token',
          appId: 'cli_bench',
          tenantKey: 't',
        },
      ) as unknown as EventEnvelope,
  );
  const t0 = performance.now();
  const answers = await Promise.all(clicks.map((e) => service.pipeline.handleCard(e, 'webhook')));
  walls.push(performance.now() - t0);
  const own = answers.filter((a) => JSON.stringify(a).includes('已记录您的表决')).length;
  if (own !== n) throw new Error(`storm ${s}: ${own}/${n} got their own vote's confirmation`);
  await service.settle();
}
const sorted = [...walls].sort((a, b) => a - b);
console.log(
  `${storms} storms of ${n} members: last answer after ${walls.map((t) => t.toFixed(0)).join(' ')} ms (median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms)`,
);
await store.close();
rmSync(dir, { recursive: true, force: true });
