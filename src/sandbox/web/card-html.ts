// Card JSON 2.0 → HTML for the sandbox page: a pure function, so the browser shows what Lark would.
import { BUTTON_TYPES, HEADER_TEMPLATES, INPUT_MAX_LENGTH, TEXT_TAG_COLORS } from '../card-rules';

export interface Person {
  openId: string;
  name: string;
}

export interface CardRenderContext {
  /** The chat's members: the options of a person picker and the names behind `<at id=…>`. */
  people?: Person[];
  /** Anyone's name in the tenant's directory: a picker may list colleagues outside the chat. */
  nameOf?: (openId: string) => string | undefined;
}

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** Lark markdown shows character references as the characters they stand for (cards escape user text so). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,6});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code =
        ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const text = (s: string) => escapeHtml(decodeEntities(s));

/** The text of a `{tag:'plain_text'|'lark_md', content}` object or a bare string. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isRec(v)) return str(v.content) ?? '';
  return '';
}

// Lark's named colours, approximated; anything else is dropped rather than passed into a style.
const COLOURS: Record<string, string> = {
  red: '#f54a45',
  carmine: '#e8336d',
  orange: '#ff8800',
  yellow: '#dc9b04',
  green: '#34c724',
  turquoise: '#2dbeab',
  wathet: '#1d99e3',
  blue: '#3370ff',
  indigo: '#4954e6',
  purple: '#7f3bf5',
  violet: '#b23de5',
  grey: '#8f959e',
  gray: '#8f959e',
  neutral: '#646a73',
};

function colourStyle(c: string | undefined): string {
  if (!c) return '';
  const key = c.toLowerCase().replace(/[-_]?\d+$/, '');
  const css = COLOURS[key] ?? (/^#[0-9a-f]{3,8}$/i.test(c) ? c : undefined);
  return css ? ` style="color:${css}"` : '';
}

function personName(id: string, ctx: CardRenderContext): string {
  if (id === 'all') return '所有人';
  return ctx.people?.find((p) => p.openId === id)?.name ?? ctx.nameOf?.(id) ?? '某人';
}

interface InlineRule {
  re: RegExp;
  render: (m: RegExpExecArray, ctx: CardRenderContext) => string;
}

const INLINE: InlineRule[] = [
  {
    re: /<font\s+color\s*=\s*['"]?([#\w-]+)['"]?\s*>([\s\S]*?)<\/font>/i,
    render: (m, ctx) => `<span${colourStyle(m[1])}>${inline(m[2]!, ctx)}</span>`,
  },
  {
    re: /<text_tag\s+color\s*=\s*['"]?([\w-]+)['"]?\s*>([\s\S]*?)<\/text_tag>/i,
    render: (m, ctx) => `<span class="tt tt-${tagColour(m[1])}">${inline(m[2]!, ctx)}</span>`,
  },
  {
    re: /<at\s+(?:id|user_id|open_id)\s*=\s*['"]?([\w-]+)['"]?\s*>([^<]*)<\/at>/i,
    render: (m, ctx) => `<span class="at">@${escapeHtml(m[2]?.trim() || personName(m[1]!, ctx))}</span>`,
  },
  { re: /<br\s*\/?>/i, render: () => '<br>' },
  { re: /\*\*([\s\S]+?)\*\*/, render: (m, ctx) => `<strong>${inline(m[1]!, ctx)}</strong>` },
  { re: /~~([\s\S]+?)~~/, render: (m, ctx) => `<del>${inline(m[1]!, ctx)}</del>` },
  { re: /(?<![*\w])\*(?!\s)([^*\n]+?)\*(?![*\w])/, render: (m, ctx) => `<em>${inline(m[1]!, ctx)}</em>` },
  { re: /`([^`\n]+)`/, render: (m) => `<code>${text(m[1]!)}</code>` },
  {
    // The sandbox never leaves 127.0.0.1: a link shows its text and, on hover, where it would go.
    re: /\[([^\]\n]+)\]\(([^)\s]+)\)/,
    render: (m, ctx) => `<span class="link" title="${escapeHtml(m[2]!)}">${inline(m[1]!, ctx)}</span>`,
  },
];

/** Inline Lark markdown: the earliest construct wins; everything between is text, escaped. */
function inline(s: string, ctx: CardRenderContext): string {
  let out = '';
  let rest = s;
  for (let guard = 0; rest !== '' && guard < 10_000; guard++) {
    let best: { m: RegExpExecArray; rule: InlineRule } | undefined;
    for (const rule of INLINE) {
      const m = rule.re.exec(rest);
      if (m && (best === undefined || m.index < best.m.index)) best = { m, rule };
    }
    if (!best) break;
    out += text(rest.slice(0, best.m.index)) + best.rule.render(best.m, ctx);
    rest = rest.slice(best.m.index + best.m[0].length);
  }
  return out + text(rest);
}

/** Lark markdown (the card subset): headings, lists, quotes, line breaks, bold, colour, mentions. */
export function renderMarkdown(content: string, ctx: CardRenderContext = {}): string {
  const lines = content.replace(/\r\n?/g, '\n').split('\n');
  return lines
    .map((line) => {
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) return `<span class="md-h">${inline(heading[2]!, ctx)}</span>`;
      const bullet = /^(\s*)[-*+]\s+(.*)$/.exec(line);
      if (bullet) return `<span class="md-li">• ${inline(bullet[2]!, ctx)}</span>`;
      const quote = /^>\s?(.*)$/.exec(line);
      if (quote) return `<span class="md-quote">${inline(quote[1]!, ctx)}</span>`;
      return inline(line, ctx);
    })
    .join('<br>');
}

const TAG_COLOURS = new Set<string>(TEXT_TAG_COLORS);

function tagColour(c: string | undefined): string {
  const key = (c ?? '').toLowerCase();
  return TAG_COLOURS.has(key) ? key : 'neutral';
}

const TEMPLATES = new Set<string>(HEADER_TEMPLATES);

function header(h: unknown): string {
  if (!isRec(h)) return '';
  const template = str(h.template)?.toLowerCase() ?? 'default';
  const tags = arr(h.text_tag_list)
    .filter(isRec)
    .map((t) => `<span class="tt tt-${tagColour(str(t.color))}">${escapeHtml(textOf(t.text))}</span>`)
    .join('');
  const subtitle = textOf(h.subtitle);
  return `<div class="card-h tpl-${TEMPLATES.has(template) ? template : 'default'}"><div class="card-title">${escapeHtml(textOf(h.title))}${tags ? `<span class="tags">${tags}</span>` : ''}</div>${subtitle ? `<div class="card-sub">${escapeHtml(subtitle)}</div>` : ''}</div>`;
}

const BUTTON_STYLES = new Set<string>(BUTTON_TYPES);

function callbackValue(b: Rec): Rec | undefined {
  for (const behaviour of arr(b.behaviors)) {
    if (isRec(behaviour) && behaviour.type === 'callback' && isRec(behaviour.value)) return behaviour.value;
  }
  return isRec(b.value) ? b.value : undefined;
}

function openUrl(b: Rec): string | undefined {
  for (const behaviour of arr(b.behaviors)) {
    if (isRec(behaviour) && behaviour.type === 'open_url') return str(behaviour.default_url) ?? '';
  }
  return str(b.url);
}

function attr(name: string, value: string | undefined): string {
  return value === undefined ? '' : ` ${name}="${escapeHtml(value)}"`;
}

function buttonHtml(b: Rec, inForm: boolean): string {
  const type = str(b.type) ?? 'default';
  const value = callbackValue(b);
  const url = value ? undefined : openUrl(b);
  const action = str(b.form_action_type);
  const confirm = isRec(b.confirm) ? b.confirm : undefined;
  const attrs = [
    attr(
      'class',
      `btn btn-${BUTTON_STYLES.has(type) ? type : 'default'}${b.width === 'fill' ? ' btn-fill' : ''}`,
    ),
    ' type="button"',
    attr('data-value', value ? JSON.stringify(value) : undefined),
    attr('data-name', str(b.name)),
    attr('data-url', url),
    inForm && action === 'submit' ? ' data-submit=""' : '',
    inForm && action === 'reset' ? ' data-reset=""' : '',
    attr('data-confirm-title', confirm ? textOf(confirm.title) : undefined),
    attr('data-confirm-text', confirm ? textOf(confirm.text) : undefined),
    b.disabled === true || (!value && url === undefined && !(inForm && action === 'reset'))
      ? ' disabled'
      : '',
  ].join('');
  return `<button${attrs}>${escapeHtml(textOf(b.text))}</button>`;
}

function fieldLabel(el: Rec): string {
  const label = textOf(el.label);
  if (!label) return '';
  return `<span class="f-label">${escapeHtml(label)}${el.required === true ? '<span class="req">*</span>' : ''}</span>`;
}

function fieldAttrs(el: Rec, kind: string, inForm: boolean): string {
  return `${attr('data-field', str(el.name))} data-kind="${kind}"${el.required === true ? ' data-required=""' : ''}${inForm && el.disabled !== true ? '' : ' disabled'}`;
}

function options(el: Rec): { value: string; text: string }[] {
  return arr(el.options)
    .filter(isRec)
    .map((o) => ({ value: str(o.value) ?? '', text: textOf(o.text) || (str(o.value) ?? '') }));
}

function personOptions(el: Rec, ctx: CardRenderContext): { value: string; text: string }[] {
  const own = arr(el.options)
    .filter(isRec)
    .map((o) => str(o.value))
    .filter((v): v is string => v !== undefined);
  const ids = own.length > 0 ? own : (ctx.people ?? []).map((p) => p.openId);
  return ids.map((id) => ({ value: id, text: personName(id, ctx) }));
}

function selectHtml(
  el: Rec,
  kind: string,
  opts: { value: string; text: string }[],
  initial: string | undefined,
  inForm: boolean,
): string {
  const placeholder = textOf(el.placeholder) || '请选择';
  const list = opts
    .map(
      (o) =>
        `<option value="${escapeHtml(o.value)}"${o.value === initial ? ' selected' : ''}>${escapeHtml(o.text)}</option>`,
    )
    .join('');
  return `<label class="field">${fieldLabel(el)}<select class="f-select"${fieldAttrs(el, kind, inForm)}><option value="">${escapeHtml(placeholder)}</option>${list}</select></label>`;
}

function multiHtml(
  el: Rec,
  kind: string,
  opts: { value: string; text: string }[],
  initial: string[],
  inForm: boolean,
): string {
  const placeholder = textOf(el.placeholder);
  const boxes = opts
    .map(
      (o) =>
        `<label class="opt"><input type="checkbox" value="${escapeHtml(o.value)}"${initial.includes(o.value) ? ' checked' : ''}${inForm ? '' : ' disabled'}> ${escapeHtml(o.text)}</label>`,
    )
    .join('');
  return `<div class="field">${fieldLabel(el)}<div class="f-multi"${fieldAttrs(el, kind, inForm)}${attr('title', placeholder || undefined)}>${boxes || '<span class="muted">（无可选项）</span>'}</div></div>`;
}

function inputHtml(el: Rec, inForm: boolean): string {
  const max = typeof el.max_length === 'number' ? el.max_length : INPUT_MAX_LENGTH;
  const placeholder = textOf(el.placeholder);
  const value = str(el.default_value) ?? '';
  const common = `${fieldAttrs(el, 'input', inForm)} maxlength="${max}"${attr('placeholder', placeholder || undefined)}`;
  const box =
    el.input_type === 'multiline_text'
      ? `<textarea class="f-input" rows="${typeof el.rows === 'number' ? Math.min(Math.max(el.rows, 2), 12) : 4}"${common}>${escapeHtml(value)}</textarea>`
      : `<input class="f-input" type="${el.input_type === 'password' ? 'password' : 'text'}"${common} value="${escapeHtml(value)}">`;
  return `<label class="field">${fieldLabel(el)}${box}</label>`;
}

const CHART_COLORS = ['#3370ff', '#34c724', '#ff8800', '#f54a45', '#7f3bf5', '#8f959e'];

/**
 * A bar or pie chart as Feishu draws it from the VChart spec: categories on the category axis (yField of a
 * horizontal bar, xField otherwise), one coloured segment per series (stacked when the spec stacks), a legend.
 */
function chartHtml(el: Rec): string {
  const spec = isRec(el.chart_spec) ? el.chart_spec : {};
  const title = isRec(spec.title) ? textOf(spec.title.text ?? spec.title) : '';
  const data = spec.data;
  const values = (
    Array.isArray(data)
      ? data.flatMap((d) => (isRec(d) ? arr(d.values) : []))
      : isRec(data)
        ? arr(data.values)
        : []
  ).filter(isRec);
  const pick = (f: unknown): string | undefined => (Array.isArray(f) ? str(f[0]) : str(f));
  const isPie = spec.type === 'pie' || spec.type === 'ring';
  const horizontal = spec.direction === 'horizontal';
  const catField = isPie ? pick(spec.categoryField) : horizontal ? pick(spec.yField) : pick(spec.xField);
  const valField = isPie ? pick(spec.valueField) : horizontal ? pick(spec.xField) : pick(spec.yField);
  const seriesField = isPie ? undefined : pick(spec.seriesField);
  const colors = [...arr(spec.color).filter((c): c is string => typeof c === 'string'), ...CHART_COLORS];
  const categories: string[] = [];
  const series: string[] = [];
  const cell = new Map<string, number>();
  for (const v of values) {
    const cat = catField ? String(v[catField] ?? '') : '';
    const ser = seriesField ? String(v[seriesField] ?? '') : '';
    const n = Number(valField ? v[valField] : Number.NaN);
    if (!categories.includes(cat)) categories.push(cat);
    if (!series.includes(ser)) series.push(ser);
    cell.set(`${cat}\u0000${ser}`, (cell.get(`${cat}\u0000${ser}`) ?? 0) + (Number.isFinite(n) ? n : 0));
  }
  const stacked = spec.stack === true || series.length <= 1;
  const n = (cat: string, ser: string) => cell.get(`${cat}\u0000${ser}`) ?? 0;
  const totals = categories.map((c) => series.reduce((sum, s) => sum + n(c, s), 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...(stacked ? totals : categories.flatMap((c) => series.map((s) => n(c, s)))));
  const color = (i: number) =>
    isPie ? colors[i % colors.length] : colors[series.indexOf(series[i] ?? '') % colors.length];
  const segment = (value: number, c: string, tip: string) =>
    value > 0
      ? `<span class="seg" style="width:${(value / max) * 100}%;background:${escapeHtml(c)}" title="${escapeHtml(tip)}">${value}</span>`
      : '';
  const rows = categories
    .map((cat, ci) => {
      const bars = stacked
        ? `<span class="bar">${series.map((s, si) => segment(n(cat, s), isPie ? (color(ci) ?? '') : (color(si) ?? ''), `${s} ${n(cat, s)}`)).join('')}</span>`
        : `<span class="bars">${series.map((s, si) => `<span class="bar">${segment(n(cat, s), color(si) ?? '', `${s} ${n(cat, s)}`)}</span>`).join('')}</span>`;
      const share = isPie && all > 0 ? `（${Math.round(((totals[ci] ?? 0) / all) * 100)}%）` : '';
      return `<div class="bar-row"><span class="bar-label" title="${escapeHtml(cat)}">${text(cat)}</span>${bars}<span class="bar-n">${totals[ci] ?? 0}${share}</span></div>`;
    })
    .join('');
  const legend =
    seriesField && series.length > 1
      ? `<div class="legend">${series.map((s, i) => `<span class="legend-item"><span class="swatch" style="background:${escapeHtml(color(i) ?? '')}"></span>${text(s)}</span>`).join('')}</div>`
      : '';
  return `<div class="chart">${title ? `<div class="chart-title">${escapeHtml(title)}</div>` : ''}${rows || '<div class="muted">（暂无数据）</div>'}${legend}</div>`;
}

function tableHtml(el: Rec): string {
  const columns = arr(el.columns)
    .filter(isRec)
    .map((c) => ({ name: str(c.name) ?? '', title: str(c.display_name) ?? str(c.name) ?? '' }));
  const rows = arr(el.rows).filter(isRec);
  const cell = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
      ? text(String(v))
      : Array.isArray(v)
        ? text(v.map((x) => (isRec(x) ? textOf(x.text) || str(x.value) || '' : String(x))).join('、'))
        : '';
  return `<table class="c-table"><thead><tr>${columns.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c.name])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function elementsHtml(els: unknown, ctx: CardRenderContext, inForm: boolean): string {
  return arr(els)
    .map((e) => elementHtml(e, ctx, inForm))
    .join('');
}

