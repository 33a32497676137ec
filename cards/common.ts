import type { ActionValue } from './actions';
/** Small builders for card JSON 2.0; every card in this folder is a pure function of its data. */
export type Template =
  | 'blue'
  | 'wathet'
  | 'turquoise'
  | 'green'
  | 'yellow'
  | 'orange'
  | 'red'
  | 'carmine'
  | 'violet'
  | 'purple'
  | 'indigo'
  | 'grey';

/** A header tag's colour that matches the header: text tags have no `grey`, their grey is `neutral`. */
export const tagColor = (t: Template) => (t === 'grey' ? 'neutral' : t);

/**
 * What people typed, shown as typed inside a markdown element. Card JSON 2.0 markdown interprets emphasis
 * (`*` `_` `~`), headings (`#`), links (`[..](..)`), code (`` ` ``), quotes (`>`), tables (`|`), rules and
 * lists (`-`) and HTML-like tags (`<at id=all>`, `<font>`, `<link>`), and shows HTML character references as
 * the character (open.feishu.cn/document/feishu-cards/card-json-v2-components/content-components/rich-text).
 */
export function escapeMd(s: string): string {
  return s.replace(/[&<>*_~`[\]#|-]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** At most `n` characters of `s` (trimmed), marked with … when cut; `note` tells the reader what was cut. */
export function clip(s: string, n: number, note?: (total: number) => string): string {
  const t = s.trim();
  return t.length > n ? `${t.slice(0, n)}…${note?.(t.length) ?? ''}` : t;
}

export const plain = (content: string) => ({ tag: 'plain_text', content });
export const md = (content: string) => ({ tag: 'markdown', content });
export const hr = () => ({ tag: 'hr' });

/** What a click sends back to the bot: one of its card actions, with the fields that action's schema reads. */
export const callback = (value: ActionValue) => [{ type: 'callback', value }];

export function button(
  label: string,
  value: ActionValue,
  opts: {
    type?: 'default' | 'primary' | 'danger' | 'text' | 'primary_filled';
    confirm?: { title: string; text: string };
    name?: string;
  } = {},
) {
  return {
    tag: 'button',
    text: plain(label),
    type: opts.type ?? 'default',
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.confirm
      ? { confirm: { title: plain(opts.confirm.title), text: plain(opts.confirm.text) } }
      : {}),
    behaviors: callback(value),
  };
}

/** Buttons side by side, wrapping on narrow screens. */
export function buttonRow(buttons: object[]) {
  return {
    tag: 'column_set',
    flex_mode: 'flow',
    horizontal_spacing: '8px',
    columns: buttons.map((b) => ({ tag: 'column', width: 'auto', elements: [b] })),
  };
}

export function card(p: {
  title: string;
  subtitle?: string;
  template?: Template;
  tags?: { text: string; color: string }[];
  summary?: string;
  elements: object[];
}) {
  return {
    schema: '2.0',
    // JSON 2.0 supports shared cards only (「update_multi 仅支持设为 true」); a PATCH needs it declared.
    config: { update_multi: true, summary: { content: p.summary ?? p.title } },
    header: {
      title: plain(p.title),
      ...(p.subtitle ? { subtitle: plain(p.subtitle) } : {}),
      template: p.template ?? 'blue',
      ...(p.tags?.length
        ? { text_tag_list: p.tags.map((t) => ({ tag: 'text_tag', text: plain(t.text), color: t.color })) }
        : {}),
    },
    body: { elements: p.elements },
  };
}

/** The most an input may hold: Feishu accepts max_length only in 1–1000. */
export const INPUT_MAX_LENGTH = 1000;

/** Lark refuses cards over 30 KB; tests check every card against this. */
export const CARD_MAX_BYTES = 30 * 1024;
export const cardBytes = (c: object) => Buffer.byteLength(JSON.stringify(c), 'utf8');
