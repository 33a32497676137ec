import { button, buttonRow, card, escapeMd, hr, md } from './common';

export type RosterRole = 'party_member' | 'secretary' | 'clerk' | 'investigator' | 'admin';

/** The roster roles as people say them in chat; also the words of the role commands. */
export const ROLE_LABELS: Record<RosterRole, string> = {
  party_member: '党组成员',
  secretary: '党组书记',
  clerk: '经办人',
  investigator: '核查人员',
  admin: '管理员',
};

const ROLE_ORDER: RosterRole[] = ['secretary', 'party_member', 'clerk', 'investigator', 'admin'];
/** More names than this per role are summarised, so the card stays under the platform's size limit. */
const MAX_NAMES_PER_ROLE = 80;

export interface ConfigCardData {
  orgName: string;
  roster: { openId: string; role: RosterRole; name: string | null }[];
  /** Admins from ADMIN_OPEN_IDS: they hold the role by configuration, not through the roster. */
  configAdmins: { openId: string; name?: string }[];
  bindings: { chatId: string; kind: 'party' | 'publication' | 'unit'; unitId: string }[];
  units: { id: string; name: string }[];
  /** The chat the card is shown in, marked 「本群」 in the list. */
  currentChatId?: string;
  /** The holiday data runs out soon (SPEC §4): admins must add next year's schedule to the policy. */
  calendarWarning?: { dataEndsOn: string; daysLeft: number } | null;
}

export const displayName = (p: { openId: string; name?: string | null }) =>
  p.name?.trim() ? p.name.trim() : `未知姓名（…${p.openId.slice(-6)}）`;

function names(people: { openId: string; name?: string | null }[]): string {
  if (people.length === 0) return '（未设置）';
  const shown = people
    .slice(0, MAX_NAMES_PER_ROLE)
    .map((p) => displayName({ openId: p.openId, name: p.name && escapeMd(p.name) }))
    .join('、');
  return people.length > MAX_NAMES_PER_ROLE ? `${shown} 等 ${people.length} 人` : shown;
}

/** The admin's overview: who holds which role and which chats are bound. No case contents (separation of duties). */
export function configCard(d: ConfigCardData) {
  const chat = (chatId: string | undefined) =>
    chatId === undefined ? '**未绑定**' : chatId === d.currentChatId ? `本群（${chatId}）` : chatId;
  const find = (kind: 'party' | 'publication' | 'unit', unitId = '') =>
    d.bindings.find((b) => b.kind === kind && b.unitId === unitId)?.chatId;

  const rosterLines = ROLE_ORDER.map((role) => {
    const people = d.roster.filter((r) => r.role === role);
    if (role === 'admin') {
      const fromConfig = d.configAdmins.filter((a) => !people.some((p) => p.openId === a.openId));
      const configured = fromConfig.length ? `；配置文件指定：${names(fromConfig)}` : '';
      return `**${ROLE_LABELS[role]}**（${people.length + fromConfig.length}）：${names(people)}${configured}`;
    }
    const note = role === 'secretary' ? '（同时计为党组成员）' : '';
    return `**${ROLE_LABELS[role]}**${note}（${people.length}）：${names(people)}`;
  });

  const knownUnits = new Set(d.units.map((u) => u.id));
  const chatLines = [
    `**党组群**：${chat(find('party'))}`,
    `**公示群**：${chat(find('publication'))}`,
    ...d.units.map((u) => `**科室群 · ${u.name}**：${chat(find('unit', u.id))}`),
    ...d.bindings
      .filter((b) => b.kind === 'unit' && !knownUnits.has(b.unitId))
      .map((b) => `**科室群 · ${b.unitId}**（该科室已不在制度配置中）：${chat(b.chatId)}`),
  ];

  const elements: object[] = [];
  if (d.calendarWarning) {
    elements.push(
      md(
        `<font color='red'>**节假日数据即将用完**</font>：已知数据截至 ${d.calendarWarning.dataEndsOn}（还剩 ${d.calendarWarning.daysLeft} 天）。` +
          '请按国务院办公厅公布的安排，发送「节假日 2027-01-01 至 2027-01-03 元旦」「调休上班 2027-02-07」补充下一年度的法定节假日和调休上班日，否则期限和提醒将按普通工作日计算。',
      ),
      hr(),
    );
  }
  elements.push(
    md(`**人员角色**\n${rosterLines.join('\n')}`),
    hr(),
    md(`**已绑定的群**\n${chatLines.join('\n')}`),
    hr(),
    md(
      '在群里 @我 发送「设为党组群」「设为公示群」「设为科室群 科室名」绑定该群；@我 并 @相关人员 发送角色名称设置角色，「移除 @某人」取消其全部角色。\n管理员只负责配置，看不到案件内容。',
    ),
    buttonRow([button('刷新', { a: 'setup.config' }), button('帮助', { a: 'cmd', cmd: 'help' })]),
  );
  return card({
    title: '当前配置',
    subtitle: d.orgName,
    template: d.calendarWarning ? 'orange' : 'indigo',
    summary: '容错纠错助手：人员角色和已绑定的群',
    elements,
  });
}
