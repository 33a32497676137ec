import { lark } from './sdk';

/** The operations the outbox needs; the SDK Client is the only thing that talks to Lark. */
export interface LarkTransport {
  send(
    receiveIdType: 'open_id' | 'chat_id',
    receiveId: string,
    msgType: string,
    content: string,
    uuid: string,
  ): Promise<SentMessage>;
  reply(messageId: string, msgType: string, content: string, uuid: string): Promise<SentMessage>;
  patch(messageId: string, content: string): Promise<void>;
  urgent(messageId: string, openIds: string[]): Promise<void>;
  /** Uploads a file for a file message (POST /im/v1/files); returns its file_key. */
  uploadFile(fileType: 'doc' | 'xls' | 'stream', fileName: string, bytes: Uint8Array): Promise<string>;
  userName(openId: string): Promise<string | undefined>;
  /**
   * Colleagues whose name contains `name` anywhere in the app's contact range: every department (获取子部门列表
   * from the root, recursively) and its direct members (获取部门直属用户列表); at most `limit`.
   */
  findColleagues(name: string, limit: number): Promise<Colleague[]>;
  /** The bot's own open_id (cached), to tell its @mention from people's. */
  botOpenId(): Promise<string | undefined>;
}

/** What Lark answers to a send or reply: the new message and the chat it is in. */
export interface SentMessage {
  messageId: string;
  chatId?: string;
}

export interface Colleague {
  openId: string;
  name: string;
}

/** The directory walk's bounds: a tenant of up to 200 departments and 2,000 people is searched in full. */
export const DIRECTORY_MAX_DEPARTMENTS = 200;
export const DIRECTORY_MAX_PEOPLE = 2_000;
/** 50 a page is the documented maximum of both 获取子部门列表 and 获取部门直属用户列表. */
const DIRECTORY_PAGE_SIZE = 50;
/** A complete walk is reused this long, so repeated 查找 stay inside the 3-second card answer. */
export const DIRECTORY_CACHE_MS = 5 * 60_000;
/** How long a name the directory could not give is not asked for again. */
export const NAME_MISS_MS = 60_000;
/** Names kept at most; past it they start over (a bound on memory, not a policy). */
const MAX_NAMES = 10_000;

export type LarkErrorKind = 'retry' | 'token' | 'permanent';

/** A failed Open API call, classified for the outbox: try again later, refresh the token, or give up. */
export class LarkCallError extends Error {
  constructor(
    readonly kind: LarkErrorKind,
    readonly code: number | undefined,
    readonly httpStatus: number | undefined,
  ) {
    super(`lark call failed: kind=${kind} code=${code ?? '-'} status=${httpStatus ?? '-'}`);
    this.name = 'LarkCallError';
  }
}

const TOKEN_CODES = new Set([99991661, 99991663, 99991664, 99991668, 99991671]);
const RETRY_CODES = new Set([99991400, 99991401, 230020, 1000004, 1000005, 11232, 11233]);
// 230002 bot not in chat, 230013 user outside availability, 230001/230099 bad content, 230011 recalled,
// 230031 a message past its 14-day update window: retrying cannot help.
export function classify(code: number | undefined, status: number | undefined): LarkErrorKind {
  if (code !== undefined && TOKEN_CODES.has(code)) return 'token';
  if (code !== undefined && RETRY_CODES.has(code)) return 'retry';
  if (status === undefined || status === 429 || status >= 500)
    return code === undefined || status !== undefined ? 'retry' : 'permanent';
  if (code === undefined) return status === 401 ? 'token' : 'permanent';
  return 'permanent';
}

function failure(err: unknown): LarkCallError {
  if (err instanceof LarkCallError) return err;
  const e = err as { response?: { status?: number; data?: { code?: number } } };
  const status = e?.response?.status;
  const code = e?.response?.data?.code;
  return new LarkCallError(classify(code, status), code, status);
}

