import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LarkEmulator } from '../../src/sandbox/emulator';
import { fixture, sdkClient, shape, startReceiver } from './emulator-harness';

const APP_ID = 'cli_a1b2c3d4e5';
const APP_SECRET = 'secret-delivery';
const ENCRYPT_KEY = 'kudryavka-encrypt-key-2026';
const VTOKEN = 'v_token_example';
const ALICE = 'ou_84aad35d084aa403a838cf73ee18467';
const BOB = 'ou_member_a';
const CAROL = 'ou_member_b';
const GROUP = 'oc_5ad573a6411d72b8305fda3a9c15c70e';

let clock = 1_764_300_000_000;
let emu: LarkEmulator;
let app: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  clock = 1_764_300_000_000;
  emu = await LarkEmulator.start({
    appId: APP_ID,
    appSecret: APP_SECRET,
    encryptKey: ENCRYPT_KEY,
    verificationToken: VTOKEN,
    botOpenId: 'ou_bot_example',
    botName: '容错纠错助手',
    clock: () => clock,
  });
  emu.addUser({ openId: ALICE, name: '张执法' });
  emu.addUser({ openId: BOB, name: '王书记' });
  emu.addUser({ openId: CAROL, name: '李成员' });
  emu.addChat({ chatId: GROUP, name: '党组群', members: [ALICE, BOB, CAROL] });
  app = await startReceiver(ENCRYPT_KEY);
  emu.connectApp({ eventUrl: app.eventUrl, cardUrl: app.cardUrl });
});

afterEach(async () => {
  await emu.close();
  await app.close();
});

function only() {
  expect(app.received).toHaveLength(1);
  const r = app.received[0]!;
  expect(r.signatureOk).toBe(true);
  expect(JSON.parse(r.raw)).toEqual({ encrypt: expect.any(String) });
  return r;
}

function expectHeader(body: any, eventType: string) {
  expect(Object.keys(body.header)).toEqual(Object.keys(fixture('im.message.receive_v1.p2p-text').header));
  expect(body.header).toMatchObject({
    event_type: eventType,
    create_time: String(clock),
    token: VTOKEN,
    app_id: APP_ID,
    tenant_key: emu.tenantKey,
  });
  expect(body.header.event_id).toMatch(/^[0-9a-f]{32}$/);
}

