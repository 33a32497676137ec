import type { EmulatedUser } from './emulator-state';

/** What every schema-2.0 header carries besides the event type. */
export interface EnvelopeHeaderInput {
  eventId: string;
  createTimeMs: number;
  token: string;
  appId: string;
  tenantKey: string;
}

export interface Envelope {
  schema: '2.0';
  header: {
    event_id: string;
    event_type: string;
    create_time: string;
    token: string;
    app_id: string;
    tenant_key: string;
  };
  event: Record<string, unknown>;
}

export interface MentionInput {
  openId: string;
  name: string;
  unionId: string;
  userId: string;
}

// Field order follows the fixtures, so a JSON dump of an emulated envelope reads like the platform's.
export function envelope(
  eventType: string,
  event: Record<string, unknown>,
  h: EnvelopeHeaderInput,
): Envelope {
  return {
    schema: '2.0',
    header: {
      event_id: h.eventId,
      event_type: eventType,
      create_time: String(h.createTimeMs),
      token: h.token,
      app_id: h.appId,
      tenant_key: h.tenantKey,
    },
    event,
  };
}

export function userIdBlock(u: Pick<EmulatedUser, 'openId' | 'userId' | 'unionId'>) {
  return { union_id: u.unionId, user_id: u.userId, open_id: u.openId };
}

/**
 * Text content and mention list as the platform builds them: the bot's mention first, then the text,
 * then the other mentions, each as an `@_user_N` key. Text that already holds `@_user_N` keys is kept as is.
 */
export function textWithMentions(
  text: string,
  bot: MentionInput | undefined,
  others: MentionInput[],
  tenantKey: string,
): { content: string; mentions: Record<string, unknown>[] } {
  const all = [...(bot ? [bot] : []), ...others];
  const mentions = all.map((m, i) => ({
    key: `@_user_${i + 1}`,
    id: { union_id: m.unionId, user_id: m.userId, open_id: m.openId },
    name: m.name,
    tenant_key: tenantKey,
  }));
  let body = text;
  if (!/@_user_\d+/.test(text)) {
    const keys = mentions.map((m) => m.key);
    const botKey = bot ? keys.shift() : undefined;
    body = [botKey, text, ...keys].filter((s): s is string => s !== undefined && s !== '').join(' ');
  }
  return { content: JSON.stringify({ text: body }), mentions };
}

export interface ReceiveMessageInput {
  sender: EmulatedUser;
  tenantKey: string;
  messageId: string;
  createTimeMs: number;
  chatId: string;
  chatType: 'p2p' | 'group';
  messageType: string;
  content: string;
  mentions?: Record<string, unknown>[];
}

export function messageReceiveEvent(m: ReceiveMessageInput): Record<string, unknown> {
  const message: Record<string, unknown> = {
    message_id: m.messageId,
    root_id: '',
    parent_id: '',
    create_time: String(m.createTimeMs),
    update_time: String(m.createTimeMs),
    chat_id: m.chatId,
    thread_id: '',
    chat_type: m.chatType,
    message_type: m.messageType,
    content: m.content,
    user_agent: 'Mozilla/5.0 Lark/7.30',
  };
  if (m.mentions && m.mentions.length > 0) message.mentions = m.mentions;
  return {
    sender: { sender_id: userIdBlock(m.sender), sender_type: 'user', tenant_key: m.tenantKey },
    message,
  };
}

export interface CardActionInput {
  operator: EmulatedUser;
  tenantKey: string;
  token: string;
  messageId: string;
  chatId: string;
  value: Record<string, unknown>;
  formValue?: Record<string, unknown>;
  tag?: string;
  name?: string;
}

export function cardActionEvent(c: CardActionInput): Record<string, unknown> {
  const action: Record<string, unknown> = {
    value: c.value,
    tag: c.tag ?? 'button',
    timezone: 'Asia/Shanghai',
  };
  if (c.name !== undefined) action.name = c.name;
  if (c.formValue !== undefined) action.form_value = c.formValue;
  return {
    operator: {
      tenant_key: c.tenantKey,
      user_id: c.operator.userId,
      open_id: c.operator.openId,
      union_id: c.operator.unionId,
    },
    token: c.token,
    action,
    host: 'im_message',
    context: { open_message_id: c.messageId, open_chat_id: c.chatId },
  };
}

export function p2pEnteredEvent(
  chatId: string,
  operator: EmulatedUser,
  last: { messageId: string; createTimeMs: number } | undefined,
): Record<string, unknown> {
  return {
    chat_id: chatId,
    operator_id: userIdBlock(operator),
    last_message_id: last?.messageId ?? '',
    last_message_create_time: last ? String(last.createTimeMs) : '',
  };
}

export function botMembershipEvent(
  chatId: string,
  chatName: string,
  operator: EmulatedUser,
  tenantKey: string,
): Record<string, unknown> {
  return {
    chat_id: chatId,
    operator_id: userIdBlock(operator),
    external: false,
    operator_tenant_key: tenantKey,
    name: chatName,
    i18n_names: { zh_cn: chatName },
  };
}

export function botMenuEvent(
  operator: EmulatedUser,
  eventKey: string,
  nowMs: number,
): Record<string, unknown> {
  return {
    operator: { operator_name: operator.name, operator_id: userIdBlock(operator) },
    event_key: eventKey,
    timestamp: Math.floor(nowMs / 1000),
  };
}
