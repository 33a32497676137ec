// What Feishu checks on a card JSON 2.0 before it shows it: one table of rules, each with the page it comes from.
// The emulator runs them on every card it receives (send, reply, PATCH, callback answer, delayed update), and
// test/support/strict-twin.ts runs them on every card any test builds.

type Json = unknown;
type Obj = Record<string, unknown>;

const DOCS = 'https://open.feishu.cn/document/uAjLw4CM/ukzMukzMukzM/feishu-cards';
const V2 = `${DOCS}/card-json-v2-components`;
export const CARD_DOCS = {
  structure: `${DOCS}/card-json-v2-structure`,
  breaking: `${DOCS}/card-json-v2-breaking-changes-release-notes`,
  title: `${V2}/content-components/title`,
  markdown: `${V2}/content-components/rich-text`,
  hr: `${V2}/content-components/divider`,
  chart: `${V2}/content-components/chart`,
  columnSet: `${V2}/containers/column-set`,
  form: `${V2}/containers/form-container`,
  button: `${V2}/interactive-components/button`,
  input: `${V2}/interactive-components/input`,
  selectStatic: `${V2}/interactive-components/single-select-dropdown-menu`,
  multiSelectStatic: `${V2}/interactive-components/multi-select-dropdown-menu`,
  selectPerson: `${V2}/interactive-components/select-person`,
  multiSelectPerson: `${V2}/interactive-components/multi-select-user`,
  datePicker: `${V2}/interactive-components/date-picker`,
  send: 'https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/im-v1/message/create',
} as const;

/** Feishu's answer to a card it cannot build (发送消息 / 更新消息卡片: 230099 Failed to create card content). */
export const CARD_CONTENT_CODE = 230099;
/** Feishu's answer to a card body over 30 KB (230025 The length of the message content reaches its limit). */
export const CARD_SIZE_CODE = 230025;
export const CARD_MAX_BYTES = 30 * 1024;
export const CARD_MAX_COMPONENTS = 200;
export const CARD_MAX_CHARTS = 5;

export interface CardFinding {
  rule: string;
  /** Where in the card, e.g. `body.elements[2].elements[0].max_length`. */
  path: string;
  detail: string;
}

export interface CardRule {
  id: string;
  doc: string;
  code: number;
  /** `parts` is the card's components, walked once for all the rules. */
  check(card: Obj, parts: Visit[]): CardFinding[];
}

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

/** Every component 2.0 accepts here, with the properties its page documents (any other is an error in 2.0). */
interface ComponentSpec {
  doc: string;
  props: string[];
  /** Enumerated values by property. */
  enums?: Record<string, readonly string[]>;
  /** Inclusive integer ranges by property. */
  ranges?: Record<string, readonly [number, number]>;
  /** Properties that must be present. */
  required?: string[];
  /** An interactive component whose value a form submits: it needs a `name` inside a form. */
  formField?: boolean;
  /** Properties holding child components. */
  children?: string[];
  /** The widths it accepts, when it has a width. */
  width?: RegExp;
}

/** 按钮 type: every style the button page lists. */
export const BUTTON_TYPES = [
  'default',
  'primary',
  'danger',
  'text',
  'primary_text',
  'danger_text',
  'primary_filled',
  'danger_filled',
  'laser',
] as const;
/** 输入框 max_length 「最大值为 1000」, also what an input takes when the card sets none. */
export const INPUT_MAX_LENGTH = 1000;

const COMMON = ['tag', 'element_id', 'margin'];
const WIDTH = /^(default|fill|\d+px)$/;
const SELECT_COMMON = [
  ...COMMON,
  'type',
  'name',
  'required',
  'disabled',
  'placeholder',
  'width',
  'options',
  'behaviors',
  'confirm',
];

