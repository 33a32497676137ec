// Vote storms alone, in one process: every member of a party group votes at once through the pipeline (no HTTP).
// For quick iteration and profiling (`node --cpu-prof --import tsx scripts/bench-votes.ts [storms] [members]`).
import type { EventEnvelope } from '../src/lark/envelope';
import { cardActionEvent, envelope } from '../src/sandbox/emulator-envelopes';
import type { EmulatedUser } from '../src/sandbox/emulator-state';
import { seedDeliberation } from '../test/support/decide';
import { offlineService } from './bench-offline';

const storms = Number(process.argv[2] ?? 10);
const n = Number(process.argv[3] ?? 50);
const { store, service, close } = offlineService('votes');

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
await close();
