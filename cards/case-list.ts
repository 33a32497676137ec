import type { ActionValue } from './actions';
import { button, card, escapeMd, hr, md } from './common';

export interface CaseListItem {
  caseId: string;
  /** null for a draft never submitted. */
  number: string | null;
  title: string;
  statusLabel: string;
  nextStep: string;
  action: { label: string; value: ActionValue };
}

export interface CaseListData {
  items: CaseListItem[];
}

const SHOWN_MAX = 20;

/** 我的案件: the sender's own cases, newest first, each with its status, next step and a button. */
export function caseListCard(d: CaseListData) {
  if (d.items.length === 0) {
    return card({
      title: '我的案件',
      template: 'blue',
      summary: '我的案件：暂无',
      elements: [
        md(
          '你目前还没有容错认定案件。\n如在行政执法中因先行先试、临机处置等原因出现失误，可以依第十三条由本人提出容错认定申请。',
        ),
        hr(),
        button('申请容错', { a: 'cmd', cmd: 'apply' }, { type: 'primary' }),
      ],
    });
  }
  const shown = d.items.slice(0, SHOWN_MAX);
  const elements: object[] = [];
  shown.forEach((it, i) => {
    if (i > 0) elements.push(hr());
    elements.push(
      md(
        [
          `**${it.number ?? '草稿（未编号）'}**　${it.title ? escapeMd(it.title) : '（未命名事项）'}`,
          `**状态**：${it.statusLabel}`,
          `**下一步**：${it.nextStep}`,
        ].join('\n'),
      ),
      // `from` lets the click bring this list up to date whatever the button does.
      button(it.action.label, { ...it.action.value, from: 'mine' }, { type: 'default' }),
    );
  });
  if (d.items.length > shown.length) {
    elements.push(
      hr(),
      md(`仅显示最近 ${shown.length} 件，共 ${d.items.length} 件。可发送「查询 编号」查看其他案件。`),
    );
  }
  return card({
    title: '我的案件',
    subtitle: `共 ${d.items.length} 件`,
    template: 'blue',
    summary: `我的案件：共 ${d.items.length} 件`,
    elements,
  });
}
