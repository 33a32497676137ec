import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLarkTransport, LarkCallError, type LarkTransport } from '../../src/lark/client';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { APP, OFFICER, startEmulator } from '../support/harness';

describe('file upload and file messages in the emulator, through the SDK', () => {
  let emu: LarkEmulator;
  let t: LarkTransport;
  beforeAll(async () => {
    emu = await startEmulator();
    t = createLarkTransport({ appId: APP.appId, appSecret: APP.appSecret, domain: emu.url });
  });
  afterAll(() => emu?.close());

  it('keeps an uploaded file byte for byte and sends it as a file message named as uploaded', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i); // every byte value, NUL and 0xff included
    const key = await t.uploadFile('doc', '认定结果告知书.docx', bytes);
    expect([...Buffer.from(emu.state.files[key]!.dataBase64, 'base64')]).toEqual([...bytes]);
    const { messageId } = await t.send(
      'open_id',
      OFFICER.openId,
      'file',
      JSON.stringify({ file_key: key }),
      'u-1',
    );
    expect(emu.message(messageId)).toMatchObject({
      msgType: 'file',
      content: { file_key: key, file_name: '认定结果告知书.docx' },
    });
  });

  it('refuses a file message whose file_key was never uploaded', async () => {
    const err = await t
      .send('open_id', OFFICER.openId, 'file', JSON.stringify({ file_key: 'file_v3_nope' }), 'u-2')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LarkCallError);
    expect(err).toMatchObject({ kind: 'permanent', code: 230001 });
    expect(emu.messages({ openId: OFFICER.openId }).filter((m) => m.msgType === 'file')).toHaveLength(1);
  });
});
