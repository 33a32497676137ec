import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { card } from '../cards/common';
import { LarkEmulator } from '../src/sandbox/emulator';
import { strictTwinProblems } from './support/strict-twin';

const FILE = 'test/strict-twin.test.ts';
// A tag JSON 2.0 cards do not have: it breaks the known-tag rule.
const broken = () => card({ title: '检查规则', elements: [{ tag: 'note', elements: [] }] });

// The suite-wide check (test/support/strict-twin.ts) passes every test quietly when it sees nothing; here it must see.
describe('the strict twin', () => {
  it('sees a card built through cards/common in any test, so a broken one fails the test that built it', () => {
    broken();
    const problems = strictTwinProblems(FILE);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('「检查规则」');
    expect(problems[0]).toContain('known-tag');
    expect(strictTwinProblems(FILE)).toEqual([]);
  });

  it('sees every emulator a test starts, so a card the platform refused fails the test', async () => {
    const emu = await LarkEmulator.start({ appId: 'cli_twin_00000000000', appSecret: 'twin-secret' });
    try {
      emu.addUser({ openId: 'ou_twin_zhang', name: '张执法' });
      const client = new lark.Client({
        appId: 'cli_twin_00000000000',
        appSecret: 'twin-secret',
        domain: emu.url,
        loggerLevel: lark.LoggerLevel.fatal,
      });
      const content = JSON.stringify(broken());
      // The built card is taken first: only the emulator's refusal is under test here.
      strictTwinProblems(FILE);
      await expect(
        client.im.message.create({
          params: { receive_id_type: 'open_id' },
          data: { receive_id: 'ou_twin_zhang', msg_type: 'interactive', content },
        }),
      ).rejects.toMatchObject({ response: { data: { code: 230099 } } });
      const problems = strictTwinProblems(FILE);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('the emulator refused a card (send)');
      expect(emu.cardRefusals()).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});
