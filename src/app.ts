import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { Pipeline, Source } from './bot/pipeline';
import type { CardResponse, EventEnvelope } from './lark/envelope';
import { parseLegacyCardAction } from './lark/envelope';
import { type VerifyOptions, verifyRequest } from './lark/verify';
import type { Logger } from './log';
import { isStoreUnavailable } from './store';

/** The two addresses Lark posts to; either accepts events and card callbacks. */
export const WEBHOOK_PATHS = ['/webhook/event', '/webhook/card'] as const;

/** Lark bodies are small: the one limit for both the reader and the verifier. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppDeps {
  pipeline: Pipeline;
  logger: Logger;
  verify: VerifyOptions;
  isHandledType: (eventType: string) => boolean;
  clock?: () => number;
  /** Runs work after the response is sent (waitUntil on Workers, in the background on Node). */
  /** `key` names who the work is for (a sender or chat): work for one key runs in arrival order. */
  defer: (work: () => Promise<unknown>, executionCtx?: unknown, key?: string) => void;
  /** Told of every event and callback being answered, so background handling can give way to them. */
  ingress?: { begin(): void; end(): void };
}

type Defer = (work: () => Promise<unknown>, key?: string) => void;

/**
 * Whose turn an event waits for: one person's messages (and one chat's) are handled in the order they
 * came, so a draft sees its steps in order and the replies come back in order; different people's in
 * parallel.
 */
export function orderKey(envelope: EventEnvelope): string | undefined {
  const event = envelope.event as
    | { sender?: { sender_id?: { open_id?: unknown } }; message?: { chat_id?: unknown } }
    | undefined;
  const sender = event?.sender?.sender_id?.open_id;
  if (typeof sender === 'string' && sender) return `u:${sender}`;
  const chat = event?.message?.chat_id;
  return typeof chat === 'string' && chat ? `c:${chat}` : undefined;
}

/** Receives events and card callbacks from Lark; either URL accepts both kinds. */
export function handleInbound(deps: AppDeps, source: Source) {
  const clock = deps.clock ?? Date.now;
  const answer = async (
    envelope: EventEnvelope,
    defer: Defer,
    text?: string,
  ): Promise<CardResponse | { ok: true }> => {
    const type = envelope.header.event_type;
    if (type === 'card.action.trigger') return deps.pipeline.handleCard(envelope, source, text);
    if (!deps.isHandledType(type)) {
      deps.logger.debug({ msg: 'event ignored', eventId: envelope.header.event_id, type });
      return { ok: true };
    }
    const started = clock();
    const accepted = await deps.pipeline.accept(envelope, source, text);
    if (accepted === 'duplicate') {
      deps.logger.info({
        msg: 'event duplicate',
        eventId: envelope.header.event_id,
        type,
        ms: clock() - started,
      });
      return { ok: true };
    }
    defer(() => deps.pipeline.process(envelope.header.event_id, envelope), orderKey(envelope));
    return { ok: true };
  };
  /** `text`: the JSON the envelope was parsed from, when the caller has it (the webhook), to record as is. */
  return async (envelope: EventEnvelope, defer: Defer, text?: string) => {
    deps.ingress?.begin();
    try {
      return await answer(envelope, defer, text);
    } finally {
      deps.ingress?.end();
    }
  };
}

/** An answer to a webhook request, whatever serves it (Hono here, node:http in `runtime/node-webhook.ts`). */
export interface WebhookAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * Everything a webhook request gets, framework-free: the caller supplies a body reader (null past the
 * limit), a header lookup (lower-case names), the path, and the runtime's execution context if it has one.
 */
export type WebhookReceiver = (
  readBody: () => Promise<Uint8Array | null>,
  header: (name: string) => string | undefined,
  path: string,
  executionCtx?: unknown,
) => Promise<WebhookAnswer>;

const refused = (status: number, msg: string = refusalText(status)): WebhookAnswer => ({
  status,
  body: { code: status, msg },
});