export const COMPONENTS: Record<string, ComponentSpec> = {
  markdown: {
    doc: CARD_DOCS.markdown,
    props: [...COMMON, 'content', 'i18n_content', 'text_align', 'text_size', 'icon'],
    enums: { text_align: ['left', 'center', 'right'] },
    required: ['content'],
  },
  hr: { doc: CARD_DOCS.hr, props: [...COMMON] },
  chart: {
    doc: CARD_DOCS.chart,
    props: [...COMMON, 'chart_spec', 'aspect_ratio', 'color_theme', 'preview', 'height'],
    enums: {
      aspect_ratio: ['1:1', '2:1', '4:3', '16:9'],
      color_theme: ['brand', 'rainbow', 'complementary', 'converse', 'primary'],
    },
    required: ['chart_spec'],
  },
  column_set: {
    doc: CARD_DOCS.columnSet,
    props: [
      ...COMMON,
      'horizontal_spacing',
      'horizontal_align',
      'flex_mode',
      'background_style',
      'columns',
      'action',
    ],
    enums: {
      flex_mode: ['none', 'stretch', 'flow', 'bisect', 'trisect'],
      horizontal_align: ['left', 'center', 'right'],
    },
    children: ['columns'],
  },
  column: {
    doc: CARD_DOCS.columnSet,
    props: [
      ...COMMON,
      'background_style',
      'width',
      'weight',
      'horizontal_spacing',
      'horizontal_align',
      'vertical_align',
      'vertical_spacing',
      'direction',
      'padding',
      'elements',
      'action',
    ],
    enums: { vertical_align: ['top', 'center', 'bottom'], horizontal_align: ['left', 'center', 'right'] },
    ranges: { weight: [1, 5] },
    children: ['elements'],
    width: /^(auto|weighted|\d+px)$/,
  },
  form: {
    doc: CARD_DOCS.form,
    props: [
      ...COMMON,
      'name',
      'elements',
      'direction',
      'padding',
      'horizontal_spacing',
      'horizontal_align',
      'vertical_spacing',
      'vertical_align',
    ],
    required: ['name'],
    children: ['elements'],
  },
  button: {
    doc: CARD_DOCS.button,
    props: [
      ...COMMON,
      'type',
      'size',
      'width',
      'text',
      'i18n_text',
      'icon',
      'hover_tips',
      'disabled',
      'disabled_tips',
      'confirm',
      'behaviors',
      'name',
      'form_action_type',
    ],
    enums: {
      type: BUTTON_TYPES,
      size: ['tiny', 'small', 'medium', 'large'],
      form_action_type: ['submit', 'reset'],
    },
    required: ['text'],
  },
  input: {
    doc: CARD_DOCS.input,
    props: [
      ...COMMON,
      'name',
      'required',
      'disabled',
      'disabled_tips',
      'placeholder',
      'default_value',
      'width',
      'max_length',
      'input_type',
      'show_icon',
      'rows',
      'auto_resize',
      'max_rows',
      'label',
      'label_position',
      'value',
      'behaviors',
      'confirm',
      'fallback',
    ],
    enums: { input_type: ['text', 'multiline_text', 'password'], label_position: ['top', 'left'] },
    ranges: { max_length: [1, INPUT_MAX_LENGTH], rows: [1, 100], max_rows: [1, 100] },
    formField: true,
  },
  select_static: {
    doc: CARD_DOCS.selectStatic,
    props: [...SELECT_COMMON, 'initial_option', 'initial_index'],
    enums: { type: ['default', 'text'] },
    formField: true,
  },
  multi_select_static: {
    doc: CARD_DOCS.multiSelectStatic,
    props: [...SELECT_COMMON, 'selected_values'],
    enums: { type: ['default', 'text'] },
    formField: true,
  },
  select_person: {
    doc: CARD_DOCS.selectPerson,
    props: [...SELECT_COMMON, 'initial_option'],
    enums: { type: ['default', 'text'] },
    formField: true,
  },
  multi_select_person: {
    doc: CARD_DOCS.multiSelectPerson,
    props: [...SELECT_COMMON, 'selected_values'],
    enums: { type: ['default', 'text'] },
    formField: true,
  },
  date_picker: {
    doc: CARD_DOCS.datePicker,
    props: [
      ...COMMON,
      'name',
      'required',
      'disabled',
      'width',
      'initial_date',
      'placeholder',
      'value',
      'confirm',
      'behaviors',
    ],
    formField: true,
  },
};

