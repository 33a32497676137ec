import { card, md } from './common';

export interface GroupHelloCardData {
  orgName: string;
  /** Section names an admin may bind (policy units). */
  units: string[];
  /** What this chat is already bound as, e.g. 「党组群」, when the bot comes back to a known chat. */
  boundAs: string[];
}

/** Sent when the bot joins a group: what the chat can be used for and how an admin binds it. */
export function groupHelloCard(d: GroupHelloCardData) {
  const lines = [
    `大家好，我是${d.orgName}的**容错纠错助手**。`,
    d.boundAs.length
      ? `本群当前绑定为：**${d.boundAs.join('、')}**。`
      : '本群尚未绑定用途，绑定前我不会在本群发送案件相关消息。',
    '',
    '**管理员**请在本群 @我 发送下列指令之一完成绑定：',
    '· 「设为党组群」——研判、表决卡片和风险预警发到本群',
    '· 「设为公示群」——按认定结果的公开范围在本群公示',
    `· 「设为科室群 科室名」——本科室相关的告知发到本群；可用科室：${d.units.join('、') || '（未配置）'}`,
    '',
    '设置人员角色：@我 并 @相关人员，发送「党组成员」「党组书记」「经办人」「核查人员」或「管理员」。',
    '其他同志请在与我的私聊中发送「帮助」开始使用。',
  ];
  return card({
    title: '容错纠错助手已加入本群',
    template: 'turquoise',
    summary: '容错纠错助手已加入本群：管理员可绑定本群用途',
    elements: [md(lines.join('\n'))],
  });
}