describe('events towards the app', () => {
  it('a direct text is encrypted, signed over the raw body and shaped like the fixture', async () => {
    clock += 42_000;
    const res = await emu.sendText(ALICE, '申请容错');
    expect(res.status).toBe(200);
    const r = only();
    expect(r.path).toBe('/lark/event');
    expect(r.headers['x-lark-request-timestamp']).toBe(String(Math.floor(clock / 1000)));
    expect(shape(r.body)).toEqual(shape(fixture('im.message.receive_v1.p2p-text')));
    expectHeader(r.body, 'im.message.receive_v1');
    expect(r.body.header.event_id).toBe(res.eventId);
    expect(r.body.event.message).toMatchObject({
      message_id: res.messageId,
      chat_id: emu.p2pChatId(ALICE),
      chat_type: 'p2p',
      message_type: 'text',
      create_time: String(clock),
    });
    expect(JSON.parse(r.body.event.message.content)).toEqual({ text: '申请容错' });
    expect(r.body.event.sender.sender_id.open_id).toBe(ALICE);
  });

  it('every delivery has a fresh event_id', async () => {
    const a = await emu.sendText(ALICE, '一');
    const b = await emu.sendText(ALICE, '二');
    expect(a.eventId).not.toBe(b.eventId);
  });

  it('a group text that @mentions the bot builds @_user_N keys like the fixture', async () => {
    const res = await emu.sendText(ALICE, '党组成员', {
      chatId: GROUP,
      mentionBot: true,
      mentions: [
        { openId: BOB, name: '王书记' },
        { openId: CAROL, name: '李成员' },
      ],
    });
    expect(res.delivered).toBe(true);
    const r = only();
    const fx = fixture('im.message.receive_v1.group-mention');
    expect(shape(r.body)).toEqual(shape(fx));
    expect(JSON.parse(r.body.event.message.content)).toEqual(JSON.parse(fx.event.message.content));
    expect(r.body.event.message.mentions.map((m: any) => [m.key, m.id.open_id, m.name])).toEqual(
      fx.event.message.mentions.map((m: any) => [m.key, m.id.open_id, m.name]),
    );
    expect(r.body.event.message.chat_type).toBe('group');
  });

  it('a group text without the bot’s mention never reaches the app', async () => {
    const res = await emu.sendText(ALICE, '闲聊', { chatId: GROUP });
    expect(res.delivered).toBe(false);
    expect(app.received).toHaveLength(0);
    expect(emu.messages({ chatId: GROUP, from: 'user' })).toHaveLength(1);
  });

  it.each([
    ['file', () => emu.sendFile(ALICE, { fileKey: 'file_v3_00ab_1234', fileName: '现场执法记录.pdf' })],
    ['image', () => emu.sendImage(ALICE, 'img_v3_00ab_5678')],
    [
      'post',
      () =>
        emu.sendPost(ALICE, {
          content: [
            [{ tag: 'text', text: '情况经过：', style: [] }],
            [{ tag: 'text', text: '11月20日夜间联合检查……', style: [] }],
          ],
        }),
    ],
  ])('a %s message matches its fixture', async (kind, send) => {
    await send();
    const r = only();
    const fx = fixture(`im.message.receive_v1.${kind}`);
    expect(shape(r.body)).toEqual(shape(fx));
    expect(shape(JSON.parse(r.body.event.message.content))).toEqual(
      shape(JSON.parse(fx.event.message.content)),
    );
    expect(r.body.event.message.message_type).toBe(kind);
  });

  it('p2p entered, bot added and menu events match their fixtures', async () => {
    await emu.enterP2p(ALICE);
    emu.addChat({ chatId: 'oc_new', name: '党组群', members: [ALICE], botMember: false });
    await emu.addBotToChat('oc_new', ALICE);
    await emu.menu(ALICE, 'apply');
    const [entered, added, menu] = app.received.map((r) => r.body);
    expect(shape(entered)).toEqual(shape(fixture('im.chat.access_event.bot_p2p_chat_entered_v1')));
    expect(entered.event.chat_id).toBe(emu.p2pChatId(ALICE));
    expect(shape(added)).toEqual(shape(fixture('im.chat.member.bot.added_v1')));
    expect(added.event).toMatchObject({ chat_id: 'oc_new', name: '党组群', operator_id: { open_id: ALICE } });
    expect(shape(menu)).toEqual(shape(fixture('application.bot.menu_v6')));
    expect(menu.event).toMatchObject({ event_key: 'apply', timestamp: Math.floor(clock / 1000) });
    expectHeader(menu, 'application.bot.menu_v6');
    expect(app.received.every((r) => r.signatureOk && r.path === '/lark/event')).toBe(true);
    expect(emu.deliveries().map((d) => [d.eventType, d.status])).toEqual([
      ['im.chat.access_event.bot_p2p_chat_entered_v1', 200],
      ['im.chat.member.bot.added_v1', 200],
      ['application.bot.menu_v6', 200],
    ]);
  });
  it('removing the bot delivers bot.deleted_v1 and later sends to the group fail with 230002', async () => {
    await emu.removeBotFromChat(GROUP, ALICE);
    expect(only().body.header.event_type).toBe('im.chat.member.bot.deleted_v1');
    const client = sdkClient(emu.url, APP_ID, APP_SECRET);
    await expect(
      client.im.message.create({
        params: { receive_id_type: 'chat_id' },
        data: { receive_id: GROUP, msg_type: 'text', content: JSON.stringify({ text: 'x' }) },
      }),
    ).rejects.toMatchObject({ response: { data: { code: 230002 } } });
    expect((await emu.sendText(ALICE, '@机器人', { chatId: GROUP, mentionBot: true })).delivered).toBe(false);
  });
});

