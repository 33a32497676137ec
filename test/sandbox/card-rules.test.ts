import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionValue } from '../../cards/actions';
import { card, button as cardButton, md } from '../../cards/common';
import { CARD_RULES, checkCard } from '../../src/sandbox/card-rules';
import { LarkEmulator } from '../../src/sandbox/emulator';

// The emulator renders any callback value, not only the ones the bot's own cards send.
const button = (label: string, value: Record<string, unknown>, opts?: Parameters<typeof cardButton>[2]) =>
  cardButton(label, value as ActionValue, opts);

const APP_ID = 'cli_rules_0000000000';
const APP_SECRET = 'rules-secret';
const ALICE = 'ou_alice_rules';
const BOB = 'ou_bob_rules';
const CAROL = 'ou_carol_rules';

/** A card that passes every rule, and how to break each rule from it. */
const good = () =>
  structuredClone(
    card({
      title: '表决',
      tags: [{ text: '进行中', color: 'blue' }],
      elements: [
        md('**事项**'),
        {
          tag: 'form',
          name: 'f',
          elements: [
            { tag: 'input', name: 'comment', max_length: 1000, required: true },
            {
              tag: 'multi_select_static',
              name: 'items',
              options: [{ text: { tag: 'plain_text', content: '一' }, value: '1' }],
              selected_values: ['1'],
            },
            { tag: 'date_picker', name: 'due', initial_date: '2026-11-20' },
            {
              ...button('提交', { a: 'x' }, { type: 'primary', name: 'submit' }),
              form_action_type: 'submit',
            },
          ],
        },
      ],
    }),
  ) as Record<string, unknown> & {
    config: Record<string, unknown>;
    body: { elements: Record<string, unknown>[] };
  };

const form = (c: ReturnType<typeof good>) => c.body.elements[1] as { elements: Record<string, unknown>[] };

/** One broken card per rule: the rule it breaks and the change. */
const BROKEN: Record<string, (c: ReturnType<typeof good>) => void> = {
  'card-root': (c) => {
    c.elements = [];
  },
  'update-multi': (c) => {
    c.config.update_multi = false;
  },
  header: (c) => {
    (c.header as Record<string, unknown>).template = 'pink';
  },
  'known-tag': (c) => {
    c.body.elements.push({ tag: 'note', elements: [] });
  },
  properties: (c) => {
    form(c).elements[1]!.initial_options = ['1'];
  },
  'enum-values': (c) => {
    form(c).elements[3]!.type = 'primary_outline';
  },
  'numeric-range': (c) => {
    form(c).elements[0]!.max_length = 2000;
  },
  placement: (c) => {
    c.body.elements.push({ ...button('提交', { a: 'y' }, { name: 'outside' }), form_action_type: 'submit' });
  },
  'form-names': (c) => {
    delete form(c).elements[0]!.name;
  },
  options: (c) => {
    form(c).elements[1]!.options = [
      { text: { tag: 'plain_text', content: '一' }, value: '1' },
      { text: { tag: 'plain_text', content: '又一' }, value: '1' },
    ];
  },
  texts: (c) => {
    form(c).elements[3]!.text = '提交';
  },
  behaviors: (c) => {
    form(c).elements[3]!.behaviors = [{ type: 'jump' }];
  },
  'date-format': (c) => {
    form(c).elements[2]!.initial_date = '2026/11/20';
  },
  'component-count': (c) => {
    for (let i = 0; i < 200; i++) c.body.elements.push({ tag: 'hr' });
  },
};

