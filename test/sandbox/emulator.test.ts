import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LarkEmulator } from '../../src/sandbox/emulator';
import { memoryCache, sdkClient } from './emulator-harness';

const APP_ID = 'cli_emulator_api';
const APP_SECRET = 'secret-api';
const ALICE = 'ou_alice000000000000000000000001';
const BOB = 'ou_bob00000000000000000000000002';
const CAROL = 'ou_carol000000000000000000000003';
const OUTSIDER = 'ou_outside00000000000000000000004';
const GROUP = 'oc_group0000000000000000000000001';

const card = (title: string) =>
  JSON.stringify({
    schema: '2.0',
    config: { update_multi: true },
    header: { title: { tag: 'plain_text', content: title } },
    body: { elements: [{ tag: 'markdown', content: title }] },
  });

let emu: LarkEmulator;
let client: ReturnType<typeof sdkClient>;

beforeEach(async () => {
  emu = await LarkEmulator.start({ appId: APP_ID, appSecret: APP_SECRET, clock: () => 1_764_300_000_000 });
  emu.addUser({ openId: ALICE, name: '张执法' });
  emu.addUser({ openId: BOB, name: '王书记', email: 'wang@example.org' });
  emu.addUser({ openId: CAROL, name: '李成员' });
  emu.addUser({ openId: OUTSIDER, name: '外单位', available: false });
  emu.addChat({ chatId: GROUP, name: '党组群', members: [ALICE, BOB, CAROL] });
  client = sdkClient(emu.url, APP_ID, APP_SECRET);
  emu.connectTransport(async () => ({ status: 200, json: {} })); // these tests only look at the Open API side
});

afterEach(async () => {
  await emu.close();
});

async function sendText(
  receiveIdType: 'open_id' | 'chat_id',
  receiveId: string,
  text: string,
  uuid?: string,
) {
  return client.im.message.create({
    params: { receive_id_type: receiveIdType },
    data: {
      receive_id: receiveId,
      msg_type: 'text',
      content: JSON.stringify({ text }),
      ...(uuid ? { uuid } : {}),
    },
  });
}

describe('tenant token', () => {
  it('issues a token to the right app id and secret and the SDK uses it as bearer', async () => {
    const res = await sendText('open_id', ALICE, '你好');
    expect(res.code).toBe(0);
    const log = emu.requests();
    expect(log.map((r) => [r.method, r.path, r.status, r.code])).toEqual([
      ['POST', '/open-apis/auth/v3/tenant_access_token/internal', 200, 0],
      ['POST', '/open-apis/im/v1/messages', 200, 0],
    ]);
    const tokens = Object.values(emu.snapshot().tokens);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.token).toMatch(/^t-g[A-Z0-9]{40}$/);
  });

  it('refuses a wrong secret and a wrong app id', async () => {
    const badSecret = await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: APP_ID, app_secret: 'nope' }),
    });
    expect(badSecret.status).toBe(400);
    expect(await badSecret.json()).toMatchObject({ code: 10014 });
    await expect(
      sdkClient(emu.url, 'cli_other', APP_SECRET).contact.user.get({ path: { user_id: ALICE } }),
    ).rejects.toThrow();
    expect(emu.requests().at(-1)).toMatchObject({ route: 'token', status: 400, code: 10003 });
  });

  it('answers 99991661 without a bearer token and 99991663 with an unknown one', async () => {
    const none = await fetch(`${emu.url}/open-apis/contact/v3/users/${ALICE}`);
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ code: 99991661 });
    const forged = await fetch(`${emu.url}/open-apis/contact/v3/users/${ALICE}`, {
      headers: { authorization: 'Bearer t-forged' },
    });
    expect(await forged.json()).toMatchObject({ code: 99991663 });
    expect(emu.requests().map((r) => r.code)).toEqual([99991661, 99991663]);
  });

  it('invalidated tokens fail with 99991663 until the app fetches a new one', async () => {
    const cache = memoryCache();
    const c = sdkClient(emu.url, APP_ID, APP_SECRET, cache);
    await c.contact.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } });
    emu.invalidateTokens();
    await expect(
      c.contact.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } }),
    ).rejects.toMatchObject({
      response: { status: 400, data: { code: 99991663 } },
    });
    cache.clear(); // what the app's token-refresh path does
    const again = await c.contact.user.get({ path: { user_id: ALICE }, params: { user_id_type: 'open_id' } });
    expect(again.code).toBe(0);
    const tokens = Object.values(emu.snapshot().tokens);
    expect(tokens.map((t) => t.valid)).toEqual([false, true]);
    expect(emu.requests().filter((r) => r.route === 'token')).toHaveLength(2);
  });
});