describe('card callbacks', () => {
  const voteCard = {
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: '待表决' } },
    body: {
      elements: [
        {
          tag: 'button',
          name: 'vote_exempt',
          text: { tag: 'plain_text', content: '同意免责' },
          behaviors: [{ type: 'callback', value: { a: 'vote', case: 'c_01J9', v: 'exempt' } }],
        },
        {
          tag: 'form',
          name: 'f',
          elements: [
            { tag: 'input', name: 'title' },
            {
              tag: 'button',
              name: 'submit',
              form_action_type: 'submit',
              text: { tag: 'plain_text', content: '下一步' },
              behaviors: [{ type: 'callback', value: { a: 'intake.next', step: 'basics' } }],
            },
          ],
        },
      ],
    },
  };

  async function sendCard() {
    const client = sdkClient(emu.url, APP_ID, APP_SECRET);
    const res = await client.im.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: GROUP, msg_type: 'interactive', content: JSON.stringify(voteCard) },
    });
    return { client, id: res.data!.message_id! };
  }

  it('a click reaches the card URL shaped like the fixture; the answered card replaces the stored one', async () => {
    const { id } = await sendCard();
    const decided = { ...voteCard, header: { title: { tag: 'plain_text', content: '已表决' } } };
    app.answerWith(() => ({
      json: { toast: { type: 'success', content: '已记录' }, card: { type: 'raw', data: decided } },
    }));
    const res = await emu.clickButton(BOB, id, '同意免责');
    const r = only();
    expect(r.path).toBe('/lark/card');
    expect(shape(r.body)).toEqual(shape(fixture('card.action.trigger.button')));
    expect(r.body.event).toMatchObject({
      operator: { open_id: BOB },
      token: res.token,
      action: { value: { a: 'vote', case: 'c_01J9', v: 'exempt' }, tag: 'button', name: 'vote_exempt' },
      context: { open_message_id: id, open_chat_id: GROUP },
    });
    expect(res.token).toMatch(/^c-[0-9a-f]{40}$/);
    expect(res.toast).toEqual({ type: 'success', content: '已记录' });
    expect(emu.message(id)?.versions).toEqual([voteCard, decided]);
  });

  it('a form submit carries form_value like the fixture', async () => {
    const { id } = await sendCard();
    const fx = fixture('card.action.trigger.form');
    await emu.clickButton(ALICE, id, '下一步', fx.event.action.form_value);
    const r = only();
    expect(shape(r.body.event.action)).toEqual(shape(fx.event.action));
    expect(r.body.event.action.form_value).toEqual(fx.event.action.form_value);
    expect(emu.message(id)?.versions).toHaveLength(1); // `{}` answer leaves the card alone
  });

  it('refuses a click on a value the card does not show, or by someone outside the chat', async () => {
    const { id } = await sendCard();
    await expect(emu.click(ALICE, id, { a: 'vote', v: 'forged' })).rejects.toThrow(/no button/);
    emu.addUser({ openId: 'ou_stranger', name: '路人' });
    await expect(emu.click('ou_stranger', id, { a: 'vote', case: 'c_01J9', v: 'exempt' })).rejects.toThrow(
      /cannot see/,
    );
    expect(app.received).toHaveLength(0);
  });

  it('a delayed update by token works after the answer, twice, within 30 minutes', async () => {
    const { client, id } = await sendCard();
    let duringCallback: unknown;
    app.answerWith(async (r) => {
      // the platform refuses an update that races the callback's own answer
      duringCallback = await client
        .request({
          method: 'POST',
          url: '/open-apis/interactive/v1/card/update',
          data: { token: r.body.event.token, card: voteCard },
        })
        .catch((e) => e.response?.data?.code);
      return { json: {} };
    });
    const { token } = await emu.clickButton(BOB, id, '同意免责');
    expect(duringCallback).toBe(99992402);
    const update = (title: string) =>
      client.request({
        method: 'POST',
        url: '/open-apis/interactive/v1/card/update',
        data: { token, card: { ...voteCard, header: { title: { tag: 'plain_text', content: title } } } },
      });
    expect((await update('一')).code).toBe(0);
    expect((await update('二')).code).toBe(0);
    await expect(update('三')).rejects.toMatchObject({ response: { data: { code: 99992402 } } });
    expect(emu.message(id)?.versions.map((v: any) => v.header.title.content)).toEqual(['待表决', '一', '二']);
  });

  it('a card token expires after 30 minutes on the platform clock', async () => {
    const { client, id } = await sendCard();
    const { token } = await emu.clickButton(BOB, id, '同意免责');
    clock += 30 * 60 * 1000 + 1;
    await expect(
      client.request({
        method: 'POST',
        url: '/open-apis/interactive/v1/card/update',
        data: { token, card: voteCard },
      }),
    ).rejects.toMatchObject({ response: { status: 400 } });
  });
});

describe('low-level delivery for refusal tests', () => {
  const envelope = () => ({ ...fixture('im.message.receive_v1.p2p-text') });

  it('tampering with the signature or the body breaks the raw-body signature', async () => {
    expect((await emu.deliver(envelope(), { tamper: 'signature' })).status).toBe(401);
    expect((await emu.deliver(envelope(), { tamper: 'body' })).status).toBe(401);
    expect(app.received.map((r) => r.signatureOk)).toEqual([false, false]);
    expect((await emu.deliver(envelope())).status).toBe(200);
  });

  it('honours timestamp, token, unsigned and unencrypted variants', async () => {
    await emu.deliver(envelope(), { timestampSec: 1_000, token: 'wrong-token' });
    await emu.deliver(envelope(), { noSign: true });
    await emu.deliver(envelope(), { encrypt: false });
    const [stale, unsigned, plain] = app.received;
    expect(stale?.headers['x-lark-request-timestamp']).toBe('1000');
    expect(stale?.body.header.token).toBe('wrong-token');
    expect(unsigned?.headers['x-lark-signature']).toBeUndefined();
    expect(JSON.parse(plain!.raw).schema).toBe('2.0');
    expect(plain?.signatureOk).toBe(true);
  });

  it('url verification posts the challenge to the chosen URL', async () => {
    const res = await emu.verifyUrl('card', { noSign: true });
    expect(app.received[0]?.path).toBe('/lark/card');
    expect(app.received[0]?.body).toMatchObject({ type: 'url_verification', token: VTOKEN });
    expect(res.json).toEqual({ challenge: app.received[0]?.body.challenge });
  });

  it('a transport replaces HTTP delivery for the high-level calls', async () => {
    const carried: string[] = [];
    emu.connectTransport(async (kind, env) => {
      carried.push(`${kind}:${env.header.event_type}`);
      return { status: 200, json: {} };
    });
    await emu.sendText(ALICE, '长连接');
    expect(carried).toEqual(['event:im.message.receive_v1']);
    expect(app.received).toHaveLength(0);
  });

  it('extra routes are served before the Open API', async () => {
    emu.route('POST', '/callback/ws/endpoint', (_req, res, body) => {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ code: 0, echo: body.toString() }));
    });
    const res = await fetch(`${emu.url}/callback/ws/endpoint`, { method: 'POST', body: 'hi' });
    expect(await res.json()).toEqual({ code: 0, echo: 'hi' });
  });
});
