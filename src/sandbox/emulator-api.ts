import { checkCard } from './card-rules';
import { appFileContent, multipartField } from './emulator-files';
import type {
  ApiRoute,
  CardRefusalEntry,
  EmulatedChat,
  EmulatedDepartment,
  EmulatedMessage,
  EmulatedUser,
  EmulatorState,
  Fault,
} from './emulator-state';
import { ids, newTenantToken, stableHex } from './emulator-state';

/** A request as the Open API sees it; built by the HTTP shell, or by anything else that hosts the emulator. */
export interface ApiRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: Uint8Array;
}

export interface ApiResponse {
  status: number;
  code: number;
  route?: ApiRoute;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export interface ApiEnv {
  appId: string;
  appSecret: string;
  tenantKey: string;
  botOpenId: string;
  /** The emulated platform clock (message times, uuid window, card-token window). */
  now(): number;
  /** Token lifetimes run on the wall clock because the SDK caches tokens against it. */
  wallNow(): number;
  tokenTtlSec: number;
  /** The permissions the app was granted in the developer console. */
  scopes: ReadonlySet<string>;
  /** Request-rate windows (wall clock: they measure how fast the app calls, not emulated days). */
  rate: RateWindows;
  changed(messageId: string, kind: 'created' | 'updated'): void;
}

/** Sliding one-second windows per key; `take` is false when the key already had `limit` calls in the last second. */
export class RateWindows {
  private readonly windows = new Map<string, number[]>();
  constructor(private readonly now: () => number) {}
  take(key: string, limit: number): boolean {
    const t = this.now();
    const w = (this.windows.get(key) ?? []).filter((x) => x > t - 1000);
    if (w.length >= limit) {
      this.windows.set(key, w);
      return false;
    }
    w.push(t);
    this.windows.set(key, w);
    return true;
  }
}

/** The scope that unlocks GET /contact/v3/users/:id; contact:user.base:readonly only adds the name. */
export const CONTACT_SCOPES = [
  'contact:contact.base:readonly',
  'contact:contact:readonly_as_app',
  'contact:contact:readonly',
];

/** The platform's 99991672 text: the scopes any one of which the call needs. */
function scopesMessage(scopes: readonly string[]): string {
  return `Access denied. One of the following scopes is required: [${scopes.join(', ')}].`;
}

// Platform texts for the codes the emulator answers with (1 and the 99992402 card-token refusals are the emulator's own choice).
export const CODE_MESSAGES: Record<number, string> = {
  0: 'success',
  1: 'internal error',
  10003: 'invalid app_id',
  10014: 'app secret invalid',
  41050: 'no user authority error',
  99991400: 'request trigger frequency limit',
  99991661: 'Missing access token for authorization. Please make a request with token attached.',
  99991663: 'Invalid access token for authorization. Please make a request with token attached.',
  99991668: 'Invalid access token for authorization. Please make a request with token attached.',
  99992402: 'field validation failed',
  230001: 'param is invalid',
  230002: 'Bot/User can NOT be out of the chat.',
  230013: 'Bot has NO availability to this user.',
  230020: 'This operation triggers the frequency limit.',
  230025: 'The length of the message content reaches its limit.',
  230031: 'Message has expired when updating message, ext=Message can only be updated within fourteen days.',
  99991672: scopesMessage(CONTACT_SCOPES),
  234003: 'File not in msg.',
  234006: 'The file size exceeds the limit.',
  404: '404 page not found',
};

const TEXT_LIMIT_BYTES = 150 * 1024;
const POST_LIMIT_BYTES = 30 * 1024;
/** How long the platform remembers a send's uuid (LARK.md: idempotent for an hour). */
export const UUID_WINDOW_MS = 60 * 60 * 1000;
const CARD_TOKEN_WINDOW_MS = 30 * 60 * 1000;
const CARD_TOKEN_USES = 2;
const UPLOAD_LIMIT_BYTES = 30 * 1024 * 1024;
/** 「仅支持更新 14 天内发送的消息」; a 2.0 card can be interacted with for the same 14 days. */
export const CARD_UPDATE_WINDOW_MS = 14 * 86_400_000;
/** 发送消息: 给同一用户 / 同一群发消息 5 QPS; 更新消息卡片: 单条消息更新 5 QPS; 50 次/秒 per app. */
const CHAT_PER_SECOND = 5;
const MESSAGE_UPDATES_PER_SECOND = 5;
const APP_PER_SECOND = 50;

interface Outcome {
  status?: number;
  code: number;
  msg?: string;
  data?: unknown;
  /** Fields the token endpoint puts beside code/msg instead of inside data. */
  topLevel?: Record<string, unknown>;
  binary?: { bytes: Uint8Array; contentType: string; fileName: string };
}

interface Ctx {
  state: EmulatorState;
  env: ApiEnv;
  params: string[];
  query: URLSearchParams;
  req: ApiRequest;
}

type Handler = (ctx: Ctx) => Outcome | Promise<Outcome>;

const fail = (code: number, msg?: string): Outcome => ({ code, msg: msg ?? CODE_MESSAGES[code] ?? 'error' });

function statusFor(code: number): number {
  if (code === 0) return 200;
  if (code === 99991400) return 429;
  if (code === 1) return 500;
  return 400;
}

function jsonBody(req: ApiRequest): Record<string, unknown> | undefined {
  if (req.body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(req.body).toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function p2pChatIdFor(appId: string, openId: string): string {
  return `oc_${stableHex(`p2p:${appId}:${openId}`, 32)}`;
}

/** The direct chat between the bot and a user, created the first time anything needs it. */
export function ensureP2pChat(state: EmulatorState, appId: string, user: EmulatedUser): EmulatedChat {
  const chatId = p2pChatIdFor(appId, user.openId);
  const existing = state.chats[chatId];
  if (existing) return existing;
  const chat: EmulatedChat = {
    chatId,
    name: user.name,
    chatType: 'p2p',
    members: [user.openId],
    botMember: true,
    p2pOpenId: user.openId,
  };
  state.chats[chatId] = chat;
  return chat;
}

function findUser(state: EmulatorState, idType: string, id: string): EmulatedUser | undefined {
  if (idType === 'open_id') return state.users[id];
  return Object.values(state.users).find((u) =>
    idType === 'user_id' ? u.userId === id : idType === 'union_id' ? u.unionId === id : false,
  );
}

export function messageData(m: EmulatedMessage, env: Pick<ApiEnv, 'appId' | 'tenantKey'>) {
  const data: Record<string, unknown> = {
    message_id: m.messageId,
    msg_type: m.msgType,
    create_time: String(m.createdAt),
    update_time: String(m.updatedAt),
    deleted: false,
    updated: m.versions.length > 1,
    chat_id: m.chatId,
    sender:
      m.from === 'app'
        ? { id: env.appId, id_type: 'app_id', sender_type: 'app', tenant_key: env.tenantKey }
        : { id: m.senderOpenId ?? '', id_type: 'open_id', sender_type: 'user', tenant_key: env.tenantKey },
    body: { content: JSON.stringify(m.content) },
  };
  if (m.replyTo) {
    data.root_id = m.rootId ?? m.replyTo;
    data.parent_id = m.replyTo;
  }
  return data;
}

/** Parses a message body; a card must pass every rule of card-rules.ts, as on the platform. */
function parseContent(
  ctx: Pick<Ctx, 'state' | 'env'>,
  route: CardRefusalEntry['route'],
  msgType: string,
  raw: string,
  messageId?: string,
): { ok: true; content: unknown } | { ok: false; out: Outcome } {
  if (msgType !== 'interactive') {
    const limit = msgType === 'text' ? TEXT_LIMIT_BYTES : POST_LIMIT_BYTES;
    if (Buffer.byteLength(raw, 'utf8') > limit) return { ok: false, out: fail(230025) };
  }
  let content: unknown;
  try {
    content = JSON.parse(raw);
  } catch {
    return { ok: false, out: fail(230001, 'param is invalid: content is not valid JSON') };
  }
  if (msgType === 'interactive') {
    const refused = refuseCard(ctx, route, content, messageId);
    if (refused) return { ok: false, out: refused };
  }
  // A file message must name a file the app uploaded; it is stored with the file's name.
  if (msgType === 'file') {
    const file = appFileContent(ctx.state, content);
    if (!file.ok) return { ok: false, out: fail(file.code, file.msg) };
    content = file.content;
  }
  return { ok: true, content };
}

/** The platform's answer to a card that breaks a rule (and a note of it), or undefined when the card is fine. */
export function refuseCard(
  ctx: { state: EmulatorState; env: { now(): number } },
  route: CardRefusalEntry['route'],
  card: unknown,
  messageId?: string,
): Outcome | undefined {
  const refusal = checkCard(card);
  if (!refusal) return undefined;
  ctx.state.cardRefusals.push({
    route,
    ...(messageId ? { messageId } : {}),
    code: refusal.code,
    msg: refusal.msg,
    findings: refusal.findings,
    at: ctx.env.now(),
  });
  return fail(refusal.code, refusal.msg);
}

/** The per-app rate (99991400), then the rate of one chat's sends or one message's updates (230020). */
function rateRefusal(env: ApiEnv, key: string, perSecond: number): Outcome | undefined {
  if (!env.rate.take('app', APP_PER_SECOND)) return fail(99991400);
  if (!env.rate.take(key, perSecond)) return fail(230020);
  return undefined;
}

function recallUuid(
  state: EmulatorState,
  env: ApiEnv,
  uuid: string | undefined,
): EmulatedMessage | undefined {
  if (!uuid) return undefined;
  const seen = state.uuids[uuid];
  if (!seen || env.now() - seen.at > UUID_WINDOW_MS) return undefined;
  return state.messages.find((m) => m.messageId === seen.messageId);
}

function storeAppMessage(
  ctx: Ctx,
  m: Omit<EmulatedMessage, 'messageId' | 'createdAt' | 'updatedAt' | 'from' | 'urgentTo' | 'versions'>,
) {
  const at = ctx.env.now();
  const message: EmulatedMessage = {
    ...m,
    messageId: ids.message(),
    from: 'app',
    versions: [m.content],
    urgentTo: [],
    createdAt: at,
    updatedAt: at,
  };
  ctx.state.messages.push(message);
  if (m.uuid) ctx.state.uuids[m.uuid] = { messageId: message.messageId, at };
  ctx.env.changed(message.messageId, 'created');
  return message;
}

/** A card declared shared (`config.update_multi: true`), the only kind a PATCH may touch. */
export function isSharedCard(content: unknown): boolean {
  const config = (content as { config?: { update_multi?: unknown } } | null)?.config;
  return config?.update_multi === true;
}

const notShared = () =>
  fail(
    230001,
    'Your request contains an invalid request parameter, ext=the card is not a shared card (update_multi).',
  );

function findMessage(state: EmulatorState, messageId: string): EmulatedMessage | undefined {
  return state.messages.find((m) => m.messageId === messageId);
}

const issueToken: Handler = ({ state, env, req }) => {
  const body = jsonBody(req);
  if (!body) return fail(99992402);
  if (body.app_id !== env.appId) return fail(10003);
  if (body.app_secret !== env.appSecret) return fail(10014);
  const wall = env.wallNow();
  // The platform hands back the current token while it has more than 30 minutes left.
  const current = Object.values(state.tokens).find((t) => t.valid && t.expiresAtMs - wall > 30 * 60 * 1000);
  const token = current ?? {
    token: newTenantToken(),
    expiresAtMs: wall + env.tokenTtlSec * 1000,
    valid: true,
  };
  state.tokens[token.token] = token;
  return {
    code: 0,
    msg: 'ok',
    topLevel: { tenant_access_token: token.token, expire: Math.floor((token.expiresAtMs - wall) / 1000) },
  };
};

const sendMessage: Handler = (ctx) => {
  const { state, env, req, query } = ctx;
  const idType = query.get('receive_id_type') ?? '';
  if (!['open_id', 'chat_id', 'user_id', 'union_id'].includes(idType)) return fail(99992402);
  const body = jsonBody(req);
  const receiveId = str(body?.receive_id);
  const msgType = str(body?.msg_type);
  const raw = str(body?.content);
  if (!body || !receiveId || !msgType || !raw) return fail(99992402);
  const uuid = str(body.uuid);
  const again = recallUuid(state, env, uuid);
  if (again) return { code: 0, data: messageData(again, env) };
  const parsed = parseContent(ctx, 'send', msgType, raw);
  if (!parsed.ok) return parsed.out;
  let chat: EmulatedChat | undefined;
  if (idType === 'chat_id') {
    chat = state.chats[receiveId];
    if (!chat) return fail(230001, 'param is invalid: chat not found');
    if (!chat.botMember) return fail(230002);
  } else {
    const user = findUser(state, idType, receiveId);
    if (!user?.available) return fail(230013);
    chat = ensureP2pChat(state, env.appId, user);
  }
  const limited = rateRefusal(env, `chat:${chat.chatId}`, CHAT_PER_SECOND);
  if (limited) return limited;
  const m = storeAppMessage(ctx, {
    chatId: chat.chatId,
    chatType: chat.chatType,
    receiveIdType: idType as EmulatedMessage['receiveIdType'],
    receiveId,
    msgType,
    content: parsed.content,
    ...(uuid ? { uuid } : {}),
  });
  return { code: 0, data: messageData(m, env) };
};

const replyMessage: Handler = (ctx) => {
  const { state, env, req, params } = ctx;
  const target = findMessage(state, params[0] ?? '');
  if (!target) return fail(230001, 'param is invalid: message not found');
  const body = jsonBody(req);
  const msgType = str(body?.msg_type);
  const raw = str(body?.content);
  if (!body || !msgType || !raw) return fail(99992402);
  const uuid = str(body.uuid);
  const again = recallUuid(state, env, uuid);
  if (again) return { code: 0, data: messageData(again, env) };
  const parsed = parseContent(ctx, 'reply', msgType, raw);
  if (!parsed.ok) return parsed.out;
  const chat = state.chats[target.chatId];
  if (!chat?.botMember) return fail(230002);
  const limited = rateRefusal(env, `chat:${chat.chatId}`, CHAT_PER_SECOND);
  if (limited) return limited;
  const m = storeAppMessage(ctx, {
    chatId: chat.chatId,
    chatType: chat.chatType,
    receiveIdType: 'chat_id',
    receiveId: chat.chatId,
    msgType,
    content: parsed.content,
    replyTo: target.messageId,
    rootId: target.rootId ?? target.messageId,
    ...(uuid ? { uuid } : {}),
  });
  return { code: 0, data: messageData(m, env) };
};

const patchMessage: Handler = (ctx) => {
  const { state, env, req, params } = ctx;
  const m = findMessage(state, params[0] ?? '');
  if (!m) return fail(230001, 'param is invalid: message not found');
  if (m.from !== 'app' || m.msgType !== 'interactive')
    return fail(230001, 'param is invalid: only the bot’s own cards can be updated');
  const raw = str(jsonBody(req)?.content);
  if (!raw) return fail(99992402);
  if (env.now() - m.createdAt > CARD_UPDATE_WINDOW_MS) return fail(230031);
  // 「你需在更新前后卡片的 config 属性中，均显式声明 "update_multi":true」
  if (!isSharedCard(m.content)) return notShared();
  const limited = rateRefusal(env, `patch:${m.messageId}`, MESSAGE_UPDATES_PER_SECOND);
  if (limited) return limited;
  const parsed = parseContent(ctx, 'patch', 'interactive', raw, m.messageId);
  if (!parsed.ok) return parsed.out;
  if (!isSharedCard(parsed.content)) return notShared();
  m.content = parsed.content;
  m.versions.push(parsed.content);
  m.updatedAt = env.now();
  env.changed(m.messageId, 'updated');
  return { code: 0, data: {} };
};

const urgentApp: Handler = ({ state, env, req, params, query }) => {
  if (query.get('user_id_type') !== 'open_id') return fail(99992402);
  const m = findMessage(state, params[0] ?? '');
  if (!m) return fail(230001, 'param is invalid: message not found');
  if (m.from !== 'app')
    return fail(230001, 'param is invalid: only the bot’s own messages can be made urgent');
  const list = jsonBody(req)?.user_id_list;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string'))
    return fail(99992402);
  const chat = state.chats[m.chatId];
  const invalid: string[] = [];
  for (const openId of list as string[]) {
    const user = state.users[openId];
    if (!user?.available || !chat?.members.includes(openId)) invalid.push(openId);
    else if (!m.urgentTo.includes(openId)) m.urgentTo.push(openId);
  }
  if (invalid.length < list.length) {
    m.updatedAt = env.now();
    env.changed(m.messageId, 'updated');
  }
  return { code: 0, data: { invalid_user_id_list: invalid } };
};

const chatMembers: Handler = ({ state, env, params, query }) => {
  const chat = state.chats[params[0] ?? ''];
  if (!chat) return fail(230001, 'param is invalid: chat not found');
  if (!chat.botMember) return fail(230002);
  const idType = query.get('member_id_type') ?? 'open_id';
  if (!['open_id', 'user_id', 'union_id'].includes(idType)) return fail(99992402);
  const pageSize = Math.min(Math.max(Number(query.get('page_size') ?? 20) || 20, 1), 100);
  const offset = Number(Buffer.from(query.get('page_token') ?? '', 'base64url').toString('utf8') || '0') || 0;
  const members = chat.members.map((id) => state.users[id]).filter((u): u is EmulatedUser => u !== undefined);
  const page = members.slice(offset, offset + pageSize);
  const next = offset + page.length;
  const hasMore = next < members.length;
  return {
    code: 0,
    data: {
      items: page.map((u) => ({
        member_id_type: idType,
        member_id: idType === 'open_id' ? u.openId : idType === 'user_id' ? u.userId : u.unionId,
        name: u.name,
        tenant_key: env.tenantKey,
      })),
      page_token: hasMore ? Buffer.from(String(next), 'utf8').toString('base64url') : '',
      has_more: hasMore,
      member_total: members.length,
    },
  };
};

/** A user's name field is given only with contact:user.base:readonly (or a wider contact scope). */
const USER_NAME_SCOPES = [
  'contact:user.base:readonly',
  'contact:contact:readonly_as_app',
  'contact:contact:readonly',
];
/** A department's name is a field scope of its own. */
const DEPARTMENT_NAME_SCOPES = [
  'contact:department.base:readonly',
  'contact:contact:access_as_app',
  'contact:contact:readonly',
  'contact:contact:readonly_as_app',
];

const granted = (env: ApiEnv, scopes: readonly string[]) => scopes.some((s) => env.scopes.has(s));

/** 99991672 naming the scopes the call needs, when the app was granted none of them. */
function scopeRefusal(env: ApiEnv, scopes: readonly string[]): Outcome | undefined {
  if (granted(env, scopes)) return undefined;
  return fail(99991672, scopesMessage(scopes));
}

const contactUser: Handler = ({ state, env, params, query }) => {
  const refused = scopeRefusal(env, CONTACT_SCOPES);
  if (refused) return refused;
  const idType = query.get('user_id_type') ?? 'open_id';
  const user = findUser(state, idType, decodeURIComponent(params[0] ?? ''));
  if (!user?.available) return fail(41050);
  const named = granted(env, USER_NAME_SCOPES);
  return {
    code: 0,
    data: {
      user: {
        union_id: user.unionId,
        user_id: user.userId,
        open_id: user.openId,
        ...(named ? { name: user.name } : {}),
        en_name: '',
        email: user.email ?? '',
        job_title: user.jobTitle ?? '',
        department_ids: [],
        status: {
          is_frozen: false,
          is_resigned: false,
          is_activated: true,
          is_exited: false,
          is_unjoin: false,
        },
      },
    },
  };
};

/** 获取部门直属用户列表: any one of these scopes lets the app call it (the platform's list). */
export const DEPARTMENT_USERS_SCOPES = [
  'contact:contact.base:readonly',
  'contact:department.organize:readonly',
  'contact:contact:access_as_app',
  'contact:contact:readonly',
  'contact:contact:readonly_as_app',
];
const DEPARTMENT_USERS_PAGE_MAX = 50;

/**
 * One page of a contact list: page_size 1–50 (default 10), and page_token the opaque offset the previous page
 * gave; undefined for a page size out of range.
 */
function contactPage<T>(
  query: URLSearchParams,
  all: T[],
): { has_more: boolean; page_token?: string; items: T[] } | undefined {
  const pageSize = Number(query.get('page_size') ?? 10);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > DEPARTMENT_USERS_PAGE_MAX) return undefined;
  const offset = Number(Buffer.from(query.get('page_token') ?? '', 'base64url').toString('utf8') || '0') || 0;
  const items = all.slice(offset, offset + pageSize);
  const next = offset + items.length;
  const hasMore = next < all.length;
  return {
    has_more: hasMore,
    ...(hasMore ? { page_token: Buffer.from(String(next), 'utf8').toString('base64url') } : {}),
    items,
  };
}

/** Direct members of one department (absent departmentId: the root, 0); users outside availability are not listed. */
const departmentUsers: Handler = ({ state, env, query }) => {
  const refused = scopeRefusal(env, DEPARTMENT_USERS_SCOPES);
  if (refused) return refused;
  const department = query.get('department_id');
  if (department === null || department === '') return fail(99992402);
  const idType = query.get('user_id_type') ?? 'open_id';
  if (!['open_id', 'user_id', 'union_id'].includes(idType)) return fail(99992402);
  const page = contactPage(
    query,
    Object.values(state.users).filter((u) => u.available && (u.departmentId ?? '0') === department),
  );
  if (!page) return fail(99992402);
  const named = granted(env, USER_NAME_SCOPES);
  return {
    code: 0,
    data: {
      ...page,
      items: page.items.map((u) => ({
        union_id: u.unionId,
        user_id: u.userId,
        open_id: u.openId,
        ...(named ? { name: u.name } : {}),
        department_ids: [u.departmentId ?? '0'],
      })),
    },
  };
};

/**
 * 获取子部门列表: direct children, or with fetch_child=true every descendant. The platform lists the same
 * five scopes for calling it as for 获取部门直属用户列表; a department's name is a field scope of its own.
 */
const departmentChildren: Handler = ({ state, env, query, params }) => {
  const refused = scopeRefusal(env, DEPARTMENT_USERS_SCOPES);
  if (refused) return refused;
  const parent = decodeURIComponent(params[0] ?? '');
  if (parent !== '0' && !state.departments[parent]) return fail(99992402);
  const all = Object.values(state.departments);
  const found: EmulatedDepartment[] = [];
  const queue = [parent];
  // Each department is visited once, so a malformed (cyclic) tree still ends.
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const at = queue.shift() as string;
    for (const d of all.filter((x) => x.parentId === at && !seen.has(x.openDepartmentId))) {
      seen.add(d.openDepartmentId);
      found.push(d);
      if (query.get('fetch_child') === 'true') queue.push(d.openDepartmentId);
    }
  }
  const page = contactPage(query, found);
  if (!page) return fail(99992402);
  const named = granted(env, DEPARTMENT_NAME_SCOPES);
  return {
    code: 0,
    data: {
      ...page,
      items: page.items.map((d) => ({
        ...(named ? { name: d.name, department_id: d.openDepartmentId } : {}),
        open_department_id: d.openDepartmentId,
        parent_department_id: d.parentId,
        member_count: Object.values(state.users).filter((u) => (u.departmentId ?? '0') === d.openDepartmentId)
          .length,
        status: { is_deleted: false },
      })),
    },
  };
};

function resourceKeyOf(content: unknown): string[] {
  if (content === null || typeof content !== 'object') return [];
  const c = content as Record<string, unknown>;
  return [c.file_key, c.image_key].filter((k): k is string => typeof k === 'string');
}

const messageResource: Handler = ({ state, params, query }) => {
  const type = query.get('type');
  if (type !== 'file' && type !== 'image') return fail(99992402);
  const m = findMessage(state, params[0] ?? '');
  const key = decodeURIComponent(params[1] ?? '');
  if (!m) return fail(230001, 'param is invalid: message not found');
  if (!state.chats[m.chatId]?.botMember) return fail(230002);
  if (!resourceKeyOf(m.content).includes(key)) return fail(234003);
  const file = state.files[key];
  const bytes = file
    ? Buffer.from(file.dataBase64, 'base64')
    : Buffer.from(`emulated resource ${key}`, 'utf8');
  return {
    code: 0,
    binary: {
      bytes,
      contentType: type === 'image' ? 'image/png' : 'application/octet-stream',
      fileName: file?.fileName ?? key,
    },
  };
};

const uploadFile: Handler = async ({ state, req }) => {
  if (!req.contentType?.startsWith('multipart/form-data')) return fail(99992402);
  let form: FormData;
  try {
    form = await new Request('http://emulator.invalid/upload', {
      method: 'POST',
      headers: { 'content-type': req.contentType },
      body: req.body,
    }).formData();
  } catch {
    return fail(99992402);
  }
  const fileType = form.get('file_type');
  const fileName = form.get('file_name');
  const file = form.get('file');
  if (typeof fileType !== 'string' || typeof fileName !== 'string' || file === null) return fail(99992402);
  const raw = typeof file === 'string' ? multipartField(req.body, req.contentType, 'file') : undefined;
  const bytes = raw
    ? Buffer.from(raw)
    : typeof file === 'string'
      ? Buffer.from(file, 'utf8')
      : Buffer.from(await file.arrayBuffer());
  if (bytes.length === 0) return fail(99992402);
  if (bytes.length > UPLOAD_LIMIT_BYTES) return fail(234006);
  const key = ids.file();
  state.files[key] = { key, fileName, fileType, dataBase64: bytes.toString('base64') };
  return { code: 0, data: { file_key: key } };
};

const cardUpdate: Handler = (ctx) => {
  const { state, env, req } = ctx;
  const body = jsonBody(req);
  const token = str(body?.token);
  const card = body?.card;
  if (!token || card === null || typeof card !== 'object') return fail(99992402);
  const t = state.cardTokens[token];
  if (!t || env.now() - t.issuedAt > CARD_TOKEN_WINDOW_MS || t.uses >= CARD_TOKEN_USES) {
    return fail(99992402, 'field validation failed: card token is invalid, expired or used up');
  }
  // The platform documents that an update sent before the callback is answered fails or is undone.
  if (t.inFlight) return fail(99992402, 'field validation failed: the callback has not been answered yet');
  const m = findMessage(state, t.messageId);
  if (!m) return fail(230001, 'param is invalid: message not found');
  const { open_ids: _forUsers, ...content } = card as Record<string, unknown>;
  const refused = refuseCard(ctx, 'card_update', content, m.messageId);
  if (refused) return refused;
  t.uses += 1;
  m.content = content;
  m.versions.push(content);
  m.updatedAt = env.now();
  env.changed(m.messageId, 'updated');
  return { code: 0, data: {} };
};

// The bot's own identity, so the app can tell its own @mention from the people's.
const botInfo: Handler = ({ env }) => ({
  code: 0,
  topLevel: {
    bot: {
      activate_status: 2,
      app_name: '容错纠错助手',
      avatar_url: '',
      ip_white_list: [],
      open_id: env.botOpenId,
    },
  },
});

interface RouteDef {
  method: string;
  pattern: RegExp;
  route: ApiRoute;
  handler: Handler;
}

const SEG = '([^/]+)';
const ROUTES: RouteDef[] = [
  {
    method: 'POST',
    pattern: /^\/open-apis\/auth\/v3\/tenant_access_token\/internal\/?$/,
    route: 'token',
    handler: issueToken,
  },
  { method: 'POST', pattern: /^\/open-apis\/im\/v1\/messages$/, route: 'send', handler: sendMessage },
  {
    method: 'POST',
    pattern: new RegExp(`^/open-apis/im/v1/messages/${SEG}/reply$`),
    route: 'reply',
    handler: replyMessage,
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/open-apis/im/v1/messages/${SEG}/urgent_app$`),
    route: 'urgent',
    handler: urgentApp,
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/open-apis/im/v1/messages/${SEG}$`),
    route: 'patch',
    handler: patchMessage,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/open-apis/im/v1/chats/${SEG}/members$`),
    route: 'members',
    handler: chatMembers,
  },
  {
    method: 'GET',
    pattern: /^\/open-apis\/contact\/v3\/users\/find_by_department$/,
    route: 'department_users',
    handler: departmentUsers,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/open-apis/contact/v3/departments/${SEG}/children$`),
    route: 'department_children',
    handler: departmentChildren,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/open-apis/contact/v3/users/${SEG}$`),
    route: 'user',
    handler: contactUser,
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/open-apis/im/v1/messages/${SEG}/resources/${SEG}$`),
    route: 'resource',
    handler: messageResource,
  },
  { method: 'POST', pattern: /^\/open-apis\/im\/v1\/files$/, route: 'upload', handler: uploadFile },
  { method: 'GET', pattern: /^\/open-apis\/bot\/v3\/info\/?$/, route: 'bot', handler: botInfo },
  {
    method: 'POST',
    pattern: /^\/open-apis\/interactive\/v1\/card\/update$/,
    route: 'card_update',
    handler: cardUpdate,
  },
];

