import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Pipeline, Source } from './bot/pipeline';
import type { CardResponse, EventEnvelope } from './lark/envelope';
import { parseLegacyCardAction } from './lark/envelope';
import { type VerifyOptions, verifyRequest } from './lark/verify';
import type { Logger } from './log';
import { isStoreUnavailable } from './store';

/** Lark bodies are small: the one limit for both the reader and the verifier. */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface AppDeps {
  pipeline: Pipeline;
  logger: Logger;
  verify: VerifyOptions;
  isHandledType: (eventType: string) => boolean;
  clock?: () => number;
  /** Runs work after the response is sent (waitUntil on Workers, in the background on Node). */
  defer: (work: () => Promise<unknown>, executionCtx?: unknown) => void;
}

/** Receives events and card callbacks from Lark; either URL accepts both kinds. */
export function handleInbound(deps: AppDeps, source: Source) {
  const clock = deps.clock ?? Date.now;
  return async (
    envelope: EventEnvelope,
    defer: (w: () => Promise<unknown>) => void,
  ): Promise<CardResponse | { ok: true }> => {
    const type = envelope.header.event_type;
    if (type === 'card.action.trigger') return deps.pipeline.handleCard(envelope, source);
    if (!deps.isHandledType(type)) {
      deps.logger.debug({ msg: 'event ignored', eventId: envelope.header.event_id, type });
      return { ok: true };
    }
    const started = clock();
    const accepted = await deps.pipeline.accept(envelope, source);
    if (accepted === 'duplicate') {
      deps.logger.info({
        msg: 'event duplicate',
        eventId: envelope.header.event_id,
        type,
        ms: clock() - started,
      });
      return { ok: true };
    }
    defer(() => deps.pipeline.process(envelope.header.event_id, envelope));
    return { ok: true };
  };
}

export function createApp(deps: AppDeps) {
  const app = new Hono();
  const clock = deps.clock ?? Date.now;
  const inbound = handleInbound(deps, 'webhook');

  // Without a key or token nothing could be verified: the webhook stays shut (long-connection deployments).
  const webhookOpen = Boolean(deps.verify.encryptKey || deps.verify.verificationToken);
  const receive = async (c: import('hono').Context) => {
    if (!webhookOpen)
      return c.json(
        { code: 403, msg: '未配置 LARK_VERIFICATION_TOKEN，Webhook 已关闭（使用长连接接收事件）' },
        403,
      );
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const result = verifyRequest(raw, (name) => c.req.header(name), clock(), {
      ...deps.verify,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    if (!result.ok) {
      deps.logger.warn({
        msg: 'request refused',
        path: c.req.path,
        status: result.status,
        reason: result.reason,
      });
      return c.json({ code: result.status, msg: refusalText(result.status) }, result.status);
    }
    const { inbound: message } = result;
    if (message.kind === 'challenge') return c.json({ challenge: message.challenge });
    const defer = (w: () => Promise<unknown>) => deps.defer(w, safeExecutionCtx(c));
    if (message.kind === 'legacy_card') {
      const action = parseLegacyCardAction(message.body);
      if (!action) return c.json({ code: 400, msg: refusalText(400) }, 400);
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
      return c.json(await deps.pipeline.handleCard(envelope, 'webhook'));
    }
    return c.json(await inbound(message.envelope, defer));
  };

  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ code: 413, msg: refusalText(413) }, 413),
  });
  app.post('/webhook/event', limit, receive);
  app.post('/webhook/card', limit, receive);
  app.get('/healthz', (c) => c.json({ ok: true }));
  app.notFound((c) => c.json({ code: 404, msg: '没有这个地址' }, 404));
  app.onError((err, c) => {
    if (isStoreUnavailable(err)) {
      // Nothing was recorded: 503 makes the platform deliver the event again later.
      deps.logger.error({ msg: 'store unavailable', path: c.req.path, error: String(err) });
      c.header('Retry-After', '1');
      return c.json({ code: 503, msg: '服务暂时无法写入数据，请稍后重试' }, 503);
    }
    deps.logger.error({
      msg: 'request failed',
      path: c.req.path,
      error: err instanceof Error ? err.message : String(err),
    });
    return c.json({ code: 500, msg: '服务器内部错误' }, 500);
  });
  return app;
}

function refusalText(status: number): string {
  switch (status) {
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
