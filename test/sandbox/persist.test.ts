import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LarkEmulator } from '../../src/sandbox/emulator';
import { persistEmulator, restoreEmulator } from '../../src/sandbox/persist';
import { tempDbPath } from '../support/stores';
import { sdkClient } from './emulator-harness';

const APP_ID = 'cli_emulator_persist';
const APP_SECRET = 'secret-persist';
const ALICE = 'ou_alice_persist_000000000001';
const HOUR = 60 * 60 * 1000;

describe('the sandbox chats file forgets a send’s uuid like a private outbox row', () => {
  let t = 1_764_300_000_000;
  let emu: LarkEmulator;
  beforeEach(async () => {
    emu = await LarkEmulator.start({ appId: APP_ID, appSecret: APP_SECRET, clock: () => t });
    emu.addUser({ openId: ALICE, name: '张执法' });
    emu.connectTransport(async () => ({ status: 200, json: {} }));
  });
  afterEach(async () => emu.close());

  const send = (uuid: string, text: string) =>
    sdkClient(emu.url, APP_ID, APP_SECRET).im.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: ALICE, msg_type: 'text', content: JSON.stringify({ text }), uuid },
    });

  it('keeps no uuid on messages, and in the dedup map only those still inside the platform’s hour', async () => {
    await send('uuid-old-7f3a9c', '一小时前');
    t += HOUR + 1;
    const fresh = await send('uuid-new-2b8d4e', '刚才');
    const file = join(tempDbPath(), '..', 'chats.json');
    persistEmulator(emu, file, 300).flush();
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain('一小时前');
    expect(saved).not.toContain('uuid-old-7f3a9c');
    expect(saved.split('uuid-new-2b8d4e')).toHaveLength(2); // once, in the dedup map

    // Restored, the recent uuid still deduplicates: a resend returns the same message.
    const again = await LarkEmulator.start({ appId: APP_ID, appSecret: APP_SECRET, clock: () => t });
    try {
      expect(restoreEmulator(again, file)).toBe(true);
      again.connectTransport(async () => ({ status: 200, json: {} }));
      const resent = await sdkClient(again.url, APP_ID, APP_SECRET).im.message.create({
        params: { receive_id_type: 'open_id' },
        data: {
          receive_id: ALICE,
          msg_type: 'text',
          content: JSON.stringify({ text: '刚才' }),
          uuid: 'uuid-new-2b8d4e',
        },
      });
      expect(resent.data?.message_id).toBe(fresh.data?.message_id);
      expect(again.messages({ openId: ALICE })).toHaveLength(2);
    } finally {
      await again.close();
    }
  });
});
