// The sandbox's demo organisation: people with roles and bound group chats, set up through the bot's own commands.
import type { InboundResult, LarkEmulator } from '../emulator';

export interface SandboxUser {
  openId: string;
  name: string;
  /** The role shown in the user switcher (the roster is set by chat commands at start). */
  jobTitle: string;
  /** The department of the emulator's default org chart the user sits in; absent: the root. */
  departmentId?: string;
}

export const SANDBOX_USERS: SandboxUser[] = [
  {
    openId: 'ou_sandbox_officer',
    name: '张执法',
    jobTitle: '执法人员 · 执法一科',
    departmentId: 'od-enforcement-team1',
  },
  {
    openId: 'ou_sandbox_officer2',
    name: '刘执法',
    jobTitle: '执法人员 · 执法二科',
    departmentId: 'od-enforcement-team2',
  },
  { openId: 'ou_sandbox_secretary', name: '赵书记', jobTitle: '党组书记' },
  { openId: 'ou_sandbox_member1', name: '李委员', jobTitle: '党组成员' },
  { openId: 'ou_sandbox_member2', name: '周委员', jobTitle: '党组成员' },
  { openId: 'ou_sandbox_clerk', name: '钱经办', jobTitle: '经办人' },
  { openId: 'ou_sandbox_investigator', name: '孙核查', jobTitle: '核查人员' },
  { openId: 'ou_sandbox_admin', name: '王管理', jobTitle: '管理员' },
];

const U = Object.fromEntries(SANDBOX_USERS.map((u) => [u.openId.replace('ou_sandbox_', ''), u])) as Record<
  string,
  SandboxUser
>;
const ADMIN = U.admin!;

export interface SandboxChat {
  chatId: string;
  name: string;
  members: string[];
  /** The words the admin sends to bind it. */
  bind: string;
  /** Role commands the admin sends in this chat: the role word and who gets it. */
  roles: { word: string; who: SandboxUser[] }[];
  /** The admin leaves after setting it up, so they see no case contents there. */
  adminLeaves: boolean;
}

const ids = (...us: SandboxUser[]) => us.map((u) => u.openId);

export const SANDBOX_CHATS: SandboxChat[] = [
  {
    chatId: 'oc_sandbox_party',
    name: '党组群',
    members: ids(U.secretary!, U.member1!, U.member2!, ADMIN),
    bind: '设为党组群',
    roles: [
      { word: '党组书记', who: [U.secretary!] },
      { word: '党组成员', who: [U.member1!, U.member2!] },
    ],
    adminLeaves: true,
  },
  {
    chatId: 'oc_sandbox_unit1',
    name: '执法一科工作群',
    members: ids(U.officer!, U.investigator!, ADMIN),
    bind: '设为科室群 执法一科',
    roles: [],
    adminLeaves: true,
  },
  {
    chatId: 'oc_sandbox_publication',
    name: '公示群',
    members: SANDBOX_USERS.map((u) => u.openId),
    bind: '设为公示群',
    roles: [
      { word: '经办人', who: [U.clerk!] },
      { word: '核查人员', who: [U.investigator!] },
    ],
    adminLeaves: false,
  },
];

type Mention = { openId: string; name: string };

// What each user message @mentioned, by message id: the platform keeps it with the message, the emulator does not.
const mentionsByEmulator = new WeakMap<LarkEmulator, Map<string, Map<string, string>>>();

/** Names behind the `@_user_N` placeholders of a message sent through `sayAs`. */
export function mentionNames(emu: LarkEmulator, messageId: string): Map<string, string> | undefined {
  return mentionsByEmulator.get(emu)?.get(messageId);
}

/** A user sends text; in a group the bot hears it only when @mentioned, as on Lark. */
export async function sayAs(
  emu: LarkEmulator,
  from: string,
  text: string,
  opts: { chatId?: string; mentionBot?: boolean; mentions?: Mention[] } = {},
): Promise<InboundResult> {
  const sent = await emu.sendText(from, text, opts);
  const mentions = (sent.envelope.event as { message?: { mentions?: { key: string; name: string }[] } })
    .message?.mentions;
  if (sent.messageId && mentions?.length) {
    let byMessage = mentionsByEmulator.get(emu);
    if (!byMessage) {
      byMessage = new Map();
      mentionsByEmulator.set(emu, byMessage);
    }
    byMessage.set(sent.messageId, new Map(mentions.map((m) => [m.key, m.name])));
  }
  return sent;
}

/**
 * Creates the demo chats and has the admin add the bot, bind each chat and grant the roles with the same
 * chat commands a real admin would use, so the sandbox is usable at once. Safe to run on a reused database.
 */
export async function seedSandbox(emu: LarkEmulator, settle: () => Promise<void>): Promise<void> {
  for (const u of SANDBOX_USERS) if (!emu.state.users[u.openId]) emu.addUser(u);
  for (const c of SANDBOX_CHATS) {
    if (emu.state.chats[c.chatId]) continue;
    emu.addChat({ chatId: c.chatId, name: c.name, members: c.members, botMember: false });
    // Each step waits for the bot's answer, so the chat reads in order.
    await emu.addBotToChat(c.chatId, ADMIN.openId);
    await settle();
    await sayAs(emu, ADMIN.openId, c.bind, { chatId: c.chatId, mentionBot: true });
    await settle();
    for (const r of c.roles) {
      await sayAs(emu, ADMIN.openId, r.word, {
        chatId: c.chatId,
        mentionBot: true,
        mentions: r.who.map((u) => ({ openId: u.openId, name: u.name })),
      });
      await settle();
    }
  }
  for (const c of SANDBOX_CHATS) {
    const chat = emu.state.chats[c.chatId];
    // Leaving is a platform action the emulator has no event for; the bot does not track membership.
    if (chat && c.adminLeaves) chat.members = chat.members.filter((m) => m !== ADMIN.openId);
  }
}
