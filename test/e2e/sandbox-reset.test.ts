import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cases, conversations, outbox } from '../../db/schema';
import { silentLogger } from '../../src/log';
import { type NodeRuntime, startNode } from '../../src/runtime/node';
import { freePort } from '../support/process';
import { tempDbPath } from '../support/stores';

const OFFICER = 'ou_sandbox_officer';
const DAY = 86_400_000;
/** However slow the machine, a reset clock is back at the wall clock within this much. */
const NEAR_MS = 5 * 60_000;

/** 重置 on the sandbox page, through the running sandbox's own HTTP endpoints. */
describe('the sandbox reset', () => {
  let rt: NodeRuntime | undefined;
  let base = '';
  const api = async (path: string, body?: unknown) => {
    const res = await fetch(`${base}/sandbox/api/${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  type State = { chat: { chatId: string }; messages: { id: string }[] };
  const stateOf = async (as: string) => (await api(`state?as=${as}`)).json as unknown as State;

  beforeAll(async () => {
    const port = await freePort();
    rt = await startNode({ PORT: String(port), DATABASE_PATH: tempDbPath() }, { logger: silentLogger });
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => rt?.close());

  it('after clock jumps and an application, starts over: real time, no data, empty chats', async () => {
    const start = (await api('clock')).json.now as number;
    // A story: the officer starts an application in the direct chat.
    const p2p = (await stateOf(OFFICER)).chat.chatId;
    expect((await api('say', { as: OFFICER, chat: p2p, text: '申请容错' })).status).toBe(200);
    await rt!.service.settle();
    const told = (await stateOf(OFFICER)).messages.map((m) => m.id);
    expect(told.length).toBeGreaterThan(0);
    expect(await rt!.store.db.select().from(cases)).toHaveLength(1);
    // Two jumps: time passes for the bot and for the platform.
    for (const days of [1, 3]) {
      const to = new Date(start + days * DAY).toISOString();
      const moved = await api('clock', { to });
      expect(moved.status).toBe(200);
      expect(moved.json.now).toBe(Date.parse(to));
    }
    // The clocks run on from where they were set.
    expect(rt!.emulator!.now() - (start + 3 * DAY)).toBeGreaterThanOrEqual(0);
    expect(rt!.emulator!.now() - (start + 3 * DAY)).toBeLessThan(NEAR_MS);

    const reset = await api('reset', {});
    expect(reset.status).toBe(200);
    expect(reset.json.toast).toMatchObject({ type: 'success' });

    // The business clock and the platform's are back at the wall clock.
    const now = (await api('clock')).json.now as number;
    expect(Math.abs(now - Date.now())).toBeLessThan(NEAR_MS);
    expect(Math.abs(rt!.emulator!.now() - Date.now())).toBeLessThan(NEAR_MS);
    // No case, no draft, nothing waiting to be sent from before.
    expect(await rt!.store.db.select().from(cases)).toEqual([]);
    expect(await rt!.store.db.select().from(conversations)).toEqual([]);
    const toOfficer = (await rt!.store.db.select().from(outbox)).filter(
      (r) => r.receiveId === OFFICER || (r.targetMessageId !== null && told.includes(r.targetMessageId)),
    );
    expect(toOfficer).toEqual([]);
    // The officer's chat is empty, and nothing said before the reset is anywhere.
    const after = await stateOf(OFFICER);
    expect(after.messages).toEqual([]);
    const ids = new Set(rt!.emulator!.state.messages.map((m) => m.messageId));
    expect(told.filter((id) => ids.has(id))).toEqual([]);
    // And it works as new: the officer can start again.
    const again = await stateOf(OFFICER);
    expect((await api('say', { as: OFFICER, chat: again.chat.chatId, text: '申请容错' })).status).toBe(200);
    await rt!.service.settle();
    expect(await rt!.store.db.select().from(cases)).toHaveLength(1);
    expect((await stateOf(OFFICER)).messages.length).toBeGreaterThan(0);
  }, 60_000);
});
