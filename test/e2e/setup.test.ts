import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, chatBindings, inbox, kv, roster } from '../../db/schema';
import { BIND_CODE_KEY, ensureBindCode } from '../../src/bot/bind-code';
import { businessDate, calendarDataWarning, createCalendar } from '../../src/calendar';
import { defaultPolicy } from '../../src/policy';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const SECRETARY = { openId: 'ou_secretary_wang', name: '王书记' };
const MEMBER = { openId: 'ou_member_liu', name: '刘成员' };
const CLERK = { openId: 'ou_clerk_zhao', name: '赵经办' };
const INVESTIGATOR = { openId: 'ou_investigator_qian', name: '钱核查' };
const DEPUTY = { openId: 'ou_deputy_sun', name: '孙管理' };
const PEOPLE = [SECRETARY, MEMBER, CLERK, INVESTIGATOR, DEPUTY];
const PARTY_CHAT = 'oc_party_chat';
const PUBLIC_CHAT = 'oc_public_chat';
const UNIT_CHAT = 'oc_unit1_chat';

const textOf = (card: unknown) => JSON.stringify(card);

/** The whole of what setup may change: roster, chat bindings and the audit log. */
async function snapshot(h: Harness) {
  const db = h.rt.store.db;
  return {
    roster: await db.select().from(roster).orderBy(roster.openId, roster.role),
    bindings: await db.select().from(chatBindings).orderBy(chatBindings.kind, chatBindings.unitId),
    audit: await db.select().from(audit).orderBy(audit.id),
  };
}

async function say(
  h: Harness,
  from: string,
  text: string,
  opts: { chatId?: string; mentions?: { openId: string; name: string }[] } = {},
) {
  const sent = await h.emu.sendText(from, text, opts.chatId ? { ...opts, mentionBot: true } : opts);
  expect(sent.status).toBe(200);
  await h.settle();
  const chatId = opts.chatId ?? h.emu.p2pChatId(from);
  const reply = h.emu.messages({ chatId }).find((m) => m.replyTo === sent.messageId);
  if (!reply) throw new Error(`no reply to ${text}`);
  const [row] = await h.rt.store.db.select().from(inbox).where(eq(inbox.eventId, sent.eventId));
  return { reply, text: textOf(reply.content), outcome: row?.outcome };
}

