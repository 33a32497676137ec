import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptPayload, eventSignature } from '../lark/crypto';
import {
  CARD_UPDATE_WINDOW_MS,
  ensureP2pChat,
  handleOpenApi,
  p2pChatIdFor,
  RateWindows,
  refuseCard,
} from './emulator-api';
import { type CardButton, cardButtons, hasButtonValue, readCallbackAnswer } from './emulator-cards';
import {
  botMembershipEvent,
  botMenuEvent,
  cardActionEvent,
  type Envelope,
  envelope,
  type MentionInput,
  messageReceiveEvent,
  p2pEnteredEvent,
  textWithMentions,
} from './emulator-envelopes';
import {
  type ApiRoute,
  type CardRefusalEntry,
  type DeliveryLogEntry,
  type EmulatedChat,
  type EmulatedMessage,
  type EmulatedUser,
  type EmulatorState,
  emptyState,
  ids,
  type RequestLogEntry,
  stableHex,
} from './emulator-state';

export type {
  ApiRoute,
  CardButton,
  CardRefusalEntry,
  DeliveryLogEntry,
  EmulatedChat,
  EmulatedMessage,
  EmulatedUser,
  EmulatorState,
  Envelope,
  RequestLogEntry,
};

export interface EmulatorOptions {
  appId: string;
  appSecret: string;
  encryptKey?: string;
  verificationToken?: string;
  port?: number;
  botOpenId?: string;
  botName?: string;
  tenantKey?: string;
  /** The platform clock in ms since the epoch: event and message times, the uuid, card-token, 14-day update
   * and interaction windows. `advanceClock`/`setClock` move it. */
  clock?: () => number;
  /** The permissions granted to the app; by default every one the README's setup asks for. */
  scopes?: string[];
  /** Tenant token lifetime in seconds (the platform's is 7200). */
  tokenTtlSec?: number;
  /** The bot has the scope to read every group message, not only those that @mention it. */
  receiveAllGroupMessages?: boolean;
  /** How long a delivery to the app may take before it counts as failed (status 0). */
  deliveryTimeoutMs?: number;
}

export interface DeliveryResult {
  status: number;
  json: unknown;
  text: string;
  ms: number;
}

export interface InboundResult extends DeliveryResult {
  eventId: string;
  envelope: Envelope;
  /** false when the platform would not deliver it (a group message that does not @mention the bot). */
  delivered: boolean;
  messageId?: string;
}

export interface ClickResult extends InboundResult {
  token: string;
  toast?: { type: string; content: string };
  /** The card the answer put in place of the clicked one, if any. */
  card?: unknown;
}

/** A click ready to send (`Emulator.prepareClick`). */
export interface PreparedClick {
  /** The callback request alone; resolves with the raw answer. */
  send(): Promise<InboundResult>;
  /** Applies the answer like `click`: checks a returned card and puts it in place of the clicked one. */
  finish(result: InboundResult): ClickResult;
}

export interface DeliverOptions {
  url?: 'event' | 'card';
  tamper?: 'signature' | 'body';
  timestampSec?: number;
  token?: string;
  raw?: string;
  noSign?: boolean;
  encrypt?: boolean;
}

/** Something other than HTTP webhooks that carries events to the app (the long connection). */
export type AppTransport = (
  kind: 'event' | 'card',
  envelope: Envelope,
) => Promise<{ status: number; json: unknown }>;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export type MessageListener = (m: EmulatedMessage, kind: 'created' | 'updated') => void;

/** The scopes the README's setup grants the app. */
export const SETUP_SCOPES = [
  'im:message',
  'im:message:send_as_bot',
  'im:message.group_at_msg:readonly',
  'im:message.p2p_msg:readonly',
  'im:message:update',
  'im:message.urgent',
  'im:resource',
  'im:chat.members:read',
  'contact:contact.base:readonly',
  'contact:user.base:readonly',
];