describe('the twin’s card rules', () => {
  it('the good card passes, and every rule in the table has a breaking case here', () => {
    expect(checkCard(good())).toBeUndefined();
    expect(Object.keys(BROKEN).sort()).toEqual(CARD_RULES.map((r) => r.id).sort());
    for (const r of CARD_RULES) expect(r.doc).toMatch(/^https:\/\/open\.feishu\.cn\/document\//);
  });

  for (const [rule, breakIt] of Object.entries(BROKEN)) {
    it(`${rule}: a card breaking it is refused with 230099`, () => {
      const c = good();
      breakIt(c);
      const refusal = checkCard(c);
      expect(refusal?.code).toBe(230099);
      expect(refusal?.msg).toMatch(/^Failed to create card content, ext=ErrCode: 11310; ErrMsg: /);
      expect(refusal?.findings.map((f) => f.rule)).toContain(rule);
    });
  }

  it('size: a card over 30 KB is refused with 230025', () => {
    const c = good();
    c.body.elements.push(md('字'.repeat(11_000)));
    expect(checkCard(c)).toMatchObject({
      code: 230025,
      msg: 'The length of the message content reaches its limit.',
    });
  });
});

describe('the emulator applies them on every way a card arrives', () => {
  let emu: LarkEmulator;
  let client: lark.Client;
  let clock = Date.UTC(2026, 10, 2, 2, 0, 0);
  const broken = () => {
    const c = good();
    BROKEN['numeric-range']!(c);
    return c;
  };
  const send = (c: object, to = ALICE) =>
    client.im.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: to, msg_type: 'interactive', content: JSON.stringify(c) },
    });

  beforeAll(async () => {
    emu = await LarkEmulator.start({ appId: APP_ID, appSecret: APP_SECRET, clock: () => clock });
    emu.addUser({ openId: ALICE, name: '张执法' });
    emu.addUser({ openId: BOB, name: '王书记' });
    emu.addUser({ openId: CAROL, name: '李委员' });
    client = new lark.Client({
      appId: APP_ID,
      appSecret: APP_SECRET,
      domain: emu.url,
      loggerLevel: lark.LoggerLevel.fatal,
    });
  });
  afterAll(async () => emu?.close());

  it('send, reply and PATCH answer 230099 and store nothing', async () => {
    await expect(send(broken())).rejects.toMatchObject({ response: { data: { code: 230099 } } });
    const ok = await send(good());
    const id = ok.data!.message_id!;
    await expect(
      client.im.message.reply({
        path: { message_id: id },
        data: { msg_type: 'interactive', content: JSON.stringify(broken()) },
      }),
    ).rejects.toMatchObject({ response: { data: { code: 230099 } } });
    await expect(
      client.im.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(broken()) } }),
    ).rejects.toMatchObject({ response: { data: { code: 230099 } } });
    expect(emu.message(id)!.versions).toHaveLength(1);
    expect(emu.messages()).toHaveLength(1);
    expect(emu.takeCardRefusals().map((r) => r.route)).toEqual(['send', 'reply', 'patch']);
  });

  it('PATCH: only within 14 days of sending (230031), and only a shared card', async () => {
    const id = (await send(good())).data!.message_id!;
    const patch = () =>
      client.im.message.patch({ path: { message_id: id }, data: { content: JSON.stringify(good()) } });
    await patch();
    expect(emu.message(id)!.versions).toHaveLength(2);
    emu.advanceClock(14 * 86_400_000 + 1);
    await expect(patch()).rejects.toMatchObject({
      response: {
        data: {
          code: 230031,
          msg: 'Message has expired when updating message, ext=Message can only be updated within fourteen days.',
        },
      },
    });
    expect(emu.message(id)!.versions).toHaveLength(2);
    clock = emu.now();
    emu.setClock(clock);
    const text = await client.im.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: ALICE, msg_type: 'text', content: JSON.stringify({ text: 'x' }) },
    });
    await expect(
      client.im.message.patch({
        path: { message_id: text.data!.message_id! },
        data: { content: JSON.stringify(good()) },
      }),
    ).rejects.toMatchObject({ response: { status: 400 } });
    // A card that does not declare update_multi: true takes no PATCH, and no PATCH may drop the declaration.
    // (Sent to another chat: the per-chat rate of 5 a second runs on the wall clock across these tests.)
    const unshared = good();
    delete unshared.config.update_multi;
    const notShared = { response: { data: { code: 230001, msg: expect.stringContaining('shared card') } } };
    const sharedId = (await send(good(), CAROL)).data!.message_id!;
    await expect(
      client.im.message.patch({
        path: { message_id: sharedId },
        data: { content: JSON.stringify(unshared) },
      }),
    ).rejects.toMatchObject(notShared);
    expect(emu.message(sharedId)!.versions).toHaveLength(1);
    const unsharedId = (await send(unshared, CAROL)).data!.message_id!;
    await expect(
      client.im.message.patch({
        path: { message_id: unsharedId },
        data: { content: JSON.stringify(good()) },
      }),
    ).rejects.toMatchObject(notShared);
    expect(emu.message(unsharedId)!.versions).toHaveLength(1);
  });

  it('a 2.0 card older than 14 days takes no more clicks', async () => {
    const id = (await send(good())).data!.message_id!;
    emu.advanceClock(14 * 86_400_000 + 1);
    const click = await emu.clickButton(ALICE, id, '提交', {});
    expect(click.delivered).toBe(false);
    expect(emu.deliveries()).toEqual([]);
  });

  it('5 messages a second into one chat (230020)', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        await send(good(), BOB);
        codes.push(0);
      } catch (e) {
        codes.push((e as { response: { data: { code: number } } }).response.data.code);
      }
    }
    expect(codes).toEqual([0, 0, 0, 0, 0, 230020]);
  });

  it('a user profile needs contact:contact.base:readonly (99991672)', async () => {
    // Another app id: the SDK caches tokens per app id across clients.
    const narrow = await LarkEmulator.start({
      appId: 'cli_rules_narrow_000',
      appSecret: APP_SECRET,
      scopes: ['im:message', 'contact:user.base:readonly'],
    });
    narrow.addUser({ openId: ALICE, name: '张执法' });
    const c = new lark.Client({
      appId: 'cli_rules_narrow_000',
      appSecret: APP_SECRET,
      domain: narrow.url,
      loggerLevel: lark.LoggerLevel.fatal,
    });
    await expect(
      c.contact.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } }),
    ).rejects.toMatchObject({ response: { data: { code: 99991672 } } });
    await narrow.close();
    const named = await client.contact.user.get({
      path: { user_id: ALICE },
      params: { user_id_type: 'open_id' },
    });
    expect(named.data?.user?.name).toBe('张执法');
  });
});
