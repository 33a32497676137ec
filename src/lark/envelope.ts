import { z } from 'zod';

export type EventEnvelope = {
  schema: '2.0';
  header: {
    event_id: string;
    event_type: string;
    create_time?: string;
    token?: string;
    app_id?: string;
    tenant_key?: string;
  };
  event: unknown;
};

// Loose objects: the platform adds fields over time and the envelope must pass through untouched.
export const eventEnvelopeSchema = z.looseObject({
  schema: z.literal('2.0'),
  header: z.looseObject({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    create_time: z.string().optional(),
    token: z.string().optional(),
    app_id: z.string().optional(),
    tenant_key: z.string().optional(),
  }),
  event: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<EventEnvelope>;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const OPTIONAL_HEADER_STRINGS = ['create_time', 'token', 'app_id', 'tenant_key'] as const;

/**
 * The envelope check of `eventEnvelopeSchema`, written out for the webhook's hot path (zod's pass over
 * every event was a twentieth of an acknowledgement). `test/lark/envelope.test.ts` holds the two to the
 * same answer over generated inputs. The value passes through untouched.
 */
export function asEventEnvelope(v: unknown): EventEnvelope | null {
  if (!isPlainObject(v) || v.schema !== '2.0') return null;
  const { header, event } = v;
  if (!isPlainObject(header) || !isPlainObject(event)) return null;
  if (typeof header.event_id !== 'string' || header.event_id.length === 0) return null;
  if (typeof header.event_type !== 'string' || header.event_type.length === 0) return null;
  for (const k of OPTIONAL_HEADER_STRINGS)
    if (header[k] !== undefined && typeof header[k] !== 'string') return null;
  return v as EventEnvelope;
}

export interface IncomingMessage {
  messageId: string;
  chatId: string;
  chatType: 'p2p' | 'group';
  senderOpenId: string;
  senderType?: string;
  kind: 'text' | 'post' | 'file' | 'image' | 'other';
  /** Plain text; a post flattened; mention placeholders like @_user_1 removed. */
  text: string;
  mentions: { key: string; openId: string; name: string }[];
  file?: { fileKey: string; fileName: string };
  imageKey?: string;
}

export interface CardAction {
  operatorOpenId: string;
  token?: string;
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  tag?: string;
  name?: string;
  option?: string;
  inputValue?: string;
  checked?: boolean;
  messageId?: string;
  chatId?: string;
}

export type CardResponse = {
  toast?: { type: 'success' | 'info' | 'warning' | 'error'; content: string };
  card?: { type: 'raw'; data: unknown };
};

const record = z.record(z.string(), z.unknown());
const openIdHolder = z.object({ open_id: z.string().min(1) });

export const messageEventSchema = z.object({
  sender: z.object({ sender_id: openIdHolder, sender_type: z.string().optional() }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    mentions: z
      .array(
        z.object({
          key: z.string(),
          id: z.object({ open_id: z.string().optional() }).optional(),
          name: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/** Lark's payloads nest a few levels; anything far deeper is hostile and would overflow recursive code later. */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON text nests objects and arrays at most `max` deep; one pass, no recursion. */
export function jsonDepthWithin(text: string, max = MAX_JSON_DEPTH): boolean {
  // No deeper than it has brackets: counting them (natively, by indexOf) settles nearly every payload, and
  // the character-by-character pass below was a twelfth of an acknowledgement.
  if (fewBrackets(text, max)) return true;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}

/** Whether `text` has at most `max` opening brackets, in strings or not. */
function fewBrackets(text: string, max: number): boolean {
  let n = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1))
      if (++n > max) return false;
  }
  return true;
}

/** A JSON object, or null for anything else (invalid JSON, arrays, scalars). */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!jsonDepthWithin(text)) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function stripMentions(text: string, keys: string[]): string {
  let out = text;
  for (const key of keys) if (key) out = out.split(key).join(' ');
  // Placeholders can appear without a mentions entry (e.g. @_all), so sweep the pattern too.
  out = out.replace(/@_user_\d+|@_all/g, ' ');
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0\u3000]+/g, ' ').trim())
    .join('\n')
    .trim();
}

type PostElement = { tag?: unknown; text?: unknown };

function flattenPost(content: Record<string, unknown>): string {
  // Received posts are usually bare {title, content}; sent-style ones are wrapped in a locale key.
  let body = content;
  if (!Array.isArray(body.content)) {
    const localized = Object.values(content).find(
      (v) => typeof v === 'object' && v !== null && Array.isArray((v as Record<string, unknown>).content),
    );
    if (localized) body = localized as Record<string, unknown>;
  }
  const lines: string[] = [];
  if (typeof body.title === 'string' && body.title.trim()) lines.push(body.title.trim());
  const paragraphs = Array.isArray(body.content) ? body.content : [];
  for (const paragraph of paragraphs) {
    if (!Array.isArray(paragraph)) continue;
    const parts: string[] = [];
    for (const el of paragraph as PostElement[]) {
      if (typeof el !== 'object' || el === null) continue;
      if (['text', 'a', 'code_block', 'md'].includes(String(el.tag)) && typeof el.text === 'string') {
        parts.push(el.text);
      }
    }
    lines.push(parts.join(''));
  }
  return lines.join('\n');
}

type MessageEvent = z.infer<typeof messageEventSchema>;

const optionalString = (v: unknown) => v === undefined || typeof v === 'string';
const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;

/**
 * `messageEventSchema` written out: every message is parsed before it is recorded (to see whether it
 * belongs to an anonymous report), and zod's pass was a twentieth of an acknowledgement. The value is
 * read, not copied; `test/lark/envelope.test.ts` holds the two to the same answer over generated inputs.
 */
export function asMessageEvent(event: unknown): MessageEvent | null {
  if (!isPlainObject(event)) return null;
  const { sender, message } = event;
  if (!isPlainObject(sender) || !isPlainObject(sender.sender_id) || !nonEmpty(sender.sender_id.open_id))
    return null;
  if (!optionalString(sender.sender_type) || !isPlainObject(message)) return null;
  if (!nonEmpty(message.message_id) || !nonEmpty(message.chat_id)) return null;
  if (typeof message.chat_type !== 'string' || typeof message.message_type !== 'string') return null;
  if (typeof message.content !== 'string') return null;
  const { mentions } = message;
  if (mentions !== undefined) {
    if (!Array.isArray(mentions)) return null;
    for (const m of mentions) {
      if (!isPlainObject(m) || typeof m.key !== 'string' || !optionalString(m.name)) return null;
      if (m.id !== undefined && !(isPlainObject(m.id) && optionalString(m.id.open_id))) return null;
    }
  }
  return event as MessageEvent;
}

export function parseMessageEvent(event: unknown): IncomingMessage | null {
  const parsed = asMessageEvent(event);
  if (!parsed) return null;
  const { sender, message } = parsed;
  const mentions = (message.mentions ?? []).flatMap((m) =>
    m.id?.open_id ? [{ key: m.key, openId: m.id.open_id, name: m.name ?? '' }] : [],
  );
  const mentionKeys = (message.mentions ?? []).map((m) => m.key);
  const content = parseJsonObject(message.content) ?? {};
  const base = {
    messageId: message.message_id,
    chatId: message.chat_id,
    chatType: message.chat_type === 'p2p' ? ('p2p' as const) : ('group' as const),
    senderOpenId: sender.sender_id.open_id,
    ...(sender.sender_type !== undefined ? { senderType: sender.sender_type } : {}),
    mentions,
  };
  switch (message.message_type) {
    case 'text':
      return {
        ...base,
        kind: 'text',
        text: stripMentions(typeof content.text === 'string' ? content.text : '', mentionKeys),
      };
    case 'post':
      return { ...base, kind: 'post', text: stripMentions(flattenPost(content), mentionKeys) };
    case 'file':
    case 'media': {
      // A video (body-camera footage) is evidence like any file.
      const fileKey = typeof content.file_key === 'string' ? content.file_key : '';
      if (!fileKey) return { ...base, kind: 'other', text: '' };
      const fallback = message.message_type === 'media' ? '视频' : '';
      const fileName =
        typeof content.file_name === 'string' && content.file_name ? content.file_name : fallback;
      return { ...base, kind: 'file', text: '', file: { fileKey, fileName } };
    }
    case 'image': {
      const imageKey = typeof content.image_key === 'string' ? content.image_key : '';
      if (!imageKey) return { ...base, kind: 'other', text: '' };
      return { ...base, kind: 'image', text: '', imageKey };
    }
    default:
      return { ...base, kind: 'other', text: '' };
  }
}

const actionSchema = z.object({
  value: record.optional(),
  tag: z.string().optional(),
  name: z.string().optional(),
  form_value: record.optional(),
  option: z.string().optional(),
  input_value: z.string().optional(),
  checked: z.boolean().optional(),
});

type ActionFields = z.infer<typeof actionSchema>;

function cardActionFrom(
  action: ActionFields,
  rest: { operatorOpenId: string; token?: string | undefined; messageId?: string; chatId?: string },
): CardAction {
  const out: CardAction = { operatorOpenId: rest.operatorOpenId, value: action.value ?? {} };
  if (rest.token) out.token = rest.token;
  if (action.form_value !== undefined) out.formValue = action.form_value;
  if (action.tag !== undefined) out.tag = action.tag;
  if (action.name !== undefined) out.name = action.name;
  if (action.option !== undefined) out.option = action.option;
  if (action.input_value !== undefined) out.inputValue = action.input_value;
  if (action.checked !== undefined) out.checked = action.checked;
  if (rest.messageId) out.messageId = rest.messageId;
  if (rest.chatId) out.chatId = rest.chatId;
  return out;
}

const cardEventSchema = z.object({
  operator: openIdHolder,
  token: z.string().optional(),
  action: actionSchema,
  context: z
    .object({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() })
    .optional(),
});

/** Schema-2.0 `card.action.trigger`. */
export function parseCardAction(event: unknown): CardAction | null {
  const parsed = cardEventSchema.safeParse(event);
  if (!parsed.success) return null;
  const { operator, token, action, context } = parsed.data;
  return cardActionFrom(action, {
    operatorOpenId: operator.open_id,
    token,
    ...(context?.open_message_id ? { messageId: context.open_message_id } : {}),
    ...(context?.open_chat_id ? { chatId: context.open_chat_id } : {}),
  });
}

const legacyCardSchema = z.object({
  open_id: z.string().min(1),
  token: z.string().optional(),
  open_message_id: z.string().optional(),
  open_chat_id: z.string().optional(),
  action: actionSchema,
});

/** Old-style `card.action.trigger_v1` body (no schema, fields at the top level). */
export function parseLegacyCardAction(body: Record<string, unknown>): CardAction | null {
  const parsed = legacyCardSchema.safeParse(body);
  if (!parsed.success) return null;
  const { open_id, token, open_message_id, open_chat_id, action } = parsed.data;
  return cardActionFrom(action, {
    operatorOpenId: open_id,
    token,
    ...(open_message_id ? { messageId: open_message_id } : {}),
    ...(open_chat_id ? { chatId: open_chat_id } : {}),
  });
}

const p2pEnteredSchema = z.object({ chat_id: z.string().min(1), operator_id: openIdHolder });

export function parseP2pEntered(event: unknown): { chatId: string; openId: string } | null {
  const parsed = p2pEnteredSchema.safeParse(event);
  return parsed.success ? { chatId: parsed.data.chat_id, openId: parsed.data.operator_id.open_id } : null;
}

const botAddedSchema = z.object({
  chat_id: z.string().min(1),
  operator_id: z.object({ open_id: z.string().optional() }).optional(),
  name: z.string().optional(),
});

export function parseBotAdded(
  event: unknown,
): { chatId: string; operatorOpenId?: string; name?: string } | null {
  const parsed = botAddedSchema.safeParse(event);
  if (!parsed.success) return null;
  const out: { chatId: string; operatorOpenId?: string; name?: string } = { chatId: parsed.data.chat_id };
  if (parsed.data.operator_id?.open_id) out.operatorOpenId = parsed.data.operator_id.open_id;
  if (parsed.data.name) out.name = parsed.data.name;
  return out;
}

const menuSchema = z.object({
  event_key: z.string().min(1),
  operator: z.object({ operator_id: openIdHolder }),
});

export function parseMenu(event: unknown): { eventKey: string; operatorOpenId: string } | null {
  const parsed = menuSchema.safeParse(event);
  return parsed.success
    ? { eventKey: parsed.data.event_key, operatorOpenId: parsed.data.operator.operator_id.open_id }
    : null;
}
