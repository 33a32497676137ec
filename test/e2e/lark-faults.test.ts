import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { type NodeRuntime, startNode } from '../../src/runtime/node';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { type FaultyLark, type LarkFault, seeded, startFaultyLark } from '../support/faulty-lark';
import { appEnv, startEmulator } from '../support/harness';
import { tempDbPath } from '../support/stores';

const SEEDS = [11, 2026, 90210];
const USERS = Array.from({ length: 6 }, (_, i) => ({ openId: `ou_burst_${i}`, name: `用户${i}` }));
const MESSAGES_PER_USER = 3;
/** Faults hit only the first calls: "for a while", then the platform is healthy again. */
const FAULTY_CALLS = 40;
const FAULTS: LarkFault[] = ['500', 'rate-limit', 'hang-before', 'hang-after'];

describe('Lark answering 500s, time-outs and rate limits for a while', () => {
  let emu: LarkEmulator | undefined;
  let lark: FaultyLark | undefined;
  let rt: NodeRuntime | undefined;
  afterEach(async () => {
    await rt?.close();
    await lark?.close();
    await emu?.close();
  });

  it.each(SEEDS)(
    'every message is delivered exactly once (seed %i)',
    async (seed) => {
      const random = seeded(seed);
      let calls = 0;
      emu = await startEmulator();
      for (const u of USERS) emu.addUser(u);
      lark = await startFaultyLark(emu.url, () => {
        calls++;
        if (calls > FAULTY_CALLS || random() < 0.4) return 'pass';
        return FAULTS[Math.floor(random() * FAULTS.length)]!;
      });
      rt = await startNode(appEnv(emu, tempDbPath(), { LARK_DOMAIN: lark.url }), {
        logger: silentLogger,
        delivery: { baseBackoffMs: 20, maxBackoffMs: 200, maxAttempts: FAULTY_CALLS + 5 },
        larkTimeoutMs: 250,
      });
      emu.connectApp({ eventUrl: `${rt.url}/webhook/event`, cardUrl: `${rt.url}/webhook/card` });

      const sent = await Promise.all(
        USERS.flatMap((u) =>
          Array.from({ length: MESSAGES_PER_USER }, () => emu!.sendText(u.openId, '帮助')),
        ),
      );
      for (const s of sent) expect(s.status).toBe(200);
      const e = emu;
      const repliesTo = (messageId: string) =>
        e.messages({ from: 'app' }).filter((m) => m.replyTo === messageId);
      await e.waitFor(() => sent.every((s) => repliesTo(s.messageId!).length > 0), 30_000);
      await rt.service.settle();

      expect(Object.values(lark.injected).reduce((a, b) => a + b, 0) - lark.injected.pass).toBeGreaterThan(0);
      for (const s of sent) expect(repliesTo(s.messageId!)).toHaveLength(1);
      // Nothing else reached the people in the burst (the admin may get the calendar-data reminder).
      for (const u of USERS) expect(e.messages({ openId: u.openId })).toHaveLength(MESSAGES_PER_USER);
    },
    60_000,
  );
});
