/** A clickable button found in a card, as a user would see it. */
export interface CardButton {
  text: string;
  name?: string;
  value: Record<string, unknown>;
  /** The enclosing form's name when the button submits a form. */
  form?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function callbackValue(button: Record<string, unknown>): Record<string, unknown> | undefined {
  const behaviors = button.behaviors;
  if (Array.isArray(behaviors)) {
    const cb = behaviors.find((b) => isRecord(b) && b.type === 'callback');
    if (isRecord(cb) && isRecord(cb.value)) return cb.value;
  }
  return isRecord(button.value) ? button.value : undefined;
}

/** Every button of a card that calls back to the app, in document order. */
export function cardButtons(card: unknown): CardButton[] {
  const out: CardButton[] = [];
  const walk = (node: unknown, form: string | undefined): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, form);
      return;
    }
    if (!isRecord(node)) return;
    if (node.tag === 'button') {
      const value = callbackValue(node);
      const text = isRecord(node.text) && typeof node.text.content === 'string' ? node.text.content : '';
      if (value) {
        out.push({
          text,
          value,
          ...(typeof node.name === 'string' ? { name: node.name } : {}),
          ...(form !== undefined ? { form } : {}),
        });
      }
    }
    const inner = node.tag === 'form' && typeof node.name === 'string' ? node.name : form;
    for (const [k, v] of Object.entries(node)) if (k !== 'behaviors' && k !== 'value') walk(v, inner);
  };
  walk(card, undefined);
  return out;
}

/** What a card callback's answer asks the platform to show: a replacement card and/or a toast. */
export function readCallbackAnswer(json: unknown): {
  card?: unknown;
  toast?: { type: string; content: string };
} {
  if (!isRecord(json)) return {};
  const out: { card?: unknown; toast?: { type: string; content: string } } = {};
  const toast = json.toast;
  if (isRecord(toast) && typeof toast.content === 'string') {
    out.toast = { type: typeof toast.type === 'string' ? toast.type : 'info', content: toast.content };
  }
  const card = json.card;
  if (isRecord(card)) {
    if (card.type === 'raw' && isRecord(card.data)) out.card = card.data;
    else if (card.type === 'template') out.card = card;
  } else if (json.schema === '2.0' || Array.isArray(json.elements)) {
    out.card = json; // old-style callbacks answered with the card itself
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function hasButtonValue(card: unknown, value: Record<string, unknown>): boolean {
  return cardButtons(card).some((b) => deepEqual(b.value, value));
}
