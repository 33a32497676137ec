import type { CaseStatus } from '../src/cases/types';
import { type CaseFactsView, factsElements, shownText } from './case-detail';
import {
  button,
  buttonRow,
  callback,
  card,
  escapeMd,
  hr,
  md,
  plain,
  type Template,
  tagColor,
} from './common';

export type ApplicationMode = 'view' | 'return' | 'assign';

export interface ApplicationCardData extends CaseFactsView {
  status: CaseStatus;
  /** What happens next, in one line. */
  nextStep: string;
  decisionDueOn: string | null;
  returnReason: string | null;
  investigators: string[];
  /** Who did what, oldest first: 「2026-03-02 10:00 王经办 受理申请」. */
  history: { at: string; text: string }[];
  mode: ApplicationMode;
  /** Roster investigators who may be assigned (the subject and those already assigned left out). */
  investigatorOptions: { openId: string; name: string }[];
  /** A copy for someone who may read the case but not handle it: no buttons. */
  readOnly?: boolean;
}

const ACTION = {
  accept: 'case.accept',
  returnOpen: 'case.return.open',
  returnSubmit: 'case.return',
  assignOpen: 'case.assign.open',
  assignSubmit: 'case.assign',
  view: 'case.view',
} as const;
export const APPLICATION_ACTIONS = ACTION;

const HEADER: Record<CaseStatus, { template: Template; title: string }> = {
  submitted: { template: 'orange', title: '新的容错认定申请' },
  investigating: { template: 'blue', title: '容错认定申请（已受理）' },
  draft: { template: 'grey', title: '容错认定申请（已退回补充）' },
  withdrawn: { template: 'grey', title: '容错认定申请（已撤回）' },
  deliberating: { template: 'violet', title: '容错认定申请（审议中）' },
  decided: { template: 'green', title: '容错认定申请（已认定）' },
  correcting: { template: 'green', title: '容错认定申请（已认定）' },
  closed: { template: 'grey', title: '容错认定申请（已办结）' },
};

const HISTORY_MAX = 10;

function returnForm(caseId: string): object[] {
  return [
    {
      tag: 'form',
      name: 'return_form',
      elements: [
        md('**退回补充**：请写明需要申请人补充或修改的内容，申请人会收到退回理由，已填写的内容都会保留。'),
        {
          tag: 'input',
          name: 'reason',
          input_type: 'multiline_text',
          rows: 4,
          required: true,
          max_length: 1000,
          label: plain('退回理由'),
          placeholder: plain('例如：请补充暂扣设备的审批记录照片'),
        },
        {
          tag: 'button',
          name: 'return_submit',
          form_action_type: 'submit',
          type: 'danger',
          text: plain('确认退回'),
          behaviors: callback({ a: ACTION.returnSubmit, caseId }),
        },
      ],
    },
    buttonRow([button('取消', { a: ACTION.view, caseId })]),
  ];
}

function assignForm(d: ApplicationCardData): object[] {
  const cancel = buttonRow([button('取消', { a: ACTION.view, caseId: d.caseId })]);
  if (d.investigatorOptions.length === 0) {
    return [
      md(
        '**指派核查**：名册中暂无可指派的核查人员（当事人依规回避，已指派的人员不重复列出）。请管理员在群里发送「核查人员 @某人」设置后再指派。',
      ),
      cancel,
    ];
  }
  const also = d.status === 'submitted' ? '提交后将同时受理本申请。' : '';
  return [
    {
      tag: 'form',
      name: 'assign_form',
      elements: [
        md(`**指派核查**：请选择核查人员，被指派人将收到核查通知。${also}`),
        {
          tag: 'select_static',
          name: 'investigator',
          required: true,
          placeholder: plain('核查人员'),
          options: d.investigatorOptions.map((o) => ({ text: plain(o.name), value: o.openId })),
        },
        {
          tag: 'button',
          name: 'assign_submit',
          form_action_type: 'submit',
          type: 'primary',
          text: plain('确认指派'),
          behaviors: callback({ a: ACTION.assignSubmit, caseId: d.caseId }),
        },
      ],
    },
    cancel,
  ];
}