/** Every component tag JSON 2.0 documents (组件概述); the ones this product sends are specified in COMPONENTS. */
const V2_TAGS = new Set([
  'column_set',
  'column',
  'form',
  'interactive_container',
  'collapsible_panel',
  'markdown',
  'div',
  'img',
  'img_combination',
  'hr',
  'chart',
  'table',
  'person',
  'person_list',
  'audio',
  'button',
  'overflow',
  'input',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'select_img',
  'date_picker',
  'picker_time',
  'picker_datetime',
  'checker',
]);

/** 标题 template: the header colours. */
export const HEADER_TEMPLATES = [
  'blue',
  'wathet',
  'turquoise',
  'green',
  'yellow',
  'orange',
  'red',
  'carmine',
  'violet',
  'purple',
  'indigo',
  'grey',
  'default',
] as const;
/** 标题 text_tag_list[].color: the text tag colours (no `grey`: it is `neutral`). */
export const TEXT_TAG_COLORS = [
  'neutral',
  'blue',
  'turquoise',
  'lime',
  'orange',
  'violet',
  'indigo',
  'wathet',
  'green',
  'yellow',
  'red',
  'purple',
  'carmine',
] as const;

export interface Visit {
  node: Obj;
  /** What the component's page documents, for a tag this product sends. */
  spec: ComponentSpec | undefined;
  path: string;
  /** The tags of the containers around it, outermost first (`body` for the card body). */
  within: string[];
}

/** Every component of the card body in document order, with where it stands. */
function components(card: Obj): Visit[] {
  const out: Visit[] = [];
  const walk = (list: unknown, path: string, within: string[]) => {
    if (!Array.isArray(list)) return;
    for (const [i, node] of (list as unknown[]).entries()) {
      const p = `${path}[${i}]`;
      if (!isObj(node)) {
        out.push({ node: { tag: undefined }, spec: undefined, path: p, within });
        continue;
      }
      const spec = isStr(node.tag) ? COMPONENTS[node.tag] : undefined;
      out.push({ node, spec, path: p, within });
      for (const key of spec?.children ?? []) walk(node[key], `${p}.${key}`, [...within, node.tag as string]);
    }
  };
  const body = card.body;
  if (isObj(body)) walk(body.elements, 'body.elements', ['body']);
  return out;
}

const finding = (rule: string, path: string, detail: string): CardFinding => ({ rule, path, detail });

function textObject(rule: string, v: unknown, path: string): CardFinding[] {
  if (!isObj(v)) return [finding(rule, path, 'text must be an object')];
  if (v.tag !== 'plain_text' && v.tag !== 'lark_md')
    return [finding(rule, `${path}.tag`, `text tag must be plain_text or lark_md, not ${String(v.tag)}`)];
  if (!isStr(v.content) && !isObj(v.i18n_content))
    return [finding(rule, `${path}.content`, 'text has no content')];
  return [];
}

