import type { ActionValue } from './actions';
import { button, buttonRow, card, hr, md } from './common';

export interface TodoItem {
  /** The heading it is listed under, e.g. 待受理的申请. */
  group: string;
  text: string;
  action: { label: string; value: ActionValue; confirm?: { title: string; text: string } };
}

export interface TodoData {
  items: TodoItem[];
}

const SHOWN_MAX = 25;

/** 待办: what waits for the sender, grouped, each with a button that opens it. */
export function todoCard(d: TodoData) {
  if (d.items.length === 0) {
    return card({
      title: '待办事项',
      template: 'green',
      summary: '待办事项：暂无',
      elements: [
        md('目前没有需要你处理的事项。有新的事项时会在这里和私聊中通知你。'),
        hr(),
        buttonRow([button('我的案件', { a: 'cmd', cmd: 'mine' }), button('帮助', { a: 'cmd', cmd: 'help' })]),
      ],
    });
  }
  const shown = d.items.slice(0, SHOWN_MAX);
  const groups = [...new Set(shown.map((i) => i.group))];
  const elements: object[] = [];
  groups.forEach((g, gi) => {
    if (gi > 0) elements.push(hr());
    const mine = shown.filter((i) => i.group === g);
    elements.push(md(`**${g}**（${mine.length}）`));
    for (const it of mine)
      elements.push(
        md(it.text),
        // `from` lets the click bring this list up to date whatever the button does.
        button(
          it.action.label,
          { ...it.action.value, from: 'todo' },
          {
            type: 'primary',
            ...(it.action.confirm ? { confirm: it.action.confirm } : {}),
          },
        ),
      );
  });
  if (d.items.length > shown.length) {
    elements.push(hr(), md(`另有 ${d.items.length - shown.length} 项未列出，请先处理以上事项。`));
  }
  return card({
    title: '待办事项',
    subtitle: `共 ${d.items.length} 项`,
    template: 'orange',
    summary: `待办事项：${d.items.length} 项`,
    elements,
  });
}