function elementHtml(node: unknown, ctx: CardRenderContext, inForm: boolean): string {
  if (!isRec(node)) return '';
  const el = node;
  switch (el.tag) {
    case 'markdown':
    case 'lark_md':
      return `<div class="md">${renderMarkdown(str(el.content) ?? textOf(el.text), ctx)}</div>`;
    case 'plain_text':
      return `<div class="md">${escapeHtml(textOf(el)).replace(/\n/g, '<br>')}</div>`;
    case 'div': {
      const t = isRec(el.text) ? el.text : undefined;
      const body =
        t?.tag === 'lark_md' ? renderMarkdown(textOf(t), ctx) : escapeHtml(textOf(t)).replace(/\n/g, '<br>');
      const fields = arr(el.fields)
        .filter(isRec)
        .map((f) => `<div class="md">${renderMarkdown(textOf(f.text), ctx)}</div>`)
        .join('');
      return `<div class="md">${body}</div>${fields}`;
    }
    case 'note':
      return `<div class="note">${elementsHtml(el.elements, ctx, inForm)}</div>`;
    case 'hr':
      return '<hr class="c-hr">';
    case 'column_set': {
      const flow = el.flex_mode === 'flow' || el.flex_mode === 'bisect' || el.flex_mode === 'trisect';
      const cols = arr(el.columns)
        .filter(isRec)
        .map((c) => {
          const weight = typeof c.weight === 'number' ? c.weight : 1;
          const flex = c.width === 'auto' ? 'flex:0 0 auto' : `flex:${Math.max(1, Math.min(weight, 5))} 1 0`;
          return `<div class="col" style="${flex}">${elementsHtml(c.elements, ctx, inForm)}</div>`;
        })
        .join('');
      return `<div class="cols${flow ? ' cols-flow' : ''}">${cols}</div>`;
    }
    case 'column':
      return `<div class="col">${elementsHtml(el.elements, ctx, inForm)}</div>`;
    case 'button':
      return buttonHtml(el, inForm);
    case 'form':
      return `<form class="card-form"${attr('data-form', str(el.name))} autocomplete="off">${elementsHtml(el.elements, ctx, true)}</form>`;
    case 'input':
      return inputHtml(el, inForm);
    case 'select_static':
      return selectHtml(el, 'select_static', options(el), str(el.initial_option), inForm);
    case 'multi_select_static':
      return multiHtml(
        el,
        'multi_select_static',
        options(el),
        arr(el.selected_values).filter((x): x is string => typeof x === 'string'),
        inForm,
      );
    case 'select_person':
      return selectHtml(el, 'select_person', personOptions(el, ctx), str(el.initial_option), inForm);
    case 'multi_select_person':
      return multiHtml(
        el,
        'multi_select_person',
        personOptions(el, ctx),
        arr(el.selected_values).filter((x): x is string => typeof x === 'string'),
        inForm,
      );
    case 'date_picker': {
      const initial = str(el.initial_date)?.match(/^\d{4}-\d{2}-\d{2}/)?.[0];
      return `<label class="field">${fieldLabel(el)}<input class="f-input f-date" type="date"${fieldAttrs(el, 'date_picker', inForm)}${attr('value', initial)}></label>`;
    }
    case 'checker':
      return `<label class="field checker"><input type="checkbox"${fieldAttrs(el, 'checker', inForm)}${el.checked === true ? ' checked' : ''}> <span>${renderMarkdown(textOf(el.text), ctx)}</span></label>`;
    case 'chart':
      return chartHtml(el);
    case 'table':
      return tableHtml(el);
    case 'img':
    case 'image':
      return `<div class="img">［图片${textOf(el.alt) ? `：${escapeHtml(textOf(el.alt))}` : ''}］</div>`;
    case 'person':
      return `<span class="at">@${escapeHtml(personName(str(el.user_id) ?? '', ctx))}</span>`;
    case 'person_list':
      return `<div>${arr(el.persons)
        .filter(isRec)
        .map((p) => `<span class="at">@${escapeHtml(personName(str(p.id) ?? '', ctx))}</span>`)
        .join(' ')}</div>`;
    case 'collapsible_panel': {
      const title = isRec(el.header) ? textOf(el.header.title) : '';
      return `<details class="panel"${el.expanded === true ? ' open' : ''}><summary>${renderMarkdown(title, ctx)}</summary>${elementsHtml(el.elements, ctx, inForm)}</details>`;
    }
    case 'interactive_container':
      return `<div class="box">${elementsHtml(el.elements, ctx, inForm)}</div>`;
    default:
      return `<div class="muted">［暂不支持显示的卡片组件：${escapeHtml(String(el.tag ?? '未知'))}］</div>${elementsHtml(el.elements, ctx, inForm)}`;
  }
}

/** One card as HTML: header, body elements, forms with their fields and buttons carrying their callback values. */
export function renderCard(card: unknown, ctx: CardRenderContext = {}): string {
  if (!isRec(card)) return '<div class="card"><div class="card-b muted">［无法显示的卡片］</div></div>';
  if (card.type === 'template') {
    return '<div class="card"><div class="card-b muted">［模板卡片：沙盒中不显示模板内容］</div></div>';
  }
  const body = isRec(card.body) ? card.body.elements : card.elements;
  return `<div class="card">${header(card.header)}<div class="card-b">${elementsHtml(body, ctx, false)}</div></div>`;
}
