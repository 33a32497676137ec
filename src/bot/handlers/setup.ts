import { escapeMd } from '../../../cards/common';
import { configCard, displayName, ROLE_LABELS } from '../../../cards/config';
import { groupHelloCard } from '../../../cards/group-hello';
import { updateCard } from '../../../cards/update';
import { welcomeCard } from '../../../cards/welcome';
import { businessDate, calendarDataWarning } from '../../calendar';
import { ANNOUNCED_ROLES, roleGrantRefusal } from '../../cases/access';
import type { Role } from '../../cases/types';
import type { BindingKind } from '../../store/repo';
import { BIND_CODE_TTL_MS, checkBindCode } from '../bind-code';
import type { Ctx } from '../context';
import { normalizeCommand } from '../text';
import { answer, type Feature, type Said } from './types';

// ───────────────────────────── commands ─────────────────────────────

export type SetupCommand =
  | { kind: 'bind-admin'; code: string }
  | { kind: 'bind-chat'; as: 'party' | 'publication' }
  | { kind: 'bind-unit'; unit: string }
  | { kind: 'grant'; role: Role }
  | { kind: 'revoke'; role?: Role }
  | { kind: 'show-config' };

const ROLE_WORDS: [string, Role][] = [
  ['党组成员', 'party_member'],
  ['党组书记', 'secretary'],
  ['经办人', 'clerk'],
  ['核查人员', 'investigator'],
  ['核查人', 'investigator'],
  ['管理员', 'admin'],
];
const BIND_PREFIXES = ['设为', '设置为', '设置', '绑定为', '绑定'];
const GRANT_PREFIXES = ['', '设为', '设置为', '添加', '增加'];
const REVOKE_PREFIXES = ['移除', '取消', '删除'];
const SHOW_WORDS = new Set(['查看配置', '配置', '查看设置', '当前配置']);

/** Reads the setup commands from normalised words (see `normalizeCommand`); anything else is not ours. */
export function parseSetupCommand(words: string): SetupCommand | null {
  if (words.startsWith('绑定管理员')) return { kind: 'bind-admin', code: words.slice('绑定管理员'.length) };
  if (SHOW_WORDS.has(words)) return { kind: 'show-config' };
  for (const p of BIND_PREFIXES) {
    if (words === `${p}党组群`) return { kind: 'bind-chat', as: 'party' };
    if (words === `${p}公示群`) return { kind: 'bind-chat', as: 'publication' };
    if (words.startsWith(`${p}科室群`)) return { kind: 'bind-unit', unit: words.slice(`${p}科室群`.length) };
  }
  if (words === '移除') return { kind: 'revoke' };
  for (const [word, role] of ROLE_WORDS) {
    if (REVOKE_PREFIXES.some((p) => words === `${p}${word}`)) return { kind: 'revoke', role };
    if (GRANT_PREFIXES.some((p) => words === `${p}${word}`)) return { kind: 'grant', role };
  }
  return null;
}

/**
 * The people a group command names. The bot only receives group messages that @mention it, Lark numbers the
 * placeholders in order of appearance, and the commands read "@助手 党组成员 @张三": so the first mention
 * (`@_user_1`) is taken to be the bot and left out, together with any repeat of it. Pass `botOpenId` when it
 * is known to match on it instead.
 */
export function mentionedPeople(said: Said, botOpenId?: string): { openId: string; name: string }[] {
  if (said.chatType !== 'group') return [];
  const order = (key: string) => Number(/\d+/.exec(key)?.[0] ?? Number.MAX_SAFE_INTEGER);
  const sorted = [...said.mentions].sort((a, b) => order(a.key) - order(b.key));
  const bot = botOpenId ?? sorted[0]?.openId;
  const seen = new Set<string>();
  const people: { openId: string; name: string }[] = [];
  for (const m of sorted) {
    if (m.openId === bot || seen.has(m.openId) || !m.openId.startsWith('ou_')) continue;
    seen.add(m.openId);
    people.push({ openId: m.openId, name: m.name.trim() });
  }
  return people;
}