function takeFault(state: EmulatorState, route: ApiRoute): Fault | undefined {
  const queue = state.faults[route];
  const head = queue?.[0];
  if (!queue || !head) return undefined;
  head.times -= 1;
  if (head.times <= 0) queue.shift();
  return head;
}

function faultOutcome(f: Fault): Outcome {
  const code =
    f.code ?? (f.status === 429 ? 99991400 : f.status !== undefined && f.status >= 500 ? 1 : 230001);
  return { ...fail(code), status: f.status ?? statusFor(code) };
}

function authorize(
  state: EmulatorState,
  env: ApiEnv,
  authorization: string | undefined,
): Outcome | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return fail(99991661);
  const t = state.tokens[match[1]];
  if (!t?.valid || t.expiresAtMs <= env.wallNow()) return fail(99991663);
  return undefined;
}

function render(out: Outcome, route: ApiRoute | undefined): ApiResponse {
  const status = out.status ?? statusFor(out.code);
  const headers: Record<string, string> = { 'x-tt-logid': ids.logId() };
  if (out.code === 99991400) {
    headers['x-ogw-ratelimit-limit'] = '50';
    headers['x-ogw-ratelimit-reset'] = '1';
  }
  if (out.binary) {
    headers['content-type'] = out.binary.contentType;
    headers['content-disposition'] =
      `attachment; filename*=UTF-8''${encodeURIComponent(out.binary.fileName)}`;
    return { status, code: out.code, headers, body: out.binary.bytes, ...(route ? { route } : {}) };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  const body: Record<string, unknown> = {
    code: out.code,
    msg: out.msg ?? CODE_MESSAGES[out.code] ?? 'error',
  };
  if (out.topLevel) Object.assign(body, out.topLevel);
  else if (out.code === 0 || out.data !== undefined) body.data = out.data ?? {};
  return { status, code: out.code, headers, body: JSON.stringify(body), ...(route ? { route } : {}) };
}

/** Answers one Open API request against the state; mutates the state as the platform would. */
export async function handleOpenApi(
  state: EmulatorState,
  env: ApiEnv,
  req: ApiRequest,
): Promise<ApiResponse> {
  for (const def of ROUTES) {
    if (def.method !== req.method) continue;
    const match = def.pattern.exec(req.pathname);
    if (!match) continue;
    if (def.route !== 'token') {
      const refused = authorize(state, env, req.authorization);
      if (refused) return render(refused, def.route);
    }
    const fault = takeFault(state, def.route);
    if (fault) return render(faultOutcome(fault), def.route);
    const out = await def.handler({ state, env, params: match.slice(1), query: req.query, req });
    return render(out, def.route);
  }
  return render({ status: 404, code: 404 }, undefined);
}
