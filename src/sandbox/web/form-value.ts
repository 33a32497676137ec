// What the Lark client does on a form submit: check required fields and lengths, and shape each field's value.
import { INPUT_MAX_LENGTH } from '../card-rules';
import type { Person } from './card-html';

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const textOf = (v: unknown): string => (typeof v === 'string' ? v : isRec(v) ? (str(v.content) ?? '') : '');

/** What the browser sends for one field: text, the chosen values, or a tick. */
export type RawFieldValue = string | string[] | boolean;

export type FormCollection = { ok: true; value: Record<string, unknown> } | { ok: false; problems: string[] };

const FIELD_TAGS = new Set([
  'input',
  'select_static',
  'multi_select_static',
  'select_person',
  'multi_select_person',
  'date_picker',
  'checker',
]);

/** Every named field of a form, in document order (columns included, nested forms not). */
export function formFields(form: unknown): Rec[] {
  const out: Rec[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!isRec(node)) return;
    if (typeof node.tag === 'string' && FIELD_TAGS.has(node.tag) && typeof node.name === 'string')
      out.push(node);
    if (node.tag === 'form') return;
    walk(node.elements);
    walk(node.columns);
  };
  walk(isRec(form) ? form.elements : undefined);
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRec(a) && isRec(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function callbackValue(b: Rec): Rec | undefined {
  for (const behaviour of arr(b.behaviors)) {
    if (isRec(behaviour) && behaviour.type === 'callback' && isRec(behaviour.value)) return behaviour.value;
  }
  return isRec(b.value) ? b.value : undefined;
}

/** The button of a card with this callback value (and name), with the form it submits, if it does. */
export function locateButton(
  card: unknown,
  value: unknown,
  name: string | undefined,
): { button: Rec; form?: Rec } | undefined {
  let found: { button: Rec; form?: Rec } | undefined;
  const walk = (node: unknown, form: Rec | undefined): void => {
    if (found) return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, form);
      return;
    }
    if (!isRec(node)) return;
    if (
      node.tag === 'button' &&
      deepEqual(callbackValue(node), value) &&
      (name === undefined || node.name === name)
    ) {
      found = {
        button: node,
        ...(form && node.form_action_type === 'submit' ? { form } : {}),
      };
      return;
    }
    const inner = node.tag === 'form' ? node : form;
    for (const [k, v] of Object.entries(node)) if (k !== 'behaviors' && k !== 'value') walk(v, inner);
  };
  walk(card, undefined);
  return found;
}

function isCalendarDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}

function labelOf(el: Rec): string {
  return textOf(el.label) || textOf(el.placeholder) || String(el.name);
}

function first(v: RawFieldValue | undefined): string | undefined {
  if (Array.isArray(v)) return v[0];
  return typeof v === 'string' ? v : undefined;
}

function many(v: RawFieldValue | undefined): string[] | undefined {
  if (Array.isArray(v)) return v.filter((x) => typeof x === 'string');
  return typeof v === 'string' ? (v === '' ? [] : [v]) : undefined;
}

function optionValues(el: Rec): string[] {
  return arr(el.options)
    .filter(isRec)
    .map((o) => str(o.value))
    .filter((v): v is string => v !== undefined);
}

function personValues(el: Rec, people: Person[]): string[] {
  const own = optionValues(el);
  return own.length > 0 ? own : people.map((p) => p.openId);
}

/**
 * The `form_value` a submit sends, from what the browser holds for each field; a field the browser did not
 * send keeps the card's initial value. Inputs are text ('' when empty), single choices are present only when
 * chosen, multiple choices are arrays, dates read `YYYY-MM-DD +0800`, checkers are booleans. A required field
 * left empty, text over its max_length, or a value the card does not offer stops the submit, as on Lark.
 */
export function collectFormValue(
  form: unknown,
  raw: Record<string, RawFieldValue>,
  opts: { people?: Person[] } = {},
): FormCollection {
  const value: Record<string, unknown> = {};
  const problems: string[] = [];
  const people = opts.people ?? [];
  for (const el of formFields(form)) {
    const name = el.name as string;
    const given = Object.hasOwn(raw, name) ? raw[name] : undefined;
    const label = labelOf(el);
    const required = el.required === true;
    switch (el.tag) {
      case 'input': {
        const typed = first(given) ?? str(el.default_value) ?? '';
        const max = typeof el.max_length === 'number' ? el.max_length : INPUT_MAX_LENGTH;
        if (required && typed.trim() === '') problems.push(`请填写「${label}」`);
        else if ([...typed].length > max) problems.push(`「${label}」不能超过 ${max} 个字`);
        value[name] = typed;
        break;
      }
      case 'select_static':
      case 'select_person': {
        const chosen = given === undefined ? str(el.initial_option) : first(given);
        const allowed = el.tag === 'select_person' ? personValues(el, people) : optionValues(el);
        if (chosen === undefined || chosen === '') {
          if (required) problems.push(`请选择「${label}」`);
        } else if (!allowed.includes(chosen)) problems.push(`「${label}」的选项无效，请重新选择`);
        else value[name] = chosen;
        break;
      }
      case 'multi_select_static':
      case 'multi_select_person': {
        const chosen =
          given === undefined
            ? arr(el.selected_values).filter((x): x is string => typeof x === 'string')
            : (many(given) ?? []);
        const allowed = el.tag === 'multi_select_person' ? personValues(el, people) : optionValues(el);
        const unique = [...new Set(chosen)];
        if (unique.some((c) => !allowed.includes(c))) problems.push(`「${label}」的选项无效，请重新选择`);
        else if (required && unique.length === 0) problems.push(`请选择「${label}」`);
        value[name] = unique.filter((c) => allowed.includes(c));
        break;
      }
      case 'date_picker': {
        const picked = given === undefined ? str(el.initial_date) : first(given);
        const date = picked?.trim().match(/^(\d{4}-\d{2}-\d{2})(?:\s+[+-]\d{4})?$/)?.[1];
        if (picked === undefined || picked.trim() === '') {
          if (required) problems.push(`请选择「${label}」`);
        } else if (!date || !isCalendarDate(date)) problems.push(`「${label}」不是有效日期`);
        else value[name] = `${date} +0800`;
        break;
      }
      case 'checker': {
        const checked =
          given === undefined ? el.checked === true : given === true || given === 'true' || given === 'on';
        if (required && !checked) problems.push(`请勾选「${textOf(el.text) || label}」`);
        value[name] = checked;
        break;
      }
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