describe('chat-native setup with an admin from ADMIN_OPEN_IDS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    for (const p of PEOPLE) h.emu.addUser(p);
    const everyone = [ADMIN.openId, OFFICER.openId, ...PEOPLE.map((p) => p.openId)];
    h.emu.addChat({ chatId: PARTY_CHAT, name: '党组会', members: everyone });
    h.emu.addChat({ chatId: PUBLIC_CHAT, name: '公示', members: everyone });
    h.emu.addChat({ chatId: UNIT_CHAT, name: '执法一科', members: everyone });
  });
  afterAll(async () => h?.close());

  const nonAdminAttempts: [
    string,
    string,
    { chatId?: string; mentions?: { openId: string; name: string }[] },
  ][] = [
    ['bind party chat', '设为党组群', { chatId: PARTY_CHAT }],
    ['bind publication chat', '设为公示群', { chatId: PUBLIC_CHAT }],
    ['bind unit chat', '设为科室群 执法一科', { chatId: UNIT_CHAT }],
    ['give party member', '党组成员', { chatId: PARTY_CHAT, mentions: [OFFICER] }],
    ['give secretary', '党组书记', { chatId: PARTY_CHAT, mentions: [SECRETARY] }],
    ['give clerk', '经办人', { chatId: PARTY_CHAT, mentions: [CLERK] }],
    ['give investigator', '核查人员', { chatId: PARTY_CHAT, mentions: [INVESTIGATOR] }],
    ['give admin', '管理员', { chatId: PARTY_CHAT, mentions: [OFFICER] }],
    ['remove', '移除', { chatId: PARTY_CHAT, mentions: [SECRETARY] }],
    ['view config in a group', '查看配置', { chatId: PARTY_CHAT }],
    ['view config in a direct chat', '查看配置', {}],
  ];

  it.each(nonAdminAttempts)('a non-admin is refused (%s) and nothing changes', async (_name, text, opts) => {
    const before = await snapshot(h);
    const r = await say(h, OFFICER.openId, text, opts);
    expect(r.outcome).toBe('setup:refused:not-admin');
    expect(r.text).toContain('只有**管理员**');
    expect(r.text).toContain('本次没有做任何更改');
    expect(r.text).not.toContain('当前配置');
    expect(await snapshot(h)).toEqual(before);
  });

  it('without a bind code a would-be admin is refused', async () => {
    const before = await snapshot(h);
    const r = await say(h, OFFICER.openId, '绑定管理员 ABCDEFGH23');
    expect(r.outcome).toBe('setup:refused:bind-code-none');
    expect(r.text).toContain('当前没有可用的绑定码');
    expect(await snapshot(h)).toEqual(before);
  });

  it('the admin binds the party chat, the publication chat and a unit chat; each change is audited', async () => {
    const party = await say(h, ADMIN.openId, '设为党组群', { chatId: PARTY_CHAT });
    expect(party.outcome).toBe('setup:bind-party');
    expect(party.text).toContain('本群已设为**党组群**');
    const pub = await say(h, ADMIN.openId, '设为 公示群', { chatId: PUBLIC_CHAT });
    expect(pub.outcome).toBe('setup:bind-publication');
    const unit = await say(h, ADMIN.openId, '设为科室群　执法一科', { chatId: UNIT_CHAT });
    expect(unit.outcome).toBe('setup:bind-unit');
    expect(unit.text).toContain('科室群（执法一科）');

    const { bindings, audit: log } = await snapshot(h);
    expect(bindings.map((b) => [b.kind, b.unitId, b.chatId, b.boundBy])).toEqual([
      ['party', '', PARTY_CHAT, ADMIN.openId],
      ['publication', '', PUBLIC_CHAT, ADMIN.openId],
      ['unit', 'enforcement_1', UNIT_CHAT, ADMIN.openId],
    ]);
    expect(log.map((a) => [a.actor, a.action, a.subject, a.before, a.after])).toEqual([
      [ADMIN.openId, 'chat.bind', 'binding:party', '{"chatId":null}', `{"chatId":"${PARTY_CHAT}"}`],
      [ADMIN.openId, 'chat.bind', 'binding:publication', '{"chatId":null}', `{"chatId":"${PUBLIC_CHAT}"}`],
      [
        ADMIN.openId,
        'chat.bind',
        'binding:unit:enforcement_1',
        '{"chatId":null}',
        `{"chatId":"${UNIT_CHAT}"}`,
      ],
    ]);
  });

  it('binding again changes nothing; an unknown section or a direct chat is refused with what to do', async () => {
    const before = await snapshot(h);
    const again = await say(h, ADMIN.openId, '设为党组群', { chatId: PARTY_CHAT });
    expect(again.outcome).toBe('setup:unchanged');
    const unknown = await say(h, ADMIN.openId, '设为科室群 财务科', { chatId: UNIT_CHAT });
    expect(unknown.outcome).toBe('setup:refused:unknown-unit');
    for (const u of defaultPolicy.units) expect(unknown.text).toContain(u.name);
    const p2p = await say(h, ADMIN.openId, '设为公示群');
    expect(p2p.outcome).toBe('setup:refused:group-only');
    expect(p2p.text).toContain('拉进要绑定的群');
    const roleInP2p = await say(h, ADMIN.openId, '党组成员');
    expect(roleInP2p.outcome).toBe('setup:refused:group-only');
    expect(roleInP2p.text).toContain('只能在群聊中 @人员');
    const nobody = await say(h, ADMIN.openId, '党组成员', { chatId: PARTY_CHAT });
    expect(nobody.outcome).toBe('setup:refused:no-people');
    expect(await snapshot(h)).toEqual(before);
  });

  it('the admin gives every role by @mention; the bot itself is never given one', async () => {
    const sec = await say(h, ADMIN.openId, '党组书记', { chatId: PARTY_CHAT, mentions: [SECRETARY] });
    expect(sec.text).toContain('已设为**党组书记**：王书记');
    expect(sec.text).toContain('党组书记同时计为党组成员');
    // The contact API supplies a name the mention lacks.
    const mem = await say(h, ADMIN.openId, '党组成员', {
      chatId: PARTY_CHAT,
      mentions: [{ openId: MEMBER.openId, name: '' }, OFFICER],
    });
    expect(mem.text).toContain(`已设为**党组成员**：${MEMBER.name}、${OFFICER.name}`);
    await say(h, ADMIN.openId, '经办人', { chatId: PARTY_CHAT, mentions: [CLERK] });
    await say(h, ADMIN.openId, '核查人员', { chatId: PARTY_CHAT, mentions: [INVESTIGATOR] });
    const adm = await say(h, ADMIN.openId, '管理员', { chatId: PARTY_CHAT, mentions: [DEPUTY] });
    expect(adm.outcome).toBe('setup:grant-admin');
    const twice = await say(h, ADMIN.openId, '经办人', { chatId: PARTY_CHAT, mentions: [CLERK] });
    expect(twice.outcome).toBe('setup:unchanged');
    expect(twice.text).toContain('原已是经办人');

    const { roster: rows, audit: log } = await snapshot(h);
    expect(rows.map((r) => [r.openId, r.role, r.name, r.addedBy])).toEqual(
      [
        [SECRETARY.openId, 'secretary', SECRETARY.name, ADMIN.openId],
        [MEMBER.openId, 'party_member', MEMBER.name, ADMIN.openId],
        [OFFICER.openId, 'party_member', OFFICER.name, ADMIN.openId],
        [CLERK.openId, 'clerk', CLERK.name, ADMIN.openId],
        [INVESTIGATOR.openId, 'investigator', INVESTIGATOR.name, ADMIN.openId],
        [DEPUTY.openId, 'admin', DEPUTY.name, ADMIN.openId],
      ].sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`)),
    );
    expect(rows.some((r) => r.openId === h.emu.botOpenId)).toBe(false);
    const grants = log.filter((a) => a.action === 'roster.grant');
    expect(grants).toHaveLength(6);
    expect(grants.find((a) => a.subject === `roster:${SECRETARY.openId}`)).toMatchObject({
      actor: ADMIN.openId,
      before: '{"roles":[]}',
      after: `{"roles":["secretary"],"name":"${SECRETARY.name}"}`,
    });
  });

  it('an admin given in chat can administer; a non-admin still cannot remove anyone', async () => {
    const before = await snapshot(h);
    const refused = await say(h, INVESTIGATOR.openId, '移除', { chatId: PARTY_CHAT, mentions: [DEPUTY] });
    expect(refused.outcome).toBe('setup:refused:not-admin');
    expect(refused.text).toContain(DEPUTY.name);
    expect(await snapshot(h)).toEqual(before);
    const cfg = await say(h, DEPUTY.openId, '查看配置');
    expect(cfg.outcome).toBe('setup:config');
  });

  it('移除 takes a person’s roles away, audited before → after', async () => {
    const r = await say(h, ADMIN.openId, '移除', { chatId: PARTY_CHAT, mentions: [INVESTIGATOR] });
    expect(r.outcome).toBe('setup:revoke');
    expect(r.text).toContain('已移除 钱核查 的角色：核查人员');
    const { roster: rows, audit: log } = await snapshot(h);
    expect(rows.some((x) => x.openId === INVESTIGATOR.openId)).toBe(false);
    expect(log.at(-1)).toMatchObject({
      actor: ADMIN.openId,
      action: 'roster.revoke',
      subject: `roster:${INVESTIGATOR.openId}`,
      before: '{"roles":["investigator"]}',
      after: '{"roles":[]}',
    });
    const nothing = await say(h, ADMIN.openId, '移除', { chatId: PARTY_CHAT, mentions: [INVESTIGATOR] });
    expect(nothing.outcome).toBe('setup:unchanged');
    expect(nothing.text).toContain('没有任何角色');
    const cfgAdmin = await say(h, DEPUTY.openId, '移除 管理员', { chatId: PARTY_CHAT, mentions: [ADMIN] });
    expect(cfgAdmin.text).toContain('来自配置文件');
  });

  it('查看配置 shows the roster by role, the bound chats and the holiday-data warning, and no case contents', async () => {
    const r = await say(h, ADMIN.openId, '查看配置');
    expect(r.outcome).toBe('setup:config');
    expect(r.text).toContain('**党组书记**（同时计为党组成员）（1）：王书记');
    expect(r.text).toContain(`**党组成员**（2）：`);
    expect(r.text).toContain('**核查人员**（0）：（未设置）');
    expect(r.text).toContain(`配置文件指定：${ADMIN.name}`);
    expect(r.text).toContain(`**党组群**：${PARTY_CHAT}`);
    expect(r.text).toContain(`**公示群**：${PUBLIC_CHAT}`);
    expect(r.text).toContain(`**科室群 · 执法一科**：${UNIT_CHAT}`);
    expect(r.text).toContain('**科室群 · 综合科**：**未绑定**');
    const warning = calendarDataWarning(
      createCalendar(defaultPolicy.calendar.extraDays),
      businessDate(new Date()),
      defaultPolicy.calendar.warnDaysBeforeDataEnds,
    );
    if (warning) expect(r.text).toContain(`已知数据截至 ${warning.dataEndsOn}`);
    else expect(r.text).not.toContain('节假日数据即将用完');
    expect(r.text).not.toMatch(/容错〔\d{4}〕/);

    const inGroup = await say(h, ADMIN.openId, '查看配置', { chatId: PARTY_CHAT });
    expect(inGroup.text).toContain(`**党组群**：本群（${PARTY_CHAT}）`);
    const refused = await h.emu.clickButton(OFFICER.openId, inGroup.reply.messageId, '刷新');
    expect(refused.toast).toMatchObject({ type: 'error', content: '只有管理员可以查看配置' });
    expect(refused.card).toBeUndefined();
    const refreshed = await h.emu.clickButton(ADMIN.openId, inGroup.reply.messageId, '刷新');
    expect(textOf(refreshed.card)).toContain('当前配置');
  });

  it('welcomes a user the first time they open the direct chat, once', async () => {
    const first = await h.emu.enterP2p(MEMBER.openId);
    expect(first.status).toBe(200);
    await h.settle();
    const msgs = h.emu.messages({ openId: MEMBER.openId });
    expect(msgs).toHaveLength(1);
    expect(textOf(msgs[0]!.content)).toContain('欢迎使用容错纠错助手');
    expect(textOf(msgs[0]!.content)).not.toContain('你是管理员');
    await h.emu.enterP2p(MEMBER.openId);
    await h.settle();
    expect(h.emu.messages({ openId: MEMBER.openId })).toHaveLength(1);

    await h.emu.enterP2p(DEPUTY.openId);
    await h.settle();
    expect(textOf(h.emu.messages({ openId: DEPUTY.openId }).at(-1)!.content)).toContain('你是管理员');
  });

  it('explains how to bind a chat when the bot is added to it, and what a known chat is bound as', async () => {
    h.emu.addChat({ chatId: 'oc_new_chat', name: '新群', members: [ADMIN.openId], botMember: false });
    await h.emu.addBotToChat('oc_new_chat', ADMIN.openId);
    await h.settle();
    const hello = textOf(h.emu.messages({ chatId: 'oc_new_chat' }).at(-1)!.content);
    expect(hello).toContain('容错纠错助手已加入本群');
    expect(hello).toContain('设为科室群 科室名');
    expect(hello).toContain('执法二科');
    await h.emu.addBotToChat(PARTY_CHAT, ADMIN.openId);
    await h.settle();
    expect(textOf(h.emu.messages({ chatId: PARTY_CHAT }).at(-1)!.content)).toContain(
      '本群当前绑定为：**党组群**',
    );
  });
});

describe('the first admin from the one-time bind code', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ADMIN_OPEN_IDS: '' } });
    h.emu.addUser(SECRETARY);
    h.emu.addChat({ chatId: PARTY_CHAT, name: '党组会', members: [ADMIN.openId, OFFICER.openId] });
  });
  afterAll(async () => h?.close());

  const newCode = () => ensureBindCode(h.rt.store, new Date(), h.rt.service.bot.newCode, []);
  const codeRow = async () => (await h.rt.store.db.select().from(kv).where(eq(kv.key, BIND_CODE_KEY)))[0];

  it('before any admin exists, the welcome card and refusals point to the bind code', async () => {
    await h.emu.enterP2p(OFFICER.openId);
    await h.settle();
    expect(textOf(h.emu.messages({ openId: OFFICER.openId }).at(-1)!.content)).toContain('绑定管理员 绑定码');
    const r = await say(h, OFFICER.openId, '设为党组群', { chatId: PARTY_CHAT });
    expect(r.outcome).toBe('setup:refused:not-admin');
    expect(r.text).toContain('还没有管理员');
  });

  it('a code shown in a group chat is voided at once', async () => {
    const code = await newCode();
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    const r = await say(h, OFFICER.openId, `绑定管理员 ${code}`, { chatId: PARTY_CHAT });
    expect(r.outcome).toBe('setup:refused:bind-code-exposed');
    expect(r.text).toContain('已作废');
    expect(await codeRow()).toBeUndefined();
    expect(await h.rt.store.db.select().from(roster)).toEqual([]);
    const late = await say(h, OFFICER.openId, `绑定管理员 ${code}`);
    expect(late.outcome).toBe('setup:refused:bind-code-none');
  });

  it('a wrong code is refused; the right one works once; a second use is refused', async () => {
    const code = (await newCode())!;
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    const before = await snapshot(h);
    const refused = await say(h, ADMIN.openId, `绑定管理员 ${wrong}`);
    expect(refused.outcome).toBe('setup:refused:bind-code-wrong');
    expect(refused.text).toContain('绑定码不正确');
    expect(await snapshot(h)).toEqual(before);
    expect(await codeRow()).toBeDefined();

    // Typed in lower case with a space: still the code.
    const typed = `${code.slice(0, 5).toLowerCase()} ${code.slice(5)}`;
    const ok = await say(h, ADMIN.openId, `绑定管理员 ${typed}`);
    expect(ok.outcome).toBe('setup:admin-bound');
    expect(ok.text).toContain('你已成为管理员');
    expect(await codeRow()).toBeUndefined();
    const after = await snapshot(h);
    expect(after.roster.map((r) => [r.openId, r.role, r.name])).toEqual([
      [ADMIN.openId, 'admin', ADMIN.name],
    ]);
    expect(after.audit.at(-1)).toMatchObject({
      actor: ADMIN.openId,
      action: 'roster.grant',
      subject: `roster:${ADMIN.openId}`,
      before: '{"roles":[]}',
    });
    expect(JSON.parse(after.audit.at(-1)!.after!)).toEqual({
      roles: ['admin'],
      name: ADMIN.name,
      via: 'bind-code',
    });

    const second = await say(h, OFFICER.openId, `绑定管理员 ${code}`);
    expect(second.outcome).toBe('setup:refused:bind-code-none');
    expect(await snapshot(h)).toEqual(after);

    // Now that an admin exists no code is issued at start-up, and the new admin can work.
    expect(await newCode()).toBeNull();
    const bind = await say(h, ADMIN.openId, '设为党组群', { chatId: PARTY_CHAT });
    expect(bind.outcome).toBe('setup:bind-party');
  });

  it('the last admin cannot be removed', async () => {
    const before = await snapshot(h);
    const r = await say(h, ADMIN.openId, '移除', { chatId: PARTY_CHAT, mentions: [ADMIN] });
    expect(r.outcome).toBe('setup:refused:last-admin');
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('the bot removed from a bound chat', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    h.emu.addChat({ chatId: UNIT_CHAT, name: '执法一科', members: [ADMIN.openId, OFFICER.openId] });
  });
  afterAll(async () => h?.close());

  it('drops the binding, audits it and tells the admins', async () => {
    await say(h, ADMIN.openId, '设为科室群 执法一科', { chatId: UNIT_CHAT });
    expect(await h.rt.store.db.select().from(chatBindings)).toHaveLength(1);
    const res = await h.emu.removeBotFromChat(UNIT_CHAT, OFFICER.openId);
    expect(res.status).toBe(200);
    await h.settle();
    expect(await h.rt.store.db.select().from(chatBindings)).toHaveLength(0);
    const rows = await h.rt.store.db.select().from(audit).where(eq(audit.action, 'chat.unbound'));
    expect(rows).toMatchObject([{ actor: OFFICER.openId, subject: `chat:${UNIT_CHAT}` }]);
    const told = h.emu.messages({ openId: ADMIN.openId }).at(-1)!;
    expect(textOf(told.content)).toContain('已解除');
  });
});