describe('messages', () => {
  it('a message to an open_id lands in that user’s stable p2p chat', async () => {
    const res = await sendText('open_id', ALICE, '申请已受理');
    expect(res.data?.message_id).toMatch(/^om_[0-9a-f]{32}$/);
    expect(res.data?.chat_id).toBe(emu.p2pChatId(ALICE));
    expect(res.data?.sender).toMatchObject({ id: APP_ID, sender_type: 'app' });
    expect(emu.p2pChatId(ALICE)).toMatch(/^oc_[0-9a-f]{32}$/);
    expect(emu.p2pChatId(ALICE)).not.toBe(emu.p2pChatId(BOB));
    const [m] = emu.messages({ openId: ALICE });
    expect(m).toMatchObject({
      messageId: res.data?.message_id,
      chatType: 'p2p',
      receiveIdType: 'open_id',
      receiveId: ALICE,
      msgType: 'text',
      content: { text: '申请已受理' },
      createdAt: 1_764_300_000_000,
    });
    expect(emu.messages({ openId: BOB })).toEqual([]);
  });

  it('a message to a chat_id lands in the group, in order', async () => {
    await sendText('chat_id', GROUP, '第一条');
    await sendText('chat_id', GROUP, '第二条');
    expect(emu.messages({ chatId: GROUP }).map((m) => (m.content as { text: string }).text)).toEqual([
      '第一条',
      '第二条',
    ]);
    expect(emu.messages({ chatId: GROUP })[0]?.chatType).toBe('group');
  });

  it('refuses a group the bot is not in (230002) and a user outside availability (230013)', async () => {
    emu.addChat({ chatId: 'oc_nobot', name: '无机器人', members: [ALICE], botMember: false });
    await expect(sendText('chat_id', 'oc_nobot', 'x')).rejects.toMatchObject({
      response: { data: { code: 230002 } },
    });
    await expect(sendText('open_id', OUTSIDER, 'x')).rejects.toMatchObject({
      response: { data: { code: 230013 } },
    });
    expect(emu.messages()).toEqual([]);
  });

  it('the same uuid returns the same message and creates nothing new', async () => {
    const a = await sendText('open_id', ALICE, '通知', 'uuid-1');
    const b = await sendText('open_id', ALICE, '通知', 'uuid-1');
    const c = await sendText('open_id', ALICE, '通知', 'uuid-2');
    expect(b.data?.message_id).toBe(a.data?.message_id);
    expect(c.data?.message_id).not.toBe(a.data?.message_id);
    expect(emu.messages({ openId: ALICE }).map((m) => m.uuid)).toEqual(['uuid-1', 'uuid-2']);
  });

  it('replies thread under the message they answer', async () => {
    const inbound = await emu.sendText(ALICE, '申请容错');
    expect(inbound.delivered).toBe(true);
    const [userMsg] = emu.messages({ openId: ALICE, from: 'user' });
    const res = await client.im.message.reply({
      path: { message_id: userMsg!.messageId },
      data: { msg_type: 'text', content: JSON.stringify({ text: '收到' }), uuid: 'r-1' },
    });
    expect(res.data?.parent_id).toBe(userMsg!.messageId);
    const reply = emu.message(res.data!.message_id!);
    expect(reply).toMatchObject({
      replyTo: userMsg!.messageId,
      chatId: emu.p2pChatId(ALICE),
      from: 'app',
      uuid: 'r-1',
    });
    expect(emu.messages({ openId: ALICE, from: 'any' }).map((m) => m.from)).toEqual(['user', 'app']);
  });

  it('each PATCH of a card appends a version', async () => {
    const sent = await client.im.message.create({
      params: { receive_id_type: 'chat_id' },
      data: { receive_id: GROUP, msg_type: 'interactive', content: card('待研判') },
    });
    const id = sent.data!.message_id!;
    await client.im.message.patch({ path: { message_id: id }, data: { content: card('研判中') } });
    await client.im.message.patch({ path: { message_id: id }, data: { content: card('已决定') } });
    const m = emu.message(id)!;
    expect(m.versions.map((v: any) => v.header.title.content)).toEqual(['待研判', '研判中', '已决定']);
    expect((m.content as any).header.title.content).toBe('已决定');
  });

  it('refuses to PATCH a text message and an oversized card', async () => {
    const sent = await sendText('open_id', ALICE, '文本');
    await expect(
      client.im.message.patch({ path: { message_id: sent.data!.message_id! }, data: { content: card('x') } }),
    ).rejects.toMatchObject({ response: { status: 400 } });
    const big = await client.im.message.create({
      params: { receive_id_type: 'open_id' },
      data: { receive_id: ALICE, msg_type: 'interactive', content: card('小') },
    });
    await expect(
      client.im.message.patch({
        path: { message_id: big.data!.message_id! },
        data: { content: card('大'.repeat(11_000)) },
      }),
    ).rejects.toMatchObject({ response: { data: { code: 230025 } } });
    expect(emu.message(big.data!.message_id!)?.versions).toHaveLength(1);
    expect(emu.takeCardRefusals()).toMatchObject([{ route: 'patch', code: 230025 }]);
  });

  it('urgent_app flags members and reports the others as invalid', async () => {
    const sent = await sendText('chat_id', GROUP, '请尽快表决');
    const res = await client.im.message.urgentApp({
      path: { message_id: sent.data!.message_id! },
      params: { user_id_type: 'open_id' },
      data: { user_id_list: [BOB, OUTSIDER] },
    });
    expect(res.data?.invalid_user_id_list).toEqual([OUTSIDER]);
    expect(emu.message(sent.data!.message_id!)?.urgentTo).toEqual([BOB]);
  });
});

