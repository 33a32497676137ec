import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InboundResult, LarkEmulator } from '../../src/sandbox/emulator';
import { seeded } from '../support/faulty-lark';
import { appEnv, startEmulator } from '../support/harness';
import { freePort, type Started, startProcess } from '../support/process';
import { tempDbPath } from '../support/stores';

/** Each seed picks where the process dies: before or after its Nth commit (accepts, handling, deliveries). */
const SEEDS = [42, 7, 8];
const USERS = Array.from({ length: 4 }, (_, i) => ({ openId: `ou_crash_${i}`, name: `人员${i}` }));
const TEXTS_PER_USER = 2;
const MINE = { a: 'cmd', cmd: 'mine' };

describe('SIGKILL at a seeded point during a burst of events and card clicks', () => {
  let emu: LarkEmulator;
  const children: Started[] = [];
  beforeAll(async () => {
    emu = await startEmulator();
    for (const u of USERS) emu.addUser(u);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await c.exited;
    }
  });
  afterAll(async () => emu?.close());

  async function start(env: Record<string, string>, mayDie = false) {
    const port = await freePort();
    const withPort = { ...env, PORT: String(port) };
    emu.connectApp({
      eventUrl: `http://127.0.0.1:${port}/webhook/event`,
      cardUrl: `http://127.0.0.1:${port}/webhook/card`,
    });
    const started = await startProcess(withPort, { mayDie });
    children.push(started);
    return started;
  }

  it.each(SEEDS)(
    'nothing acknowledged is lost, nothing handled or sent twice (seed %i)',
    async (seed) => {
      const random = seeded(seed);
      const env = appEnv(emu, tempDbPath());
      const inChat = (openId: string) => emu.messages({ openId });

      // Each person has the help card to click on, from a first healthy run.
      const setup = await start(env);
      const helpCards: Record<string, string> = {};
      for (const u of USERS) {
        const r = await emu.sendText(u.openId, '帮助');
        const card = await emu.waitFor(() => inChat(u.openId).find((m) => m.replyTo === r.messageId), 10_000);
        helpCards[u.openId] = card.messageId;
      }
      setup.child.kill('SIGTERM');
      await setup.exited;
      const before = Object.fromEntries(USERS.map((u) => [u.openId, inChat(u.openId).length]));

      const when = random() < 0.5 ? 'before' : 'after';
      const n = 1 + Math.floor(random() * 40);
      const faulty = await start({ ...env, RC_FAULTS: `kill-${when}-commit:${n}` }, true);
      const texts: InboundResult[] = [];
      const clicks: InboundResult[] = [];
      await Promise.all(
        USERS.flatMap((u) => [
          ...Array.from({ length: TEXTS_PER_USER }, async () => {
            texts.push(await emu.sendText(u.openId, '帮助'));
          }),
          (async () => {
            clicks.push(await emu.click(u.openId, helpCards[u.openId]!, MINE));
          })(),
        ]),
      );
      // Still alive once the burst is answered: die now, deliveries may be in flight.
      if (faulty.child.exitCode === null && faulty.child.signalCode === null) faulty.child.kill('SIGKILL');
      await faulty.exited;
      expect(faulty.child.signalCode).toBe('SIGKILL');

      await start(env);
      // The platform retries what it got no 200 for; it may also retry what it did.
      for (const r of [...texts, ...clicks]) {
        if (r.status !== 200 || random() < 0.3) {
          const again = await emu.deliver(r.envelope);
          expect(again.status).toBe(200);
        }
      }
      const replies = (messageId: string) => emu.messages().filter((m) => m.replyTo === messageId);
      const mineCards = (openId: string) =>
        inChat(openId)
          .slice(before[openId])
          .filter(
            (m) => m.msgType === 'interactive' && !m.replyTo && JSON.stringify(m.content).includes('案件'),
          );
      const label = `seed ${seed}: kill ${when} commit ${n}`;
      await emu
        .waitFor(
          () =>
            texts.every((t) => replies(t.messageId!).length > 0) &&
            USERS.every((u) => mineCards(u.openId).length > 0),
          20_000,
        )
        .catch((err) => {
          const lost = texts.filter((t) => replies(t.messageId!).length === 0).map((t) => t.status);
          const noCard = USERS.filter((u) => mineCards(u.openId).length === 0).map((u) => u.openId);
          throw new Error(`${label}: ${String(err)}; unanswered texts (status): ${lost}; no card: ${noCard}`);
        });
      for (const t of texts) expect(replies(t.messageId!), label).toHaveLength(1);
      for (const u of USERS) {
        expect(mineCards(u.openId), label).toHaveLength(1);
        const added = inChat(u.openId).slice(before[u.openId]);
        // Two replies and the click's card; a click handled after the restart also gets its toast as text.
        const texted = added.filter((m) => m.msgType === 'text');
        expect(added.length - texted.length, label).toBe(TEXTS_PER_USER + 1);
        expect(texted.length, label).toBeLessThanOrEqual(1);
      }
    },
    90_000,
  );
});