function actions(d: ApplicationCardData): object[] {
  if (d.readOnly) {
    return d.status === 'submitted' || d.status === 'investigating'
      ? [md('本卡片仅供查阅：受理、退回补充和指派核查由党组书记或经办人办理。')]
      : [];
  }
  if (d.mode === 'return' && d.status === 'submitted') return returnForm(d.caseId);
  if (d.mode === 'assign' && (d.status === 'submitted' || d.status === 'investigating')) return assignForm(d);
  const id = d.caseId;
  if (d.status === 'submitted') {
    return [
      buttonRow([
        button(
          '受理',
          { a: ACTION.accept, caseId: id },
          {
            type: 'primary',
            confirm: { title: '受理申请', text: `确认受理 ${d.number}？受理后开始计算认定期限。` },
          },
        ),
        button('退回补充', { a: ACTION.returnOpen, caseId: id }),
        button('指派核查', { a: ACTION.assignOpen, caseId: id }),
      ]),
    ];
  }
  if (d.status === 'investigating')
    return [buttonRow([button('指派核查', { a: ACTION.assignOpen, caseId: id })])];
  return [];
}

/**
 * The new-application card in the party group: the facts, the claimed items with citations, the engine's
 * reading and what is missing, then 受理 / 退回补充 / 指派核查. Updated in place for everyone as the case moves.
 */
export function applicationCard(d: ApplicationCardData) {
  const h = HEADER[d.status];
  const status = [`**当前状态**：${d.statusLabel}`, `**下一步**：${d.nextStep}`];
  if (d.decisionDueOn) status.push(`**认定期限**：${d.decisionDueOn} 前作出认定`);
  if (d.investigators.length > 0) status.push(`**核查人员**：${d.investigators.map(escapeMd).join('、')}`);
  if (d.returnReason && d.status === 'draft') status.push(`**退回理由**：${shownText(d.returnReason, 400)}`);
  const elements: object[] = [md(status.join('\n')), hr(), ...factsElements(d, 600)];
  if (d.history.length > 0) {
    const shown = d.history.slice(-HISTORY_MAX);
    const skipped = d.history.length - shown.length;
    elements.push(
      hr(),
      md(
        [
          '**办理记录**',
          ...(skipped > 0 ? [`- （更早的 ${skipped} 条略）`] : []),
          ...shown.map((x) => `- ${x.at}　${shownText(x.text, 120)}`),
        ].join('\n'),
      ),
    );
  }
  const acts = actions(d);
  if (acts.length > 0) elements.push(hr(), ...acts);
  return card({
    title: h.title,
    subtitle: `${d.number}　当事人：${d.subjectName}`,
    template: h.template,
    tags: [{ text: d.statusLabel, color: tagColor(h.template) }],
    summary: `${h.title}：${d.number} ${d.title}`,
    elements,
  });
}

/** What a copy turns into for someone who may no longer see the case (roles changed, or recused). */
export function applicationNoAccessCard(reason: string) {
  return card({
    title: '容错认定申请',
    template: 'grey',
    summary: '无权查看该申请',
    elements: [md(reason)],
  });
}

/** A copy in a group that is no longer the bound party chat: the case stays out of it. */
export function notPartyChatCard() {
  return card({
    title: '容错认定申请',
    template: 'grey',
    summary: '本群已不是党组群',
    elements: [
      md(
        '本群已不是党组群，这里不再显示案件内容。党组成员请在党组群中查看，或私聊容错纠错助手发送「待办」「查询 编号」。',
      ),
    ],
  });
}

/** A copy whose reader is no longer known: it stops showing the case rather than risk showing it to anyone. */
export function applicationGoneCard() {
  return card({
    title: '容错认定申请',
    template: 'grey',
    summary: '该卡片已不再更新',
    elements: [md('该卡片已不再更新。请私聊容错纠错助手发送「待办」或「查询 编号」查看案件的最新情况。')],
  });
}