describe('directory', () => {
  it('looks a user up by open_id', async () => {
    const res = await client.contact.user.get({
      path: { user_id: BOB },
      params: { user_id_type: 'open_id' },
    });
    expect(res.data?.user).toMatchObject({ open_id: BOB, name: '王书记', email: 'wang@example.org' });
    await expect(
      client.contact.user.get({ path: { user_id: OUTSIDER }, params: { user_id_type: 'open_id' } }),
    ).rejects.toMatchObject({ response: { data: { code: 41050 } } });
  });

  it('pages through chat members', async () => {
    const names: string[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await client.im.chatMembers.get({
        path: { chat_id: GROUP },
        params: { member_id_type: 'open_id', page_size: 2, ...(pageToken ? { page_token: pageToken } : {}) },
      });
      names.push(...(res.data?.items ?? []).map((m) => m.name ?? ''));
      expect(res.data?.member_total).toBe(3);
      if (!res.data?.has_more) break;
      pageToken = res.data.page_token;
    }
    expect(names).toEqual(['张执法', '王书记', '李成员']);
  });

  it('pages through a department’s direct members and its sub-departments, and refuses a page size over 50', async () => {
    for (const openId of [ALICE, BOB, CAROL])
      emu.addUser({ openId, name: emu.state.users[openId]!.name, departmentId: 'od-enforcement-team1' });
    const names: string[] = [];
    let pageToken: string | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await client.contact.user.findByDepartment({
        params: {
          department_id: 'od-enforcement-team1',
          user_id_type: 'open_id',
          page_size: 2,
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      });
      names.push(...(res.data?.items ?? []).map((u) => u.name ?? ''));
      if (!res.data?.has_more) break;
      pageToken = res.data.page_token;
    }
    expect(names).toEqual(['张执法', '王书记', '李成员']);

    const departments: string[] = [];
    pageToken = undefined;
    for (let i = 0; i < 5; i++) {
      const res = await client.contact.department.children({
        path: { department_id: '0' },
        params: { fetch_child: true, page_size: 1, ...(pageToken ? { page_token: pageToken } : {}) },
      });
      departments.push(...(res.data?.items ?? []).map((d) => d.open_department_id ?? ''));
      if (!res.data?.has_more) break;
      pageToken = res.data.page_token;
    }
    expect(departments).toEqual(['od-enforcement', 'od-enforcement-team1', 'od-enforcement-team2']);

    await expect(
      client.contact.user.findByDepartment({ params: { department_id: '0', page_size: 51 } }),
    ).rejects.toMatchObject({ response: { data: { code: 99992402 } } });
    await expect(
      client.contact.department.children({ path: { department_id: '0' }, params: { page_size: 51 } }),
    ).rejects.toMatchObject({ response: { data: { code: 99992402 } } });
  });
});

