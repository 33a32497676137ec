import { describe, expect, it } from 'vitest';
import { matchUnit, mentionedPeople, parseSetupCommand } from '../../src/bot/handlers/setup';
import type { Said } from '../../src/bot/handlers/types';
import { normalizeCommand } from '../../src/bot/text';
import { parseMessageEvent } from '../../src/lark/envelope';
import { defaultPolicy } from '../../src/policy';
import fixture from '../fixtures/lark/im.message.receive_v1.group-mention.json';

const parse = (typed: string) => parseSetupCommand(normalizeCommand(typed));

describe('setup command words', () => {
  it.each([
    ['设为党组群', { kind: 'bind-chat', as: 'party' }],
    ['设置为 党组群！', { kind: 'bind-chat', as: 'party' }],
    ['设为公示群', { kind: 'bind-chat', as: 'publication' }],
    ['设为科室群　执法一科', { kind: 'bind-unit', unit: '执法一科' }],
    ['设为科室群', { kind: 'bind-unit', unit: '' }],
    ['党组成员', { kind: 'grant', role: 'party_member' }],
    ['党组书记', { kind: 'grant', role: 'secretary' }],
    ['设为经办人', { kind: 'grant', role: 'clerk' }],
    ['核查人员', { kind: 'grant', role: 'investigator' }],
    ['管理员', { kind: 'grant', role: 'admin' }],
    ['移除', { kind: 'revoke' }],
    ['移除 管理员', { kind: 'revoke', role: 'admin' }],
    ['查看配置', { kind: 'show-config' }],
    ['绑定管理员 abcd 2345', { kind: 'bind-admin', code: 'abcd2345' }],
  ])('%s', (typed, cmd) => {
    expect(parse(typed)).toEqual(cmd);
  });

  it('leaves ordinary sentences alone, even when they begin with a role word', () => {
    for (const s of [
      '党组成员张三同意后我才执行的',
      '帮助',
      '申请容错',
      '移除附件',
      '管理员是谁',
      '设为党组群吧我觉得',
    ]) {
      expect(parse(s)).toBeNull();
    }
  });
});

describe('mentioned people', () => {
  it('leaves out the bot (the first mention) in the recorded group-mention payload', () => {
    const m = parseMessageEvent(fixture.event)!;
    const said: Said = { ...m, openId: m.senderOpenId, words: normalizeCommand(m.text), text: m.text };
    expect(said.words).toBe('党组成员');
    expect(mentionedPeople(said)).toEqual([
      { openId: 'ou_member_a', name: '王书记' },
      { openId: 'ou_member_b', name: '李成员' },
    ]);
    expect(mentionedPeople(said, 'ou_member_b')).toEqual([
      { openId: 'ou_bot_example', name: '容错纠错助手' },
      { openId: 'ou_member_a', name: '王书记' },
    ]);
  });

  it('orders by placeholder number, drops repeats and the bot mentioned again, and is empty in a direct chat', () => {
    const said: Said = {
      openId: 'ou_x',
      chatType: 'group',
      chatId: 'oc_x',
      words: '',
      text: '',
      kind: 'text',
      mentions: [
        { key: '@_user_3', openId: 'ou_b', name: '乙' },
        { key: '@_user_1', openId: 'ou_bot', name: '助手' },
        { key: '@_user_2', openId: 'ou_a', name: '甲' },
        { key: '@_user_4', openId: 'ou_a', name: '甲' },
        { key: '@_user_5', openId: 'ou_bot', name: '助手' },
      ],
    };
    expect(mentionedPeople(said).map((p) => p.openId)).toEqual(['ou_a', 'ou_b']);
    expect(mentionedPeople({ ...said, chatType: 'p2p' })).toEqual([]);
  });
});

describe('unit names', () => {
  it('match forgivingly by name or id, and not otherwise', () => {
    const units = defaultPolicy.units;
    expect(matchUnit('执法一科', units)?.id).toBe('enforcement_1');
    expect(matchUnit('「法制审核科」', units)?.id).toBe('legal_review');
    expect(matchUnit('ＧＥＮＥＲＡＬ', units)?.id).toBe('general');
    expect(matchUnit('财务科', units)).toBeUndefined();
    expect(matchUnit('', units)).toBeUndefined();
  });
});