export function createReceiver(deps: AppDeps): WebhookReceiver {
  const clock = deps.clock ?? Date.now;
  const inbound = handleInbound(deps, 'webhook');
  // Without a key or token nothing could be verified: the webhook stays shut (long-connection deployments).
  const webhookOpen = Boolean(deps.verify.encryptKey || deps.verify.verificationToken);
  const receive: WebhookReceiver = async (readBody, header, path, executionCtx) => {
    if (!webhookOpen)
      return refused(403, '未配置 LARK_VERIFICATION_TOKEN，Webhook 已关闭（使用长连接接收事件）');
    const raw = await readBody();
    if (!raw) return refused(413);
    const result = verifyRequest(raw, header, clock(), { ...deps.verify, maxBodyBytes: MAX_BODY_BYTES });
    if (!result.ok) {
      deps.logger.warn({ msg: 'request refused', path, status: result.status, reason: result.reason });
      return refused(result.status);
    }
    const { inbound: message } = result;
    if (message.kind === 'challenge') return { status: 200, body: { challenge: message.challenge } };
    const defer: Defer = (w, key) => deps.defer(w, executionCtx, key);
    if (message.kind === 'legacy_card') {
      const action = parseLegacyCardAction(message.body);
      if (!action) return refused(400);
      // Old-style callbacks have no event id: the body itself identifies a retry.
      const envelope: EventEnvelope = {
        schema: '2.0',
        header: {
          event_id: `legacy-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`,
          event_type: 'card.action.trigger',
        },
        event: {
          operator: { open_id: action.operatorOpenId },
          token: action.token,
          action: {
            value: action.value,
            tag: action.tag,
            form_value: action.formValue,
            option: action.option,
          },
          context: { open_message_id: action.messageId, open_chat_id: action.chatId },
        },
      };
      return { status: 200, body: await inbound(envelope, defer) };
    }
    return { status: 200, body: await inbound(message.envelope, defer, message.text) };
  };
  return async (readBody, header, path, executionCtx) => {
    try {
      return await receive(readBody, header, path, executionCtx);
    } catch (err) {
      return failureAnswer(deps.logger, path, err);
    }
  };
}

/** A request that failed inside: 503 when nothing could be recorded (the platform retries), else 500. */
export function failureAnswer(logger: Logger, path: string, err: unknown): WebhookAnswer {
  if (isStoreUnavailable(err)) {
    // Nothing was recorded: 503 makes the platform deliver the event again later.
    logger.error({ msg: 'store unavailable', path, error: String(err) });
    return { ...refused(503, '服务暂时无法写入数据，请稍后重试'), headers: { 'Retry-After': '1' } };
  }
  logger.error({ msg: 'request failed', path, error: err instanceof Error ? err.message : String(err) });
  return refused(500, '服务器内部错误');
}

export function createApp(deps: AppDeps, receiver: WebhookReceiver = createReceiver(deps)) {
  const app = new Hono();
  const reply = (c: import('hono').Context, answer: WebhookAnswer) => {
    for (const [name, value] of Object.entries(answer.headers ?? {})) c.header(name, value);
    return c.json(answer.body as object, answer.status as 200);
  };
  const receive = async (c: import('hono').Context) =>
    reply(
      c,
      await receiver(
        () => readBody(c, MAX_BODY_BYTES),
        (name) => c.req.header(name),
        c.req.path,
        safeExecutionCtx(c),
      ),
    );

  for (const path of WEBHOOK_PATHS) app.post(path, receive);
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.notFound((c) => reply(c, refused(404)));
  app.onError((err, c) => reply(c, failureAnswer(deps.logger, c.req.path, err)));
  return app;
}

/**
 * The request body, or null past `max` bytes. A declared length is checked before anything is read, and
 * then the body is read in one piece (on Node straight from the socket, no web stream in between); a body
 * without one is read in pieces and given up on as soon as it passes the limit.
 */
async function readBody(c: import('hono').Context, max: number): Promise<Uint8Array | null> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
    if (!/^\d+$/.test(declared) || Number(declared) > max) return null;
    return new Uint8Array(await c.req.arrayBuffer());
  }
  const stream = c.req.raw.body;
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    parts.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}

function refusalText(status: number): string {
  switch (status) {
    case 404:
      return '没有这个地址';
    case 401:
      return '签名、时间戳或校验令牌无效';
    case 413:
      return '请求体超过 1 MiB';
    default:
      return '请求格式错误';
  }
}

function safeExecutionCtx(c: import('hono').Context): unknown {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
