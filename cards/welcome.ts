import type { ActionValue } from './actions';
import { button, buttonRow, card, hr, md } from './common';

export interface WelcomeCardData {
  orgName: string;
  /** The reader is an admin: show how to set the bot up. */
  isAdmin: boolean;
  /** Nobody administers the bot yet: tell whoever does how to bind themselves with the start-up code. */
  noAdminYet: boolean;
}

const cmd = (command: string): ActionValue<'cmd'> => ({ a: 'cmd', cmd: command });

/** The first card in a direct chat: what the assistant is for and how to begin. */
export function welcomeCard(d: WelcomeCardData) {
  const elements: object[] = [
    md(
      [
        `你好！我是**容错纠错助手**，帮助${d.orgName}落实行政执法尽职免责和容错纠错制度。`,
        '',
        '**申请容错**　按步骤填写事项经过、损失影响和挽回措施，提交容错免责认定申请（第十三条：个人可直接提出）',
        '**我的案件**　随时查看案件进度；认定结果和纠错要求也会在这里通知你',
        '**举报**　提交信访举报，可实名或匿名（第十八条）',
        '**帮助**　随时发送「帮助」查看全部指令',
      ].join('\n'),
    ),
  ];
  if (d.isAdmin) {
    elements.push(
      hr(),
      md(
        [
          '**你是管理员**（只负责配置，看不到案件内容）：',
          '1. 把我拉进党组群、公示群和各科室群，在群里 @我 发送「设为党组群」「设为公示群」「设为科室群 科室名」',
          '2. 在群里 @我 并 @相关人员 发送「党组成员」「党组书记」「经办人」「核查人员」或「管理员」设置角色；「移除 @某人」取消角色',
          '3. 发送「查看配置」核对人员名单和已绑定的群',
        ].join('\n'),
      ),
    );
  } else if (d.noAdminYet) {
    elements.push(
      hr(),
      md(
        '**尚未设置管理员。** 负责配置本助手的同志，请在此私聊中发送「绑定管理员 绑定码」，绑定码见服务启动日志。',
      ),
    );
  }
  const buttons = [
    button('申请容错', cmd('apply'), { type: 'primary' }),
    button('我的案件', cmd('mine')),
    button('帮助', cmd('help')),
  ];
  if (d.isAdmin) buttons.push(button('查看配置', cmd('config')));
  elements.push(hr(), buttonRow(buttons));
  return card({
    title: '欢迎使用容错纠错助手',
    subtitle: `${d.orgName} 行政执法尽职免责和容错纠错制度`,
    template: 'blue',
    summary: '欢迎使用容错纠错助手',
    elements,
  });
}