/** An envelope the platform holds back (the app never sees it): nothing was posted, so nothing answered. */
function undelivered(envelope: Envelope): InboundResult {
  return {
    status: 0,
    json: undefined,
    text: '',
    ms: 0,
    eventId: envelope.header.event_id,
    envelope,
    delivered: false,
  };
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function clone<T>(v: T): T {
  return structuredClone(v);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function postJson(
  url: string,
  raw: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<DeliveryResult> {
  const u = new URL(url);
  if (!LOOPBACK.has(u.hostname))
    return Promise.reject(new Error(`emulator delivers to loopback only, not ${u.hostname}`));
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        hostname: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: 'POST',
        agent: false,
        headers: {
          ...headers,
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(Buffer.byteLength(raw)),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text, ms: performance.now() - started });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('delivery timed out')));
    req.on('error', (e) =>
      resolve({ status: 0, json: undefined, text: String(e), ms: performance.now() - started }),
    );
    req.end(raw);
  });
}

/** An emulated Feishu/Lark platform on 127.0.0.1: the Open API for the app, and events and callbacks towards it. */
export class LarkEmulator {
  readonly url: string;
  readonly server: Server;
  readonly state: EmulatorState = emptyState();
  private readonly opts: Required<Omit<EmulatorOptions, 'encryptKey' | 'port' | 'clock' | 'scopes'>> & {
    encryptKey?: string;
  };
  /** The clock given at start; signatures carry it. */
  private readonly baseClock: () => number;
  /** How far `advanceClock`/`setClock` moved platform time from the given clock. */
  private clockOffsetMs = 0;
  private readonly scopes: Set<string>;
  private readonly rate = new RateWindows(Date.now);
  /** Called with every emulator started (the test suite uses it to check every card any test sends). */
  static onStart: ((emu: LarkEmulator) => void) | undefined;
  private target?: { eventUrl: string; cardUrl: string };
  private transport?: AppTransport;
  private readonly customRoutes = new Map<string, RouteHandler>();
  private readonly listeners = new Set<MessageListener>();
  private readonly waiters = new Set<() => void>();

  private constructor(server: Server, url: string, opts: EmulatorOptions) {
    this.server = server;
    this.url = url;
    this.baseClock = opts.clock ?? Date.now;
    this.scopes = new Set(opts.scopes ?? SETUP_SCOPES);
    this.opts = {
      appId: opts.appId,
      appSecret: opts.appSecret,
      verificationToken: opts.verificationToken ?? '',
      botOpenId: opts.botOpenId ?? `ou_${stableHex(`bot:${opts.appId}`, 32)}`,
      botName: opts.botName ?? '容错纠错助手',
      tenantKey: opts.tenantKey ?? stableHex(`tenant:${opts.appId}`, 16),
      tokenTtlSec: opts.tokenTtlSec ?? 7200,
      receiveAllGroupMessages: opts.receiveAllGroupMessages ?? false,
      deliveryTimeoutMs: opts.deliveryTimeoutMs ?? 10_000,
      ...(opts.encryptKey ? { encryptKey: opts.encryptKey } : {}),
    };
  }