function check<T extends { code?: number; data?: unknown }>(res: T | undefined): T {
  if (!res) throw new LarkCallError('retry', undefined, undefined);
  if (res.code !== undefined && res.code !== 0)
    throw new LarkCallError(classify(res.code, 200), res.code, 200);
  return res;
}

/** A token cache we can empty when Lark says the token went bad (the SDK's own cache cannot be cleared). */
class TokenCache {
  private values = new Map<string, { value: unknown; expire: number }>();
  async set(key: string | symbol, value: unknown, expire?: number, options?: { namespace?: string }) {
    this.values.set(`${options?.namespace ?? ''}:${String(key)}`, {
      value,
      expire: expire ?? Number.POSITIVE_INFINITY,
    });
    return true;
  }
  async get(key: string | symbol, options?: { namespace?: string }) {
    const hit = this.values.get(`${options?.namespace ?? ''}:${String(key)}`);
    if (!hit || hit.expire <= Date.now()) return undefined;
    return hit.value;
  }
  clear() {
    this.values.clear();
  }
}

const quietSdkLogger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };

/** A call Lark has not answered by then is retried (with the same uuid, so a send that did land is not doubled). */
export const LARK_CALL_TIMEOUT_MS = 10_000;

export function createLarkTransport(opts: {
  appId: string;
  appSecret: string;
  domain: string;
  timeoutMs?: number;
  /** Wall-clock milliseconds, for the directory cache's expiry. */
  now?: () => number;
}): LarkTransport {
  const cache = new TokenCache();
  const now = opts.now ?? Date.now;
  // Names and open_ids only, never who searched for whom.
  let directory: { people: Colleague[]; expires: number } | undefined;
  // Each person's name from the directory, for cards that name someone the roster does not: a morning's
  // reminders name the same officers again and again.
  const names = new Map<string, { name: string | undefined; expires: number }>();
  const timeout = opts.timeoutMs ?? LARK_CALL_TIMEOUT_MS;
  // The SDK's own HTTP client waits forever; one hung call would stall every delivery behind it.
  type HttpInstance = NonNullable<ConstructorParameters<typeof lark.Client>[0]['httpInstance']>;
  const base = lark.defaultHttpInstance as unknown as HttpInstance;
  const httpInstance: HttpInstance = { ...base, request: (o) => base.request({ timeout, ...o }) };
  const client = new lark.Client({
    httpInstance,
    appId: opts.appId,
    appSecret: opts.appSecret,
    domain: opts.domain,
    cache: cache as ConstructorParameters<typeof lark.Client>[0]['cache'],
    // The SDK logs whole request configs (message contents) on errors; failures are logged by the outbox instead.
    logger: quietSdkLogger,
    loggerLevel: lark.LoggerLevel.fatal,
  });
  // One refresh on a token error, then the outbox decides (SPEC: "one token refresh on token errors").
  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const f = failure(err);
      if (f.kind !== 'token') throw f;
      cache.clear();
      try {
        return await fn();
      } catch (again) {
        const g = failure(again);
        throw g.kind === 'token' ? new LarkCallError('retry', g.code, g.httpStatus) : g;
      }
    }
  }
  let botId: string | undefined;
  const messageId = (res: { data?: { message_id?: string; chat_id?: string } }): SentMessage => {
    const id = res.data?.message_id;
    if (!id) throw new LarkCallError('retry', undefined, 200);
    return { messageId: id, ...(res.data?.chat_id ? { chatId: res.data.chat_id } : {}) };
  };
  return {
    send: (receiveIdType, receiveId, msgType, content, uuid) =>
      call(async () =>
        messageId(
          check(
            await client.im.message.create({
              params: { receive_id_type: receiveIdType },
              data: { receive_id: receiveId, msg_type: msgType, content, uuid },
            }),
          ),
        ),
      ),
    reply: (id, msgType, content, uuid) =>
      call(async () =>
        messageId(
          check(
            await client.im.message.reply({
              path: { message_id: id },
              data: { msg_type: msgType, content, uuid },
            }),
          ),
        ),
      ),
    patch: (id, content) =>
      call(async () => {
        check(await client.im.message.patch({ path: { message_id: id }, data: { content } }));
      }),
    urgent: (id, openIds) =>
      call(async () => {
        check(
          await client.im.message.urgentApp({
            path: { message_id: id },
            params: { user_id_type: 'open_id' },
            data: { user_id_list: openIds },
          }),
        );
      }),
    uploadFile: (fileType, fileName, bytes) =>
      call(async () => {
        const res = await client.im.file.create({
          data: { file_type: fileType, file_name: fileName, file: Buffer.from(bytes) },
        });
        const key = res?.file_key;
        if (!key) throw new LarkCallError('retry', undefined, 200);
        return key;
      }),
    botOpenId: async () => {
      if (botId) return botId;
      try {
        const res = (await call(async () =>
          check(await client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })),
        )) as {
          bot?: { open_id?: string };
        };
        botId = res.bot?.open_id;
      } catch {
        botId = undefined;
      }
      return botId;
    },
    findColleagues: async (name, limit) => {
      const matching = (people: Colleague[]) => people.filter((p) => p.name.includes(name));
      if (directory && directory.expires > now()) return matching(directory.people).slice(0, limit);
      directory = undefined;
      const departments = ['0'];
      let pageToken: string | undefined;
      while (departments.length <= DIRECTORY_MAX_DEPARTMENTS) {
        const res = await call(async () =>
          check(
            await client.contact.department.children({
              path: { department_id: '0' },
              params: {
                department_id_type: 'open_department_id',
                fetch_child: true,
                page_size: DIRECTORY_PAGE_SIZE,
                ...(pageToken ? { page_token: pageToken } : {}),
              },
            }),
          ),
        );
        for (const d of res.data?.items ?? [])
          if (d.open_department_id) departments.push(d.open_department_id);
        pageToken = res.data?.page_token;
        if (!res.data?.has_more || !pageToken) break;
      }
      const people = new Map<string, Colleague>();
      let complete = true;
      walk: for (const department of departments.slice(0, DIRECTORY_MAX_DEPARTMENTS)) {
        pageToken = undefined;
        for (;;) {
          const res = await call(async () =>
            check(
              await client.contact.user.findByDepartment({
                params: {
                  department_id: department,
                  department_id_type: 'open_department_id',
                  user_id_type: 'open_id',
                  page_size: DIRECTORY_PAGE_SIZE,
                  ...(pageToken ? { page_token: pageToken } : {}),
                },
              }),
            ),
          );
          for (const u of res.data?.items ?? [])
            if (u.open_id && u.name && people.size < DIRECTORY_MAX_PEOPLE)
              people.set(u.open_id, { openId: u.open_id, name: u.name });
          // Enough to answer: the rest of the walk waits for a lookup that needs it.
          if (matching([...people.values()]).length >= limit) {
            complete = false;
            break walk;
          }
          if (people.size >= DIRECTORY_MAX_PEOPLE) break walk;
          pageToken = res.data?.page_token;
          if (!res.data?.has_more || !pageToken) break;
        }
      }
      const listed = [...people.values()];
      if (complete) directory = { people: listed, expires: now() + DIRECTORY_CACHE_MS };
      return matching(listed).slice(0, limit);
    },
    userName: async (openId) => {
      const at = now();
      const hit = names.get(openId);
      if (hit && hit.expires > at) return hit.name;
      let name: string | undefined;
      try {
        const res = await call(async () =>
          check(
            await client.contact.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }),
          ),
        );
        name = res.data?.user?.name ?? undefined;
      } catch (err) {
        // A passing failure (timeout, 5xx, rate limit) is not kept: the next card asks again.
        if (failure(err).kind === 'retry') return undefined;
        name = undefined;
      }
      if (names.size >= MAX_NAMES) names.clear();
      // A name is kept as long as the directory; one the directory refused a minute, so a burst of cards
      // naming the same person does not ask again and again.
      names.set(openId, { name, expires: at + (name === undefined ? NAME_MISS_MS : DIRECTORY_CACHE_MS) });
      return name;
    },
  };
}