export const CARD_RULES: CardRule[] = [
  {
    id: 'card-root',
    doc: CARD_DOCS.structure,
    code: CARD_CONTENT_CODE,
    check(card) {
      const out: CardFinding[] = [];
      if (card.schema !== '2.0')
        out.push(finding('card-root', 'schema', 'a JSON 2.0 card declares "schema":"2.0"'));
      for (const k of Object.keys(card))
        if (!['schema', 'config', 'card_link', 'header', 'body'].includes(k))
          out.push(finding('card-root', k, `unsupported card property ${k}`));
      if (!isObj(card.body) || !Array.isArray(card.body.elements))
        out.push(finding('card-root', 'body.elements', 'a 2.0 card puts its components in body.elements'));
      return out;
    },
  },
  {
    id: 'update-multi',
    doc: CARD_DOCS.breaking,
    code: CARD_CONTENT_CODE,
    check(card) {
      const config = card.config;
      if (config === undefined) return [];
      if (!isObj(config)) return [finding('update-multi', 'config', 'config must be an object')];
      const allowed = [
        'update_multi',
        'streaming_mode',
        'streaming_config',
        'summary',
        'locales',
        'enable_forward',
        'enable_forward_interaction',
        'width_mode',
        'use_custom_translation',
        'style',
      ];
      const out = Object.keys(config)
        .filter((k) => !allowed.includes(k))
        .map((k) => finding('update-multi', `config.${k}`, `unsupported config property ${k}`));
      // 「update_multi 参数仅支持设为 true」: 2.0 cards are shared cards only.
      if ('update_multi' in config && config.update_multi !== true)
        out.push(finding('update-multi', 'config.update_multi', 'JSON 2.0 supports only update_multi: true'));
      return out;
    },
  },
  {
    id: 'header',
    doc: CARD_DOCS.title,
    code: CARD_CONTENT_CODE,
    check(card) {
      const h = card.header;
      if (h === undefined) return [];
      if (!isObj(h)) return [finding('header', 'header', 'header must be an object')];
      const out: CardFinding[] = [];
      for (const k of Object.keys(h))
        if (
          ![
            'title',
            'subtitle',
            'text_tag_list',
            'i18n_text_tag_list',
            'template',
            'icon',
            'padding',
          ].includes(k)
        )
          out.push(finding('header', `header.${k}`, `unsupported header property ${k}`));
      out.push(...textObject('header', h.title, 'header.title'));
      if (h.subtitle !== undefined) out.push(...textObject('header', h.subtitle, 'header.subtitle'));
      if (h.template !== undefined && !(HEADER_TEMPLATES as readonly unknown[]).includes(h.template))
        out.push(finding('header', 'header.template', `unknown header template ${String(h.template)}`));
      const tags = h.text_tag_list;
      if (tags !== undefined) {
        if (!Array.isArray(tags)) out.push(finding('header', 'header.text_tag_list', 'must be an array'));
        else {
          if (tags.length > 3) out.push(finding('header', 'header.text_tag_list', 'at most 3 text tags'));
          for (const [i, t] of (tags as unknown[]).entries()) {
            const p = `header.text_tag_list[${i}]`;
            if (!isObj(t) || t.tag !== 'text_tag') {
              out.push(finding('header', p, 'must be a text_tag'));
              continue;
            }
            out.push(...textObject('header', t.text, `${p}.text`));
            if (t.color !== undefined && !(TEXT_TAG_COLORS as readonly unknown[]).includes(t.color))
              out.push(finding('header', `${p}.color`, `unknown text tag colour ${String(t.color)}`));
          }
        }
      }
      return out;
    },
  },
  {
    id: 'known-tag',
    doc: `${V2}/component-json-v2-overview`,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      return parts
        .filter((v) => !isStr(v.node.tag) || !V2_TAGS.has(v.node.tag))
        .map((v) => finding('known-tag', `${v.path}.tag`, `unknown component tag ${String(v.node.tag)}`));
    },
  },
  {
    id: 'properties',
    doc: CARD_DOCS.breaking,
    code: CARD_CONTENT_CODE,
    // 「在 JSON 2.0 版本中，传入不支持的属性将报错」
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, spec, path } of parts) {
        if (!spec) continue;
        for (const k of Object.keys(node))
          if (!spec.props.includes(k))
            out.push(finding('properties', `${path}.${k}`, `${node.tag} has no property ${k}`));
        for (const k of spec.required ?? [])
          if (node[k] === undefined)
            out.push(finding('properties', `${path}.${k}`, `${node.tag} needs ${k}`));
      }
      return out;
    },
  },
  {
    id: 'enum-values',
    doc: `${V2}/component-json-v2-overview`,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, spec, path } of parts) {
        for (const [k, values] of Object.entries(spec?.enums ?? {}))
          if (node[k] !== undefined && !values.includes(node[k] as string))
            out.push(
              finding('enum-values', `${path}.${k}`, `${node.tag}.${k} cannot be ${JSON.stringify(node[k])}`),
            );
        const w = node.width;
        if (spec?.props.includes('width') && w !== undefined && !(isStr(w) && (spec.width ?? WIDTH).test(w)))
          out.push(
            finding('enum-values', `${path}.width`, `${node.tag}.width cannot be ${JSON.stringify(w)}`),
          );
      }
      return out;
    },
  },
  {
    id: 'numeric-range',
    doc: CARD_DOCS.input,
    code: CARD_CONTENT_CODE,
    // e.g. 输入框 max_length 「最大值为 1000」, 分栏 weight 1–5.
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, spec, path } of parts) {
        for (const [k, [lo, hi]] of Object.entries(spec?.ranges ?? {})) {
          const v = node[k];
          if (v === undefined) continue;
          if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
            out.push(
              finding(
                'numeric-range',
                `${path}.${k}`,
                `${node.tag}.${k} must be an integer in [${lo}, ${hi}], not ${JSON.stringify(v)}`,
              ),
            );
        }
      }
      return out;
    },
  },
  {
    id: 'placement',
    doc: CARD_DOCS.form,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, path, within } of parts) {
        const parent = within.at(-1);
        const inForm = within.includes('form');
        if (node.tag === 'form' && parent !== 'body')
          out.push(
            finding(
              'placement',
              path,
              'a form stands at the root of the card body, never inside another container',
            ),
          );
        if (node.tag === 'column' && parent !== 'column_set')
          out.push(finding('placement', path, 'a column stands only in a column_set'));
        if (parent === 'column_set' && node.tag !== 'column')
          out.push(finding('placement', path, 'a column_set holds only columns'));
        if (node.form_action_type !== undefined && !inForm)
          out.push(
            finding(
              'placement',
              `${path}.form_action_type`,
              'a submit or reset button stands only in a form',
            ),
          );
        if (node.required !== undefined && !inForm)
          out.push(finding('placement', `${path}.required`, 'required is available only inside a form'));
      }
      return out;
    },
  },
  {
    id: 'form-names',
    doc: CARD_DOCS.form,
    code: CARD_CONTENT_CODE,
    // Inside a form every field (and its buttons) needs a name, unique in the whole card.
    check(_card, parts) {
      const out: CardFinding[] = [];
      const seen = new Map<string, string>();
      for (const { node, spec, path, within } of parts) {
        const inForm = within.includes('form');
        const needsName = inForm && (spec?.formField || node.tag === 'button');
        if (needsName && !(isStr(node.name) && node.name !== ''))
          out.push(finding('form-names', `${path}.name`, `${node.tag} in a form needs a name`));
        if (isStr(node.name)) {
          const first = seen.get(node.name);
          if (first)
            out.push(finding('form-names', `${path}.name`, `name ${node.name} is already used at ${first}`));
          else seen.set(node.name, path);
        }
      }
      return out;
    },
  },
  {
    id: 'options',
    doc: CARD_DOCS.multiSelectStatic,
    code: CARD_CONTENT_CODE,
    // Options carry a string value, unique in the component; preselection is a string (list).
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, path } of parts) {
        const tag = node.tag;
        if (!isStr(tag) || !/select_(static|person)$/.test(tag)) continue;
        const person = tag.endsWith('person');
        const opts = node.options;
        if (opts !== undefined && !Array.isArray(opts)) {
          out.push(finding('options', `${path}.options`, 'options must be an array'));
          continue;
        }
        const values: string[] = [];
        for (const [i, o] of ((opts ?? []) as unknown[]).entries()) {
          const p = `${path}.options[${i}]`;
          if (!isObj(o) || !isStr(o.value)) {
            out.push(finding('options', p, 'an option needs a string value'));
            continue;
          }
          if (!person) out.push(...textObject('options', o.text, `${p}.text`));
          if (values.includes(o.value))
            out.push(finding('options', `${p}.value`, `duplicate option value ${o.value}`));
          values.push(o.value);
        }
        if (node.initial_option !== undefined && !isStr(node.initial_option))
          out.push(finding('options', `${path}.initial_option`, 'initial_option is a string'));
        if (
          node.selected_values !== undefined &&
          !(Array.isArray(node.selected_values) && node.selected_values.every(isStr))
        )
          out.push(finding('options', `${path}.selected_values`, 'selected_values is an array of strings'));
      }
      return out;
    },
  },
  {
    id: 'texts',
    doc: CARD_DOCS.button,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, path } of parts) {
        for (const k of ['text', 'placeholder', 'label', 'disabled_tips', 'hover_tips'])
          if (node[k] !== undefined && node.tag !== 'markdown')
            out.push(...textObject('texts', node[k], `${path}.${k}`));
        if (isObj(node.confirm)) {
          out.push(...textObject('texts', node.confirm.title, `${path}.confirm.title`));
          out.push(...textObject('texts', node.confirm.text, `${path}.confirm.text`));
        } else if (node.confirm !== undefined)
          out.push(finding('texts', `${path}.confirm`, 'confirm must be an object'));
        if (node.tag === 'markdown' && !isStr(node.content))
          out.push(finding('texts', `${path}.content`, 'markdown content is a string'));
      }
      return out;
    },
  },
  {
    id: 'behaviors',
    doc: CARD_DOCS.button,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      const out: CardFinding[] = [];
      for (const { node, path } of parts) {
        if (node.behaviors === undefined) continue;
        if (!Array.isArray(node.behaviors)) {
          out.push(finding('behaviors', `${path}.behaviors`, 'behaviors must be an array'));
          continue;
        }
        for (const [i, b] of (node.behaviors as unknown[]).entries()) {
          const p = `${path}.behaviors[${i}]`;
          if (!isObj(b)) {
            out.push(finding('behaviors', p, 'a behavior is an object'));
            continue;
          }
          if (b.type === 'callback') {
            if (!isObj(b.value) && !isStr(b.value))
              out.push(finding('behaviors', `${p}.value`, 'a callback carries a value'));
          } else if (b.type === 'open_url') {
            if (!isStr(b.default_url))
              out.push(finding('behaviors', `${p}.default_url`, 'open_url needs default_url'));
          } else if (b.type !== 'form')
            out.push(finding('behaviors', `${p}.type`, `unknown behavior ${String(b.type)}`));
        }
      }
      return out;
    },
  },
  {
    id: 'date-format',
    doc: CARD_DOCS.datePicker,
    code: CARD_CONTENT_CODE,
    check(_card, parts) {
      return parts
        .filter(({ node }) => node.tag === 'date_picker' && node.initial_date !== undefined)
        .filter(({ node }) => !(isStr(node.initial_date) && /^\d{4}-\d{2}-\d{2}$/.test(node.initial_date)))
        .map(({ node, path }) =>
          finding(
            'date-format',
            `${path}.initial_date`,
            `initial_date is yyyy-MM-dd, not ${JSON.stringify(node.initial_date)}`,
          ),
        );
    },
  },
  {
    id: 'component-count',
    doc: CARD_DOCS.structure,
    code: CARD_CONTENT_CODE,
    check(_card, all) {
      const out: CardFinding[] = [];
      if (all.length > CARD_MAX_COMPONENTS)
        out.push(
          finding(
            'component-count',
            'body.elements',
            `${all.length} components, at most ${CARD_MAX_COMPONENTS}`,
          ),
        );
      const charts = all.filter((v) => v.node.tag === 'chart').length;
      if (charts > CARD_MAX_CHARTS)
        out.push(finding('component-count', 'body.elements', `${charts} charts, at most ${CARD_MAX_CHARTS}`));
      return out;
    },
  },
];