/** The policy unit a typed section name means: same name ignoring width, spaces, case and quotes, or its id. */
export function matchUnit(typed: string, units: { id: string; name: string }[]) {
  const t = normalizeCommand(typed).replace(/[「」『』《》<>“”"'‘’【】()（）:：]/g, '');
  if (!t) return undefined;
  return units.find((u) => normalizeCommand(u.name) === t || u.id.toLowerCase() === t);
}

// ───────────────────────────── replies ─────────────────────────────

const TITLES: Record<SetupCommand['kind'], string> = {
  'bind-admin': '绑定管理员',
  'bind-chat': '绑定群聊',
  'bind-unit': '绑定科室群',
  grant: '设置角色',
  revoke: '移除角色',
  'show-config': '查看配置',
};
const BINDING_LABEL: Record<BindingKind, string> = { party: '党组群', publication: '公示群', unit: '科室群' };
const ROLE_EXAMPLE = '在群聊中 @我 并 @相关人员 发送，例如「@容错纠错助手 党组成员 @张三 @李四」';

function done(ctx: Ctx, said: Said, outcome: string, title: string, lines: string[]): true {
  ctx.fx.outcome = `setup:${outcome}`;
  answer(ctx, said, updateCard({ title, template: 'green', lines }));
  return true;
}

function refuse(ctx: Ctx, said: Said, reason: string, title: string, lines: string[]): true {
  ctx.fx.outcome = `setup:refused:${reason}`;
  answer(
    ctx,
    said,
    updateCard({
      title: `未执行：${title}`,
      template: 'orange',
      lines,
      buttons: [{ label: '帮助', value: { a: 'cmd', cmd: 'help' } }],
    }),
  );
  return true;
}

/** Who to ask when someone without the right tries a setup command. */
async function whoToAsk(ctx: Ctx): Promise<string> {
  const admins = await ctx.repo.withRole('admin');
  if (admins.length === 0 && ctx.deps.configAdmins.length === 0) {
    return '系统目前还没有管理员：负责配置的同志请在与我的私聊中发送「绑定管理员 绑定码」（绑定码见服务启动日志）。';
  }
  if (admins.length === 0) return '如需调整，请联系系统管理员。';
  return `如需调整，请联系管理员：${admins.slice(0, 5).map(displayName).join('、')}。`;
}

async function refuseNotAdmin(ctx: Ctx, said: Said, cmd: SetupCommand): Promise<true> {
  return refuse(ctx, said, 'not-admin', TITLES[cmd.kind], [
    `只有**管理员**可以${TITLES[cmd.kind]}，本次没有做任何更改。`,
    await whoToAsk(ctx),
  ]);
}

// ───────────────────────────── handlers ─────────────────────────────

async function bindAdmin(ctx: Ctx, said: Said, typed: string): Promise<true> {
  const title = TITLES['bind-admin'];
  if (said.chatType === 'group') {
    const check = typed ? await checkBindCode(ctx.fx.db, typed, ctx.now) : undefined;
    if (check?.consume) {
      // Everyone in the chat has now seen the code, so it must not work for anyone.
      ctx.fx.write(...check.consume);
      ctx.fx.audit({
        actor: said.openId,
        action: 'admin.bind-code.exposed',
        subject: 'admin-bind-code',
        before: { valid: true },
        after: { valid: false },
      });
      return refuse(ctx, said, 'bind-code-exposed', title, [
        '绑定码已在群聊中公开，为安全起见**已作废**。',
        '请重启服务，使用启动日志中新打印的绑定码，并只在与我的**私聊**中发送「绑定管理员 绑定码」。',
      ]);
    }
    return refuse(ctx, said, 'group-only-p2p', title, [
      '绑定码只能在与我的**私聊**中发送，请打开与「容错纠错助手」的单聊后发送「绑定管理员 绑定码」。',
    ]);
  }
  if (!typed) {
    return refuse(ctx, said, 'bind-code-missing', title, [
      '请在「绑定管理员」后附上绑定码，例如「绑定管理员 ABCD2345EF」；绑定码见服务启动日志。',
    ]);
  }
  if (await ctx.isAdmin(said.openId)) {
    return refuse(ctx, said, 'already-admin', title, [
      '你已经是管理员，无需再次绑定。发送「查看配置」查看当前配置。',
    ]);
  }
  const check = await checkBindCode(ctx.fx.db, typed, ctx.now);
  if (!check.ok) {
    const hours = Math.round(BIND_CODE_TTL_MS / 3_600_000);
    const why = {
      none: '当前没有可用的绑定码：绑定码只在系统没有管理员时于服务启动时生成，且只能使用一次。如需成为管理员，请联系现有管理员在群聊中发送「管理员 @你」。',
      wrong:
        '绑定码不正确。请核对服务启动日志中打印的绑定码（不区分大小写）后重新发送「绑定管理员 绑定码」。',
      expired: `绑定码已过期（有效期 ${hours} 小时）。请重启服务，使用启动日志中新打印的绑定码。`,
    }[check.reason];
    return refuse(ctx, said, `bind-code-${check.reason}`, title, [why, '本次没有做任何更改。']);
  }
  const name = (await ctx.deps.userName(said.openId)) ?? null;
  const before = await ctx.repo.rolesOf(said.openId);
  ctx.fx.write(
    ...check.consume,
    ctx.repo.addRole({ openId: said.openId, role: 'admin', name, by: said.openId, now: ctx.now }),
  );
  ctx.fx.audit({
    actor: said.openId,
    action: 'roster.grant',
    subject: `roster:${said.openId}`,
    before: { roles: before },
    after: { roles: [...before, 'admin'], name, via: 'bind-code' },
  });
  return done(ctx, said, 'admin-bound', '你已成为管理员', [
    '绑定码已使用并作废。接下来：',
    '1. 把我拉进党组群、公示群和各科室群，在群里 @我 发送「设为党组群」「设为公示群」「设为科室群 科室名」',
    '2. 在群里 @我 并 @相关人员 发送「党组成员」「党组书记」「经办人」「核查人员」设置角色',
    '3. 发送「查看配置」核对',
    '管理员只负责配置，看不到案件内容。',
  ]);
}

async function bindChat(
  ctx: Ctx,
  said: Said,
  kind: BindingKind,
  unit?: { id: string; name: string },
): Promise<true> {
  const label = unit ? `科室群（${unit.name}）` : BINDING_LABEL[kind];
  const chatId = said.chatId as string;
  const unitId = unit?.id ?? '';
  const previous = await ctx.repo.chatFor(kind, unitId);
  if (previous === chatId) {
    return done(ctx, said, 'unchanged', '无需更改', [`本群已经是**${label}**，没有做任何更改。`]);
  }
  ctx.fx.write(ctx.repo.bindChat({ chatId, kind, unitId, by: said.openId, now: ctx.now }));
  ctx.fx.audit({
    actor: said.openId,
    action: 'chat.bind',
    subject: `binding:${kind}${unitId ? `:${unitId}` : ''}`,
    before: { chatId: previous ?? null },
    after: { chatId },
  });
  const purpose = {
    party: '案件研判、表决卡片、摘要和风险预警将发送到本群（第十三条：由党组集体研究认定）。',
    publication: '认定结果按公开范围在本群公示（第十三条：在一定范围内公开）。',
    unit: `与${unit?.name ?? '本科室'}相关的认定告知和纠错提醒将发送到本群。`,
  }[kind];
  const actor = await ctx.actor(said.openId);
  const adminOnly = !actor.roles.some((r) => r !== 'admin');
  return done(ctx, said, `bind-${kind}`, `已设为${label}`, [
    `本群已设为**${label}**。${purpose}`,
    ...(previous ? [`原先绑定的群（${previous}）已不再作为${label}。`] : []),
    // Separation of duties: an admin who is not a party member should not stay where case contents go.
    ...(kind === 'party' && adminOnly
      ? [
          '管理员不查看案件内容（职责分离）：绑定完成后，如你不是党组成员，请退出本群；之后可在公示群等其他群中 @我 设置角色。',
        ]
      : []),
  ]);
}

async function grant(ctx: Ctx, said: Said, role: Role): Promise<true> {
  const title = TITLES.grant;
  const named = mentionedPeople(said, said.botOpenId);
  if (named.length === 0)
    return refuse(ctx, said, 'no-people', title, [`没有找到要设置的人员。请${ROLE_EXAMPLE}。`]);
  // Separation of duties: nobody grants themselves a role.
  const people = named.filter((p) => roleGrantRefusal(said.openId, p.openId) === null);
  const selfRefusal = roleGrantRefusal(said.openId, said.openId)?.reason ?? '';
  if (people.length === 0) return refuse(ctx, said, 'self-grant', title, [selfRefusal]);
  const label = ROLE_LABELS[role];
  const added: string[] = [];
  const already: string[] = [];
  for (const p of people) {
    const name = p.name || (await ctx.deps.userName(p.openId)) || null;
    const before = await ctx.repo.rolesOf(p.openId);
    const shown = displayName({ openId: p.openId, name: name && escapeMd(name) });
    if (before.includes(role)) {
      already.push(shown);
      continue;
    }
    ctx.fx.write(ctx.repo.addRole({ openId: p.openId, role, name, by: said.openId, now: ctx.now }));
    ctx.fx.audit({
      actor: said.openId,
      action: 'roster.grant',
      subject: `roster:${p.openId}`,
      before: { roles: before },
      after: { roles: [...before, role], name },
    });
    added.push(shown);
  }
  const announced = added.length > 0 && ANNOUNCED_ROLES.includes(role);
  const party = announced ? await ctx.repo.chatFor('party') : undefined;
  // The party chat sees who may now read every case; the reply there is itself the announcement.
  if (party && party !== said.chatId) {
    const byName = (await ctx.deps.userName(said.openId)) || null;
    const by = displayName({ openId: said.openId, name: byName && escapeMd(byName) });
    ctx.fx.send(
      { chatId: party },
      updateCard({
        title: `党组名单变动：新增${label}`,
        template: 'blue',
        lines: [`${by} 将 ${added.join('、')} 设为**${label}**。${label}可以查看全部案件内容并参加表决。`],
      }),
    );
  }
  const lines = [
    ...(added.length ? [`已设为**${label}**：${added.join('、')}`] : []),
    ...(already.length ? [`原已是${label}，未做更改：${already.join('、')}`] : []),
    ...(people.length < named.length ? [selfRefusal] : []),
    ...(role === 'secretary' ? ['党组书记同时计为党组成员，参加表决。'] : []),
    ...(role === 'admin' ? ['管理员只负责配置，看不到案件内容。'] : []),
    ...(announced
      ? [party ? '已在党组群公告。' : '尚未绑定党组群，未能公告；绑定党组群后请在群内告知。']
      : []),
  ];
  return done(
    ctx,
    said,
    added.length ? `grant-${role}` : 'unchanged',
    added.length ? `已设置${label}` : '无需更改',
    lines,
  );
}

async function revoke(ctx: Ctx, said: Said, role?: Role): Promise<true> {
  const title = TITLES.revoke;
  const people = mentionedPeople(said, said.botOpenId);
  if (people.length === 0) {
    return refuse(ctx, said, 'no-people', title, [
      '没有找到要移除的人员。请在群聊中 @我 并 @相关人员 发送「移除」，例如「@容错纠错助手 移除 @张三」。',
    ]);
  }
  const plans: { openId: string; shown: string; before: Role[]; removing: Role[] }[] = [];
  const notes: string[] = [];
  for (const p of people) {
    const before = await ctx.repo.rolesOf(p.openId);
    const removing = role ? before.filter((r) => r === role) : before;
    const shown = displayName({ openId: p.openId, name: p.name ? escapeMd(p.name) : null });
    if (ctx.deps.configAdmins.includes(p.openId) && (role === undefined || role === 'admin')) {
      notes.push(`${shown} 的管理员身份来自配置文件（ADMIN_OPEN_IDS），需修改配置后重启才能取消。`);
    }
    if (removing.length === 0) {
      notes.push(`${shown} 没有${role ? ROLE_LABELS[role] : '任何'}角色，未做更改。`);
      continue;
    }
    plans.push({ openId: p.openId, shown, before, removing });
  }
  const losingAdmin = new Set(plans.filter((p) => p.removing.includes('admin')).map((p) => p.openId));
  if (losingAdmin.size > 0 && ctx.deps.configAdmins.length === 0) {
    const remaining = (await ctx.repo.withRole('admin')).filter((a) => !losingAdmin.has(a.openId));
    if (remaining.length === 0) {
      return refuse(ctx, said, 'last-admin', title, [
        '不能移除最后一位管理员，否则将无人能维护配置。本次没有做任何更改。',
        '请先用「管理员 @某人」设置新的管理员，再移除。',
      ]);
    }
  }
  for (const p of plans) {
    ctx.fx.write(ctx.repo.removeRoles(p.openId, p.removing));
    ctx.fx.audit({
      actor: said.openId,
      action: 'roster.revoke',
      subject: `roster:${p.openId}`,
      before: { roles: p.before },
      after: { roles: p.before.filter((r) => !p.removing.includes(r)) },
    });
  }
  const lines = [
    ...plans.map((p) => `已移除 ${p.shown} 的角色：${p.removing.map((r) => ROLE_LABELS[r]).join('、')}`),
    ...notes,
  ];
  return done(
    ctx,
    said,
    plans.length ? 'revoke' : 'unchanged',
    plans.length ? '已移除角色' : '无需更改',
    lines,
  );
}

async function renderConfig(ctx: Ctx, currentChatId?: string) {
  const [roster, bindings] = await Promise.all([ctx.repo.roster(), ctx.repo.bindings()]);
  const configAdmins = await Promise.all(
    ctx.deps.configAdmins.map(async (openId) => {
      const name =
        roster.find((r) => r.openId === openId && r.name)?.name ?? (await ctx.deps.userName(openId));
      return name ? { openId, name } : { openId };
    }),
  );
  const { policy, calendar } = ctx.env;
  return configCard({
    orgName: policy.orgName,
    roster,
    configAdmins,
    bindings,
    units: policy.units,
    ...(currentChatId ? { currentChatId } : {}),
    calendarWarning: calendarDataWarning(
      calendar,
      businessDate(ctx.now),
      policy.calendar.warnDaysBeforeDataEnds,
    ),
  });
}

async function onMessage(ctx: Ctx, said: Said): Promise<boolean> {
  if (said.kind !== 'text' && said.kind !== 'post') return false;
  const cmd = parseSetupCommand(said.words);
  if (!cmd) return false;
  if (cmd.kind === 'bind-admin') return bindAdmin(ctx, said, cmd.code);
  // A bare role word typed during a guided conversation is an answer to it, not a command.
  if (
    (cmd.kind === 'grant' || cmd.kind === 'revoke') &&
    said.chatType === 'p2p' &&
    (await ctx.repo.conversation(said.openId))
  ) {
    return false;
  }
  if (!(await ctx.isAdmin(said.openId))) return refuseNotAdmin(ctx, said, cmd);

  switch (cmd.kind) {
    case 'show-config':
      ctx.fx.outcome = 'setup:config';
      answer(ctx, said, await renderConfig(ctx, said.chatType === 'group' ? said.chatId : undefined));
      return true;
    case 'bind-chat':
    case 'bind-unit': {
      const what = cmd.kind === 'bind-unit' ? '设为科室群 科室名' : `设为${BINDING_LABEL[cmd.as]}`;
      if (said.chatType !== 'group' || !said.chatId) {
        return refuse(ctx, said, 'group-only', TITLES[cmd.kind], [
          `请把我拉进要绑定的群，在群里 @我 发送「${what}」。私聊中无法绑定群。`,
        ]);
      }
      if (cmd.kind === 'bind-chat') return bindChat(ctx, said, cmd.as);
      const units = ctx.env.policy.units;
      const unit = matchUnit(cmd.unit, units);
      if (!unit) {
        const names = units.map((u) => u.name).join('、');
        return refuse(ctx, said, 'unknown-unit', TITLES[cmd.kind], [
          cmd.unit ? `没有名为「${cmd.unit}」的科室。` : '请在「设为科室群」后写明科室名称。',
          `可用的科室：${names}。例如「@容错纠错助手 设为科室群 ${units[0]?.name ?? '科室名'}」。`,
        ]);
      }
      return bindChat(ctx, said, 'unit', unit);
    }
    case 'grant':
    case 'revoke':
      if (said.chatType !== 'group') {
        return refuse(ctx, said, 'group-only', TITLES[cmd.kind], [
          `飞书只能在群聊中 @人员，因此设置或移除角色需要${ROLE_EXAMPLE}；移除用「移除 @某人」。`,
        ]);
      }
      return cmd.kind === 'grant' ? grant(ctx, said, cmd.role) : revoke(ctx, said, cmd.role);
  }
}

export const setupFeature: Feature = {
  name: 'setup',
  onMessage,
  actions: {
    'setup.config': async (ctx, action) => {
      if (!(await ctx.isAdmin(action.operatorOpenId))) {
        ctx.fx.outcome = 'setup:refused:not-admin';
        ctx.fx.toast('error', '只有管理员可以查看配置');
        return;
      }
      ctx.fx.outcome = 'setup:config';
      ctx.fx.card(await renderConfig(ctx, action.chatId));
    },
  },
  async onP2pEntered(ctx, openId) {
    const isAdmin = await ctx.isAdmin(openId);
    const noAdminYet =
      !isAdmin && ctx.deps.configAdmins.length === 0 && (await ctx.repo.withRole('admin')).length === 0;
    ctx.fx.send({ openId }, welcomeCard({ orgName: ctx.env.policy.orgName, isAdmin, noAdminYet }));
    return true;
  },
  async onBotAdded(ctx, chatId) {
    const boundAs = (await ctx.repo.bindings())
      .filter((b) => b.chatId === chatId)
      .map((b) =>
        b.kind === 'unit'
          ? `科室群（${ctx.env.policy.units.find((u) => u.id === b.unitId)?.name ?? b.unitId}）`
          : BINDING_LABEL[b.kind],
      );
    ctx.fx.send(
      { chatId },
      groupHelloCard({
        orgName: ctx.env.policy.orgName,
        units: ctx.env.policy.units.map((u) => u.name),
        boundAs,
      }),
    );
  },
};