describe('files', () => {
  it('downloads the file a user sent, and only from its own message', async () => {
    await emu.sendFile(ALICE, {
      fileKey: 'file_v3_00ab_1234',
      fileName: '现场执法记录.pdf',
      content: 'PDF-BYTES',
    });
    const [m] = emu.messages({ openId: ALICE, from: 'user' });
    const res = await client.im.messageResource.get({
      path: { message_id: m!.messageId, file_key: 'file_v3_00ab_1234' },
      params: { type: 'file' },
    });
    const chunks: Buffer[] = [];
    for await (const c of res.getReadableStream()) chunks.push(Buffer.from(c));
    expect(Buffer.concat(chunks).toString('utf8')).toBe('PDF-BYTES');
    await expect(
      client.im.messageResource.get({
        path: { message_id: m!.messageId, file_key: 'file_v3_other' },
        params: { type: 'file' },
      }),
    ).rejects.toMatchObject({ response: { status: 400 } });
    expect(emu.requests().at(-1)).toMatchObject({ route: 'resource', code: 234003 });
  });

  it('stores an uploaded file under a new file_key', async () => {
    const res = await client.im.file.create({
      data: { file_type: 'pdf', file_name: '认定书.pdf', file: Buffer.from('%PDF-1.7 emulated') },
    });
    const key = res?.file_key;
    expect(key).toMatch(/^file_v3_/);
    const stored = emu.snapshot().files[key!];
    expect(stored?.fileName).toBe('认定书.pdf');
    expect(Buffer.from(stored!.dataBase64, 'base64').toString('utf8')).toBe('%PDF-1.7 emulated');
  });
});

describe('fault injection', () => {
  it('an injected 500 fails the next send, then sends succeed', async () => {
    emu.failNext('send', { status: 500, times: 1 });
    await expect(sendText('open_id', ALICE, 'a')).rejects.toMatchObject({ response: { status: 500 } });
    expect((await sendText('open_id', ALICE, 'b')).code).toBe(0);
    expect(emu.messages().map((m) => (m.content as { text: string }).text)).toEqual(['b']);
  });

  it('rate limiting answers HTTP 429 with code 99991400 and the reset header, `times` times', async () => {
    emu.failNext('send', { code: 99991400, times: 2 });
    for (let i = 0; i < 2; i++) {
      await expect(sendText('open_id', ALICE, 'x')).rejects.toMatchObject({
        response: { status: 429, data: { code: 99991400 }, headers: { 'x-ogw-ratelimit-reset': '1' } },
      });
    }
    expect((await sendText('open_id', ALICE, 'y')).code).toBe(0);
    expect(
      emu
        .requests()
        .filter((r) => r.route === 'send')
        .map((r) => r.code),
    ).toEqual([99991400, 99991400, 0]);
  });

  it('230002 on members, then the real answer', async () => {
    emu.failNext('members', { code: 230002, times: 1 });
    await expect(client.im.chatMembers.get({ path: { chat_id: GROUP } })).rejects.toMatchObject({
      response: { status: 400, data: { code: 230002 } },
    });
    expect((await client.im.chatMembers.get({ path: { chat_id: GROUP } })).data?.member_total).toBe(3);
  });

  it('a token-invalid fault on a route looks like an expired token', async () => {
    emu.failNext('user', { code: 99991663, times: 1 });
    await expect(client.contact.user.get({ path: { user_id: ALICE } })).rejects.toMatchObject({
      response: { data: { code: 99991663 } },
    });
    emu.failNext('token', { status: 500, times: 1 });
    await expect(
      sdkClient(emu.url, APP_ID, APP_SECRET).contact.user.get({ path: { user_id: ALICE } }),
    ).rejects.toMatchObject({
      response: { status: 500 },
    });
  });
});

describe('waiting and serialisation', () => {
  it('waitFor resolves on the change that satisfies it and times out otherwise', async () => {
    const seen: string[] = [];
    const off = emu.onMessage((m, kind) => seen.push(`${kind}:${m.msgType}`));
    const waiting = emu.waitFor(() => emu.messages({ chatId: GROUP })[0]);
    await sendText('chat_id', GROUP, '到了');
    expect((await waiting).content).toEqual({ text: '到了' });
    off();
    await sendText('chat_id', GROUP, '再来');
    expect(seen).toEqual(['created:text']);
    await expect(emu.waitFor(() => undefined, 20)).rejects.toThrow(/within 20 ms/);
  });

  it('the whole state survives a JSON round trip', async () => {
    await sendText('chat_id', GROUP, '状态');
    const snap = emu.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
  });
});
