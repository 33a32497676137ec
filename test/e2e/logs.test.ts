import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log';
import { startNode } from '../../src/runtime/node';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { APP, appEnv, OFFICER, startEmulator } from '../support/harness';
import { tempDbPath } from '../support/stores';

describe('logs', () => {
  const lines: string[] = [];
  let emu: LarkEmulator;
  let rt: Awaited<ReturnType<typeof startNode>>;
  beforeAll(async () => {
    emu = await startEmulator();
    rt = await startNode(appEnv(emu, tempDbPath()), {
      logger: createLogger('debug', (l) => lines.push(l)),
      delivery: { baseBackoffMs: 20 },
    });
    emu.connectApp({ eventUrl: `${rt.url}/webhook/event`, cardUrl: `${rt.url}/webhook/card` });
  });
  afterAll(async () => {
    await rt?.close();
    await emu?.close();
  });

  it('one structured line per event and per delivery; never secrets, message contents or card values', async () => {
    const sent = await emu.sendText(OFFICER.openId, '机密内容甲乙丙 请帮我看看');
    await rt.service.settle();
    const help = emu.messages({ openId: OFFICER.openId }).at(-1)!;
    await emu.click(
      OFFICER.openId,
      help.messageId,
      { a: 'cmd', cmd: 'mine' },
      { note: '表单里的秘密' },
      { unchecked: true },
    );
    await emu.deliver(
      { ...sent.envelope, header: { ...sent.envelope.header, event_id: 'evt_forged' } },
      { tamper: 'signature' },
    );
    await rt.service.settle();

    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const handled = parsed.find((l) => l.msg === 'event handled' && l.eventId === sent.eventId);
    expect(handled).toMatchObject({ type: 'im.message.receive_v1', outcome: 'unknown-command' });
    expect(typeof handled?.ms).toBe('number');
    expect(parsed.some((l) => l.msg === 'delivered' && typeof l.ms === 'number')).toBe(true);
    expect(parsed.some((l) => l.msg === 'request refused' && l.status === 401)).toBe(true);

    const all = lines.join('\n');
    for (const secret of [
      APP.appSecret,
      APP.encryptKey,
      APP.verificationToken,
      '机密内容甲乙丙',
      '表单里的秘密',
      '申请容错',
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
