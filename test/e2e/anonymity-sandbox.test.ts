import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { type NodeRuntime, startNode } from '../../src/runtime/node';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { submitReport } from '../support/forms';
import { tempDbPath } from '../support/stores';

const REPORTER = {
  openId: 'ou_sandbox_newcomer_6a5b4c3d',
  name: '新来的',
  userId: 'u_sandbox_newcomer_2e1f',
  unionId: 'on_sandbox_newcomer_union_9a8b',
};

/** As a new user would try it: `npm start` with no credentials, one anonymous report, the folder read. */
describe('an anonymous report in the sandbox', () => {
  const lines: string[] = [];
  let rt: NodeRuntime;
  let emu: LarkEmulator;
  let dbPath: string;
  beforeAll(async () => {
    dbPath = tempDbPath();
    rt = await startNode(
      { DATABASE_PATH: dbPath, PORT: '0', HOST: '127.0.0.1' },
      { logger: createLogger('debug', (l) => lines.push(l)), delivery: { baseBackoffMs: 20 } },
    );
    emu = rt.emulator!;
    emu.addUser(REPORTER);
  }, 60_000);
  afterAll(async () => rt?.close());

  it('leaves the bot’s files and logs without the sender, and the chats file without a uuid pointing at them', async () => {
    const settle = () => rt.service.settle();
    const last = () =>
      emu
        .messages({ openId: REPORTER.openId })
        .filter((m) => m.from === 'app')
        .at(-1)!;
    await emu.sendText(REPORTER.openId, '举报');
    await settle();
    const card = last();
    const picked = await emu.clickButton(REPORTER.openId, card.messageId, '匿名举报');
    const filed = await submitReport(emu, REPORTER.openId, card.messageId, '提交匿名举报', {
      accused: ['ou_sandbox_officer'],
      matter: '沙盒中的匿名举报',
      content: '2026年5月检查时收取费用。',
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await settle();
    await rt.service.tick(new Date());
    await settle();

    const p2p = emu.p2pChatId(REPORTER.openId);
    const reporterMessages = new Set(emu.messages({ chatId: p2p, from: 'any' }).map((m) => m.messageId));
    const needles = [
      REPORTER.openId,
      REPORTER.userId,
      REPORTER.unionId,
      p2p,
      picked.token,
      filed.token,
      ...reporterMessages,
    ];
    // The bot's files exactly as they are (no checkpoint), and its logs.
    const dir = dirname(dbPath);
    const botFiles = readdirSync(dir).filter((f) => f.startsWith('test.sqlite') && !f.endsWith('.json'));
    expect(botFiles).toEqual(expect.arrayContaining(['test.sqlite', 'test.sqlite-wal']));
    const botBytes = botFiles.map((f) => ({ f, bytes: readFileSync(join(dir, f)) }));
    for (const { f, bytes } of botBytes)
      for (const n of needles) expect(bytes.includes(Buffer.from(n)), `${f} holds ${n}`).toBe(false);
    for (const n of needles) expect(lines.join('\n').includes(n), `logs hold ${n}`).toBe(false);

    // The chats file is the emulated platform's own copy of the chats; it keeps no uuid a send could be
    // traced back through, and none of the uuids of the reporter's chat is anywhere in the bot's files.
    await rt.close();
    const saved = JSON.parse(readFileSync(`${dbPath}.chats.json`, 'utf8')) as {
      messages: Record<string, unknown>[];
      uuids: Record<string, { messageId: string }>;
    };
    expect(saved.messages.filter((m) => 'uuid' in m)).toEqual([]);
    const uuidsIntoChat = Object.entries(saved.uuids)
      .filter(([, u]) => reporterMessages.has(u.messageId))
      .map(([uuid]) => uuid);
    expect(uuidsIntoChat.length).toBeGreaterThan(0);
    for (const { f, bytes } of botBytes)
      for (const uuid of uuidsIntoChat)
        expect(bytes.includes(Buffer.from(uuid)), `${f} holds ${uuid}`).toBe(false);
  }, 60_000);
});