/** A card broke the rules: what Feishu answers (code and msg) and every finding. */
export interface CardRefusal {
  code: number;
  msg: string;
  findings: CardFinding[];
}

export function cardBytes(card: Json): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Runs every rule; `undefined` when Feishu would take the card. */
export function checkCard(card: Json): CardRefusal | undefined {
  const bytes = cardBytes(card);
  if (bytes > CARD_MAX_BYTES) {
    return {
      code: CARD_SIZE_CODE,
      msg: 'The length of the message content reaches its limit.',
      findings: [finding('size', '', `card is ${bytes} bytes, at most ${CARD_MAX_BYTES}`)],
    };
  }
  if (!isObj(card)) {
    return {
      code: CARD_CONTENT_CODE,
      msg: 'Failed to create card content, ext=ErrCode: 11310; ErrMsg: card is not an object; ErrorValue: ; ',
      findings: [finding('card-root', '', 'a card is a JSON object')],
    };
  }
  const parts = components(card);
  const findings = CARD_RULES.flatMap((r) => r.check(card, parts));
  const first = findings[0];
  if (!first) return undefined;
  return {
    code: CARD_CONTENT_CODE,
    msg: `Failed to create card content, ext=ErrCode: 11310; ErrMsg: ${first.detail}; ErrorValue: ${first.path}; `,
    findings,
  };
}
