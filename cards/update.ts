import type { ActionValue } from './actions';
import { button, buttonRow, card, hr, md, type Template } from './common';

export interface UpdateCardData {
  title: string;
  subtitle?: string;
  template?: Template;
  lines: string[];
  buttons?: { label: string; value: ActionValue; type?: 'default' | 'primary' | 'danger' }[];
}

/** A plain notification: a title, a few lines and optional buttons. */
export function updateCard(d: UpdateCardData) {
  const elements: object[] = [md(d.lines.join('\n'))];
  if (d.buttons?.length) {
    elements.push(
      hr(),
      buttonRow(d.buttons.map((b) => button(b.label, b.value, { type: b.type ?? 'default' }))),
    );
  }
  return card({
    title: d.title,
    subtitle: d.subtitle,
    template: d.template ?? 'blue',
    summary: d.title,
    elements,
  });
}
