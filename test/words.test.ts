import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it } from 'vitest';
import { card, md } from '../cards/common';
import { LarkEmulator } from '../src/sandbox/emulator';
import { doubledWords, repeatedSentences, shownTexts, unknownFields, watchWords } from './support/words';

// The checks every end-to-end test runs on what the bot said (test/support/harness.ts), on the mistakes found.
describe('the wording checks', () => {
  it('find doubled words and labels said twice, not reduplication that Chinese uses on purpose', () => {
    expect(doubledWords('申请已已提交')).toEqual(['doubled 「已已」']);
    expect(doubledWords('**初步评估：初步评估：建议容错免责**')).toEqual([
      'doubled 「初步评估：初步评估：」',
    ]);
    expect(doubledWords('信访举报 举报〔2026〕7号')).toEqual(['doubled 「举报 举报」']);
    expect(doubledWords('提交后由党组书记验收，验收通过后案件办结。')).toEqual([]);
    expect(doubledWords('发送「查询 查询码」')).toEqual([]);
    expect(doubledWords('认真分析原因、深刻汲取教训')).toEqual([]);
  });

  it('find a statement quoted twice in one card, but not list lines that carry numbers', () => {
    const duty =
      '督促指导相关行政执法科室或者个人认真分析原因、深刻汲取教训，完善制度、健全机制，防止类似错误再次发生';
    expect(repeatedSentences([`**分析原因**：${duty}。`, `📌 ${duty}。（第十六条）`])).toHaveLength(1);
    expect(
      repeatedSentences(['容错〔2026〕1号 认定期限 2026-12-22', '容错〔2026〕2号 认定期限 2026-12-22']),
    ).toEqual([]);
  });

  it('find an error naming a field the card calls otherwise', () => {
    const form = {
      body: {
        elements: [
          { tag: 'markdown', content: '**纠错要求**（每行一项）' },
          {
            tag: 'date_picker',
            name: 'new_deadline',
            placeholder: { tag: 'plain_text', content: '申请延长至' },
          },
        ],
      },
    };
    expect(shownTexts(form)).toEqual(['**纠错要求**（每行一项）', '申请延长至']);
    expect(unknownFields('请至少列出一项「纠错事项」。', form)).toEqual(['纠错事项']);
    expect(unknownFields('「新的整改期限」格式不正确。', form)).toEqual(['新的整改期限']);
    expect(unknownFields('请选择「申请延长至」的日期。', form)).toEqual([]);
    // A value quoted back is not a field name.
    expect(unknownFields('没有找到案件「容错〔2026〕999号」，请核对编号。', form)).toEqual([]);
  });
});

// The watch every harness keeps passes quietly when it sees nothing; here it must see what the app sent.
describe('the wording watch on an emulator', () => {
  it('finds a doubled word in a message the app sent, in its first version and in a later one', async () => {
    const emu = await LarkEmulator.start({ appId: 'cli_words_0000000000', appSecret: 'words-secret' });
    try {
      emu.addUser({ openId: 'ou_words_zhang', name: '张执法' });
      const words = watchWords(emu);
      const client = new lark.Client({
        appId: 'cli_words_0000000000',
        appSecret: 'words-secret',
        domain: emu.url,
        loggerLevel: lark.LoggerLevel.fatal,
      });
      const sent = await client.im.message.create({
        params: { receive_id_type: 'open_id' },
        data: {
          receive_id: 'ou_words_zhang',
          msg_type: 'interactive',
          content: JSON.stringify(card({ title: '申请', elements: [md('申请已提交。')] })),
        },
      });
      expect(words.problems()).toEqual([]);
      await client.im.message.patch({
        path: { message_id: sent.data!.message_id! },
        data: { content: JSON.stringify(card({ title: '申请', elements: [md('申请已已受理。')] })) },
      });
      const problems = words.problems();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('doubled 「已已」');
    } finally {
      await emu.close();
    }
  });
});