  static async start(opts: EmulatorOptions): Promise<LarkEmulator> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const emu = new LarkEmulator(server, `http://127.0.0.1:${port}`, opts);
    LarkEmulator.onStart?.(emu);
    server.on('request', (req, res) => {
      emu.serve(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ code: 1, msg: `emulator error: ${String(e)}` }));
      });
    });
    return emu;
  }

  get appId(): string {
    return this.opts.appId;
  }

  get botOpenId(): string {
    return this.opts.botOpenId;
  }

  get tenantKey(): string {
    return this.opts.tenantKey;
  }

  // ---- the platform clock -------------------------------------------------------------------------

  /** The emulated platform's time, ms since the epoch. */
  now(): number {
    return this.baseClock() + this.clockOffsetMs;
  }

  /**
   * Moves the platform clock forward (cards age: a PATCH after 14 days fails, clicks stop arriving). Request
   * signatures keep the clock given at start, as the app checks them against real time.
   */
  advanceClock(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`advanceClock: ${ms} is not a forward step`);
    this.clockOffsetMs += ms;
    return this.now();
  }

  /** Sets the platform clock to `epochMs`; it runs on from there. */
  setClock(epochMs: number): void {
    if (!Number.isFinite(epochMs)) throw new Error(`setClock: ${epochMs} is not a time`);
    this.clockOffsetMs = epochMs - this.baseClock();
  }

  // ---- cards the platform refused -----------------------------------------------------------------

  /** Every card refused since the last `takeCardRefusals`, oldest first. */
  cardRefusals(): CardRefusalEntry[] {
    return this.state.cardRefusals.map(clone);
  }

  /** Returns the refused cards and forgets them (a test that sends a bad card on purpose takes its refusal). */
  takeCardRefusals(): CardRefusalEntry[] {
    return this.state.cardRefusals.splice(0).map(clone);
  }

  // ---- wiring -------------------------------------------------------------------------------------

  connectApp(target: { eventUrl: string; cardUrl: string }): void {
    this.target = target;
  }

  /** Route high-level deliveries (sendText, click, …) through another carrier; `undefined` restores HTTP. */
  connectTransport(transport: AppTransport | undefined): void {
    this.transport = transport;
  }

  /** Serve an extra path on the emulator's server (e.g. the long-connection endpoint); checked before the Open API. */
  route(method: string, path: string, handler: RouteHandler): void {
    this.customRoutes.set(`${method.toUpperCase()} ${path}`, handler);
  }

  // ---- directory ----------------------------------------------------------------------------------

  addUser(u: {
    openId: string;
    name: string;
    userId?: string;
    unionId?: string;
    available?: boolean;
    email?: string;
    jobTitle?: string;
    departmentId?: string;
  }): EmulatedUser {
    const user: EmulatedUser = {
      openId: u.openId,
      name: u.name,
      userId: u.userId ?? stableHex(`user:${u.openId}`, 8),
      unionId: u.unionId ?? `on_${stableHex(`union:${u.openId}`, 32)}`,
      available: u.available ?? true,
      ...(u.email ? { email: u.email } : {}),
      ...(u.jobTitle ? { jobTitle: u.jobTitle } : {}),
      ...(u.departmentId ? { departmentId: u.departmentId } : {}),
    };
    this.state.users[u.openId] = user;
    return clone(user);
  }

  /** A group chat; the bot is a member unless `botMember: false` (then `addBotToChat` adds it). */
  addChat(c: { chatId: string; name: string; members: string[]; botMember?: boolean }): EmulatedChat {
    const chat: EmulatedChat = {
      chatId: c.chatId,
      name: c.name,
      chatType: 'group',
      members: [...c.members],
      botMember: c.botMember ?? true,
    };
    this.state.chats[c.chatId] = chat;
    return clone(chat);
  }

  p2pChatId(openId: string): string {
    return p2pChatIdFor(this.opts.appId, openId);
  }

  // ---- the platform delivering to the app ---------------------------------------------------------

  async sendText(
    fromOpenId: string,
    text: string,
    opts: { chatId?: string; mentionBot?: boolean; mentions?: { openId: string; name: string }[] } = {},
  ): Promise<InboundResult> {
    const user = this.requireUser(fromOpenId);
    const chat = this.chatFor(user, opts.chatId);
    const bot: MentionInput | undefined = opts.mentionBot
      ? {
          openId: this.opts.botOpenId,
          name: this.opts.botName,
          unionId: `on_${stableHex(`botunion:${this.opts.appId}`, 32)}`,
          userId: '',
        }
      : undefined;
    const others = (opts.mentions ?? []).map((m): MentionInput => {
      const known = this.state.users[m.openId];
      return {
        openId: m.openId,
        name: m.name,
        unionId: known?.unionId ?? `on_${stableHex(`union:${m.openId}`, 32)}`,
        userId: known?.userId ?? '',
      };
    });
    const { content, mentions } = textWithMentions(text, bot, others, this.opts.tenantKey);
    const reachesBot =
      chat.chatType === 'p2p' || opts.mentionBot === true || this.opts.receiveAllGroupMessages;
    return this.userMessage(user, chat, 'text', content, mentions, reachesBot);
  }

  async sendPost(
    fromOpenId: string,
    post: { title?: string; content: { tag: string; text?: string; [k: string]: unknown }[][] },
    opts: { chatId?: string } = {},
  ): Promise<InboundResult> {
    const user = this.requireUser(fromOpenId);
    const chat = this.chatFor(user, opts.chatId);
    const content = JSON.stringify({ title: post.title ?? '', content: post.content });
    return this.userMessage(
      user,
      chat,
      'post',
      content,
      [],
      chat.chatType === 'p2p' || this.opts.receiveAllGroupMessages,
    );
  }

  async sendFile(
    fromOpenId: string,
    file: { fileKey: string; fileName: string; content?: string | Uint8Array },
    opts: { chatId?: string } = {},
  ): Promise<InboundResult> {
    const user = this.requireUser(fromOpenId);
    const chat = this.chatFor(user, opts.chatId);
    this.storeFile(file.fileKey, file.fileName, 'stream', file.content);
    const content = JSON.stringify({ file_key: file.fileKey, file_name: file.fileName });
    return this.userMessage(
      user,
      chat,
      'file',
      content,
      [],
      chat.chatType === 'p2p' || this.opts.receiveAllGroupMessages,
    );
  }

  async sendImage(
    fromOpenId: string,
    imageKey: string,
    opts: { chatId?: string; content?: Uint8Array } = {},
  ): Promise<InboundResult> {
    const user = this.requireUser(fromOpenId);
    const chat = this.chatFor(user, opts.chatId);
    this.storeFile(imageKey, `${imageKey}.png`, 'image', opts.content);
    const content = JSON.stringify({ image_key: imageKey });
    return this.userMessage(
      user,
      chat,
      'image',
      content,
      [],
      chat.chatType === 'p2p' || this.opts.receiveAllGroupMessages,
    );
  }

  async enterP2p(openId: string): Promise<InboundResult> {
    const user = this.requireUser(openId);
    const chat = ensureP2pChat(this.state, this.opts.appId, user);
    const last = [...this.state.messages].reverse().find((m) => m.chatId === chat.chatId);
    const event = p2pEnteredEvent(
      chat.chatId,
      user,
      last ? { messageId: last.messageId, createTimeMs: last.createdAt } : undefined,
    );
    return this.dispatch('event', this.envelope('im.chat.access_event.bot_p2p_chat_entered_v1', event));
  }

  async addBotToChat(chatId: string, operatorOpenId: string): Promise<InboundResult> {
    const operator = this.requireUser(operatorOpenId);
    const chat = this.requireChat(chatId);
    chat.botMember = true;
    const event = botMembershipEvent(chat.chatId, chat.name, operator, this.opts.tenantKey);
    return this.dispatch('event', this.envelope('im.chat.member.bot.added_v1', event));
  }

  async removeBotFromChat(chatId: string, operatorOpenId: string): Promise<InboundResult> {
    const operator = this.requireUser(operatorOpenId);
    const chat = this.requireChat(chatId);
    chat.botMember = false;
    const event = botMembershipEvent(chat.chatId, chat.name, operator, this.opts.tenantKey);
    return this.dispatch('event', this.envelope('im.chat.member.bot.deleted_v1', event));
  }

  async menu(openId: string, eventKey: string): Promise<InboundResult> {
    const operator = this.requireUser(openId);
    const event = botMenuEvent(operator, eventKey, this.now());
    return this.dispatch('event', this.envelope('application.bot.menu_v6', event));
  }

  /** The buttons a user sees on a card message, for tests to click by label. */
  buttons(messageId: string): CardButton[] {
    const m = this.state.messages.find((x) => x.messageId === messageId);
    return m ? cardButtons(m.content) : [];
  }

  /**
   * A user clicks a button whose callback value is `value` on a card the bot sent. The value must be one the
   * card shows (as on the platform) unless `unchecked`; a returned card replaces the stored one.
   */
  async click(
    operatorOpenId: string,
    messageId: string,
    value: Record<string, unknown>,
    formValue?: Record<string, unknown>,
    opts: { name?: string; tag?: string; unchecked?: boolean } = {},
  ): Promise<ClickResult> {
    const click = this.prepareClick(operatorOpenId, messageId, value, formValue, opts);
    return click.finish(await click.send());
  }

  /**
   * A click made ready to go, as on many clients at once: everything the platform does before the request
   * (checks, the callback token, the envelope, encryption, signature) happens here; `send()` is the request
   * alone and `finish()` applies its answer as `click` does. A load run sends many and finishes them after
   * they are all answered, so one answer's processing never delays the timing of another.
   */
  prepareClick(
    operatorOpenId: string,
    messageId: string,
    value: Record<string, unknown>,
    formValue?: Record<string, unknown>,
    opts: { name?: string; tag?: string; unchecked?: boolean } = {},
  ): PreparedClick {
    const operator = this.requireUser(operatorOpenId);
    const m = this.state.messages.find((x) => x.messageId === messageId);
    if (m?.from !== 'app' || m.msgType !== 'interactive') throw new Error(`no card message ${messageId}`);
    const chat = this.requireChat(m.chatId);
    if (!chat.members.includes(operatorOpenId)) throw new Error(`${operatorOpenId} cannot see ${messageId}`);
    if (!opts.unchecked && !hasButtonValue(m.content, value)) {
      throw new Error(`card ${messageId} has no button with value ${JSON.stringify(value)}`);
    }
    // 「2.0 结构：卡片可交互和可更新时间统一为 14 天」: after that the client sends nothing to the app.
    if (this.now() - m.createdAt > CARD_UPDATE_WINDOW_MS) {
      const expired: ClickResult = {
        ...undelivered(this.envelope('card.action.trigger', {})),
        token: '',
        toast: { type: 'error', content: '卡片已过期，无法操作' },
      };
      return { send: () => Promise.resolve(expired), finish: () => expired };
    }
    const token = ids.cardToken();
    this.state.cardTokens[token] = {
      token,
      messageId,
      openId: operatorOpenId,
      issuedAt: this.now(),
      uses: 0,
      inFlight: true,
    };
    const event = cardActionEvent({
      operator,
      tenantKey: this.opts.tenantKey,
      token,
      messageId,
      chatId: m.chatId,
      value,
      ...(formValue !== undefined ? { formValue } : {}),
      ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
      ...(opts.name !== undefined ? { name: opts.name } : {}),
    });
    const dispatch = this.prepareDispatch('card', this.envelope('card.action.trigger', event));
    const send = () =>
      dispatch().finally(() => {
        const t = this.state.cardTokens[token];
        if (t) t.inFlight = false;
      });
    const finish = (result: InboundResult): ClickResult => {
      const answer = result.status === 200 ? readCallbackAnswer(result.json) : {};
      // A card in the answer is checked like any other; the client keeps the old one when it is refused.
      if (
        answer.card !== undefined &&
        refuseCard({ state: this.state, env: this }, 'callback', answer.card, messageId)
      )
        delete answer.card;
      if (answer.card !== undefined) {
        m.content = answer.card;
        m.versions.push(answer.card);
        m.updatedAt = this.now();
        this.changed(m.messageId, 'updated');
      }
      return {
        ...result,
        token,
        ...(answer.toast ? { toast: answer.toast } : {}),
        ...(answer.card !== undefined ? { card: answer.card } : {}),
      };
    };
    return { send, finish };
  }

  /** Click a button by its label; a form's submit button carries `formValue`. */
  async clickButton(
    operatorOpenId: string,
    messageId: string,
    text: string,
    formValue?: Record<string, unknown>,
  ): Promise<ClickResult> {
    const button = this.buttons(messageId).find((b) => b.text === text);
    if (!button) throw new Error(`card ${messageId} has no button labelled ${text}`);
    return this.click(
      operatorOpenId,
      messageId,
      button.value,
      formValue,
      button.name ? { name: button.name } : {},
    );
  }

  /** The challenge the platform sends when a request URL is saved. */
  async verifyUrl(
    which: 'event' | 'card',
    opts: { noSign?: boolean; token?: string } = {},
  ): Promise<DeliveryResult> {
    const body = {
      challenge: ids.event(),
      token: opts.token ?? this.opts.verificationToken,
      type: 'url_verification',
    };
    return this.deliver(body, { url: which, ...(opts.noSign ? { noSign: true } : {}) });
  }

  /** Low level: POST an envelope to the app, encrypted and signed like the platform unless told otherwise. */
  async deliver(body: object, opts: DeliverOptions = {}): Promise<DeliveryResult> {
    return this.prepareDelivery(body, opts)();
  }

  /** `deliver` with everything before the request done now; the returned function makes the request. */
  private prepareDelivery(body: object, opts: DeliverOptions = {}): () => Promise<DeliveryResult> {
    if (!this.target) throw new Error('connectApp() first');
    const kind = opts.url ?? (eventTypeOf(body) === 'card.action.trigger' ? 'card' : 'event');
    const url = kind === 'card' ? this.target.cardUrl : this.target.eventUrl;
    const payload = opts.token !== undefined ? withToken(body, opts.token) : body;
    const key = this.opts.encryptKey;
    const encrypt = (opts.encrypt ?? true) && key !== undefined;
    const serialise = (b: object) =>
      encrypt && key
        ? JSON.stringify({ encrypt: encryptPayload(JSON.stringify(b), key) })
        : JSON.stringify(b);
    let raw = opts.raw ?? serialise(payload);
    // Signatures carry the given clock, not advanced time: the app checks them against its real clock.
    const timestamp = String(opts.timestampSec ?? Math.floor(this.baseClock() / 1000));
    const nonce = ids.nonce();
    const headers: Record<string, string> = {};
    if (!opts.noSign) {
      headers['x-lark-request-timestamp'] = timestamp;
      headers['x-lark-request-nonce'] = nonce;
      if (key) {
        let signature = eventSignature(timestamp, nonce, key, raw);
        if (opts.tamper === 'signature')
          signature = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
        headers['x-lark-signature'] = signature;
      }
    }
    // The signature stays the one computed over the original body.
    if (opts.tamper === 'body')
      raw = opts.raw !== undefined ? `${raw} ` : serialise({ ...payload, tampered: true });
    return () => postJson(url, raw, headers, this.opts.deliveryTimeoutMs);
  }

  // ---- what reached the platform ------------------------------------------------------------------

  /** Messages in order; by default only what the app sent (`from: 'any'` adds the users' own). */
  messages(
    filter: { chatId?: string; openId?: string; from?: 'app' | 'user' | 'any' } = {},
  ): EmulatedMessage[] {
    const from = filter.from ?? 'app';
    const chatId = filter.chatId ?? (filter.openId !== undefined ? this.p2pChatId(filter.openId) : undefined);
    return this.state.messages
      .filter((m) => (from === 'any' || m.from === from) && (chatId === undefined || m.chatId === chatId))
      .map(clone);
  }

  message(messageId: string): EmulatedMessage | undefined {
    const m = this.state.messages.find((x) => x.messageId === messageId);
    return m ? clone(m) : undefined;
  }

  requests(): RequestLogEntry[] {
    return this.state.requestLog.map(clone);
  }

  deliveries(): DeliveryLogEntry[] {
    return this.state.deliveryLog.map(clone);
  }

  /** The whole platform state as plain data. */
  snapshot(): EmulatorState {
    return clone(this.state);
  }

  // ---- faults -------------------------------------------------------------------------------------

  /** The next `times` calls of `route` fail with `status` and/or `code` (after the token check). */
  failNext(route: ApiRoute, f: { status?: number; code?: number; times: number }): void {
    const queue = this.state.faults[route] ?? [];
    queue.push({ ...f });
    this.state.faults[route] = queue;
  }

  /** Every issued tenant token stops working; calls answer 99991663 until a new one is fetched. */
  invalidateTokens(): void {
    for (const t of Object.values(this.state.tokens)) t.valid = false;
  }

  // ---- waiting ------------------------------------------------------------------------------------

  onMessage(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the predicate's first value other than undefined/null/false, re-checked on every change. */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(check);
      };
      const check = () => {
        let v: T | undefined | null | false;
        try {
          v = predicate();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (v !== undefined && v !== null && v !== false) {
          done();
          resolve(v);
        }
      };
      this.waiters.add(check);
      timer = setTimeout(() => {
        done();
        reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      check();
    });
  }

  async close(): Promise<void> {
    for (const w of [...this.waiters]) this.waiters.delete(w);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- internals ----------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const custom = this.customRoutes.get(`${req.method ?? 'GET'} ${url.pathname}`);
    if (custom) {
      await custom(req, res, body);
      return;
    }
    const answer = await handleOpenApi(
      this.state,
      {
        appId: this.opts.appId,
        appSecret: this.opts.appSecret,
        tenantKey: this.opts.tenantKey,
        botOpenId: this.opts.botOpenId,
        now: () => this.now(),
        wallNow: Date.now,
        tokenTtlSec: this.opts.tokenTtlSec,
        scopes: this.scopes,
        rate: this.rate,
        changed: (id, kind) => this.changed(id, kind),
      },
      {
        method: req.method ?? 'GET',
        pathname: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        contentType: req.headers['content-type'],
        body,
      },
    );
    this.state.requestLog.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(answer.route ? { route: answer.route } : {}),
      status: answer.status,
      code: answer.code,
      at: this.now(),
    });
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
    this.notifyWaiters();
  }

  private changed(messageId: string, kind: 'created' | 'updated'): void {
    const m = this.state.messages.find((x) => x.messageId === messageId);
    if (m) {
      for (const l of [...this.listeners]) {
        try {
          l(clone(m), kind);
        } catch {
          // a failing test listener must not break the platform's answer
        }
      }
    }
    this.notifyWaiters();
  }

  private notifyWaiters(): void {
    for (const w of [...this.waiters]) w();
  }

  private envelope(eventType: string, event: Record<string, unknown>): Envelope {
    return envelope(eventType, event, {
      eventId: ids.event(),
      createTimeMs: this.now(),
      token: this.opts.verificationToken,
      appId: this.opts.appId,
      tenantKey: this.opts.tenantKey,
    });
  }

  private async dispatch(kind: 'event' | 'card', env: Envelope): Promise<InboundResult> {
    return this.prepareDispatch(kind, env)();
  }

  /** Delivery of an envelope, prepared now (signed and encrypted) and made when the function is called. */
  private prepareDispatch(kind: 'event' | 'card', env: Envelope): () => Promise<InboundResult> {
    const transport = this.transport;
    const request: () => Promise<DeliveryResult> = transport
      ? async () => {
          const started = performance.now();
          const r = await transport(kind, env);
          return {
            status: r.status,
            json: r.json,
            text: JSON.stringify(r.json ?? null),
            ms: performance.now() - started,
          };
        }
      : this.prepareDelivery(env, { url: kind });
    return async () => {
      const result = await request();
      this.state.deliveryLog.push({
        kind,
        eventType: env.header.event_type,
        eventId: env.header.event_id,
        status: result.status,
        ms: result.ms,
        at: this.now(),
      });
      this.notifyWaiters();
      return { ...result, eventId: env.header.event_id, envelope: env, delivered: true };
    };
  }

  private async userMessage(
    user: EmulatedUser,
    chat: EmulatedChat,
    messageType: string,
    content: string,
    mentions: Record<string, unknown>[],
    reachesBot: boolean,
  ): Promise<InboundResult> {
    const at = this.now();
    const parsed: unknown = JSON.parse(content);
    const message: EmulatedMessage = {
      messageId: ids.message(),
      chatId: chat.chatId,
      chatType: chat.chatType,
      from: 'user',
      senderOpenId: user.openId,
      receiveIdType: 'chat_id',
      receiveId: chat.chatId,
      msgType: messageType,
      content: parsed,
      versions: [parsed],
      urgentTo: [],
      createdAt: at,
      updatedAt: at,
    };
    this.state.messages.push(message);
    this.changed(message.messageId, 'created');
    const env = this.envelope(
      'im.message.receive_v1',
      messageReceiveEvent({
        sender: user,
        tenantKey: this.opts.tenantKey,
        messageId: message.messageId,
        createTimeMs: at,
        chatId: chat.chatId,
        chatType: chat.chatType,
        messageType,
        content,
        mentions,
      }),
    );
    if (!reachesBot || !chat.botMember) return { ...undelivered(env), messageId: message.messageId };
    return { ...(await this.dispatch('event', env)), messageId: message.messageId };
  }

  private storeFile(
    key: string,
    fileName: string,
    fileType: string,
    content: string | Uint8Array | undefined,
  ): void {
    const bytes = content === undefined ? Buffer.from(`emulated ${fileName}`, 'utf8') : Buffer.from(content);
    this.state.files[key] = { key, fileName, fileType, dataBase64: bytes.toString('base64') };
  }

  private requireUser(openId: string): EmulatedUser {
    const u = this.state.users[openId];
    if (!u) throw new Error(`unknown user ${openId}: addUser() first`);
    return u;
  }

  private requireChat(chatId: string): EmulatedChat {
    const c = this.state.chats[chatId];
    if (!c) throw new Error(`unknown chat ${chatId}: addChat() first`);
    return c;
  }

  private chatFor(user: EmulatedUser, chatId: string | undefined): EmulatedChat {
    if (chatId === undefined) return ensureP2pChat(this.state, this.opts.appId, user);
    const chat = this.requireChat(chatId);
    if (!chat.members.includes(user.openId)) throw new Error(`${user.openId} is not a member of ${chatId}`);
    return chat;
  }
}

function eventTypeOf(body: object): string | undefined {
  const header = (body as { header?: { event_type?: unknown } }).header;
  return typeof header?.event_type === 'string' ? header.event_type : undefined;
}

function withToken(body: object, token: string): object {
  const b = body as { header?: Record<string, unknown>; token?: unknown };
  if (b.header) return { ...b, header: { ...b.header, token } };
  return { ...b, token };
}
