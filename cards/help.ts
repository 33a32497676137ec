import type { ActionValue } from './actions';
import { button, buttonRow, card, clip, escapeMd, hr, md } from './common';

export type HelpRole = 'officer' | 'party_member' | 'secretary' | 'clerk' | 'investigator' | 'admin';

export interface HelpCardData {
  orgName: string;
  roles: HelpRole[];
  /** The words the sender typed that we did not understand, if any. */
  unknown?: string;
  /** Something the sender left unfinished, said first so they can pick it up. */
  pending?: string;
}

const cmd = (command: string): ActionValue<'cmd'> => ({ a: 'cmd', cmd: command });

/** The help card: what the sender may do, with a button for each. */
export function helpCard(d: HelpCardData) {
  const roles = new Set(d.roles);
  const lines = [
    '**申请容错**　按步骤填写并提交容错认定申请（第十三条：个人可直接提出）',
    '**我的案件**　查看本人案件的进度和下一步',
    '**查询 编号/查询码**　查询案件，或凭查询码查询匿名举报结果',
    '**举报**　提交信访举报，可实名或匿名（第十八条）',
    '**待办**　需要你处理的事项',
  ];
  const buttons = [
    button('申请容错', cmd('apply'), { type: 'primary' }),
    button('我的案件', cmd('mine')),
    button('待办', cmd('todo')),
    button('举报', cmd('report')),
  ];
  if (roles.has('party_member') || roles.has('secretary')) {
    lines.push('**统计**　当前案件、期限和易错情形统计');
    buttons.push(button('统计', cmd('stats')));
  }
  if (roles.has('secretary') || roles.has('clerk')) {
    lines.push('**举报列表**　待处理的信访举报（第十八条）');
    lines.push('**送达回证 编号**　本案各项告知的送达和签收情况（第十三条）');
  }
  if (roles.has('party_member') || roles.has('secretary') || roles.has('clerk'))
    lines.push('**导出台账 年份 状态**　案件和举报台账（Excel）发到私聊，年份和状态可省略');
  if (roles.has('secretary'))
    lines.push('**归档 编号**　调阅已办结案件的归档（文书、送达回证、证据清单、审计记录）');
  if (roles.has('admin')) {
    lines.push(
      '**设为党组群 / 设为公示群 / 设为科室群 科室名**　在群聊中绑定该群（管理员）',
      '**党组成员 / 党组书记 / 经办人 / 核查人员 / 管理员 @某人**　设置角色；**移除 @某人** 取消角色',
      '**节假日 起 至 止 名称 / 调休上班 日期 / 查看节假日 年份**　补充下一年度的节假日安排（管理员）',
      '**重试失败事件**　故障排除后，重新处理收到失败提醒的事件（管理员）',
    );
    buttons.push(button('查看配置', cmd('config')));
  }
  const elements: object[] = [];
  if (d.pending) elements.push(md(`<font color='orange'>${d.pending}</font>`));
  if (d.unknown)
    elements.push(md(`没有听懂「${escapeMd(clip(d.unknown, 40))}」。你可以发送下列指令，或点击按钮：`));
  elements.push(md(lines.join('\n')), hr(), buttonRow(buttons));
  return card({
    title: '容错纠错助手',
    subtitle: `${d.orgName} 行政执法尽职免责和容错纠错制度`,
    template: 'blue',
    summary: '容错纠错助手：可用指令',
    elements,
  });
}
