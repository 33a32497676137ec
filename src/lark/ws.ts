import type { EventDispatcher, WSClient } from '@larksuiteoapi/node-sdk';
import { type CardResponse, type EventEnvelope, eventEnvelopeSchema } from './envelope';
import { lark } from './sdk';

export interface LongConnectionHandlers {
  /** Resolve once the event is durably recorded; a rejection makes the platform redeliver. */
  onEvent(envelope: EventEnvelope): Promise<void>;
  onCard(envelope: EventEnvelope): Promise<CardResponse>;
}

type Logger = { info(o: object): void; warn(o: object): void; error(o: object): void };

type SdkFrame = { headers: { key: string; value: string }[] };
// The WSClient internals we wrap; present in @larksuiteoapi/node-sdk 1.74.
type WsClientInternals = {
  handleEventData?: (frame: SdkFrame) => Promise<void>;
  sendMessage?: (frame: SdkFrame) => void;
};

const silent: Logger = { info() {}, warn() {}, error() {} };
const APP_ID_PATTERN = /^cli_[0-9a-fA-F]{16}$/;

function headerValue(frame: SdkFrame, key: string): string | undefined {
  return frame.headers.find((h) => h.key === key)?.value;
}

function withType(frame: SdkFrame, type: string): SdkFrame {
  return {
    ...frame,
    headers: frame.headers.map((h) => (h.key === 'type' ? { key: 'type', value: type } : h)),
  };
}

/**
 * The SDK dispatches only `type=event` frames and drops `type=card` ones, yet card callbacks have been
 * seen arriving either way; feed card frames through the event path and restore `card` on the ack.
 */
function acceptCardFrames(client: WSClient, logger: Logger): void {
  const internals = client as unknown as WsClientInternals;
  const handleEventData = internals.handleEventData?.bind(client);
  const sendMessage = internals.sendMessage?.bind(client);
  if (!handleEventData || !sendMessage) {
    logger.warn({ msg: 'lark ws: SDK internals changed, card frames will not be answered' });
    return;
  }
  const cardFrames = new Map<string, number>(); // message_id → frames in flight
  internals.handleEventData = async (frame) => {
    const messageId = headerValue(frame, 'message_id') ?? '';
    if (headerValue(frame, 'type') !== 'card') return handleEventData(frame);
    cardFrames.set(messageId, (cardFrames.get(messageId) ?? 0) + 1);
    try {
      await handleEventData(withType(frame, 'event'));
    } finally {
      const left = (cardFrames.get(messageId) ?? 1) - 1;
      if (left > 0) cardFrames.set(messageId, left);
      else cardFrames.delete(messageId);
    }
  };
  internals.sendMessage = (frame) => {
    const messageId = headerValue(frame, 'message_id');
    sendMessage(messageId !== undefined && cardFrames.has(messageId) ? withType(frame, 'card') : frame);
  };
}

function sdkLogger(logger: Logger) {
  // The SDK's LoggerProxy hands over its arguments as one array.
  const line = (args: unknown[]) =>
    args
      .flat()
      .map((a) => (a instanceof Error ? a.message : String(a)))
      .join(' ');
  return {
    error: (...args: unknown[]) => {
      const detail = line(args);
      // Handler failures are already logged by the dispatcher, with the event id.
      if (!detail.includes('invoke event failed')) logger.error({ msg: 'lark ws sdk', detail });
    },
    warn: (...args: unknown[]) => logger.warn({ msg: 'lark ws sdk', detail: line(args) }),
    info: () => {},
    debug: () => {},
    trace: () => {},
  };
}

/**
 * Receives events and card callbacks over the SDK's long connection and hands the envelopes, untouched,
 * to our handlers. Resolves once connected; rejects if the platform refuses the app for good.
 */
export async function startLongConnection(opts: {
  appId: string;
  appSecret: string;
  domain: string;
  handlers: LongConnectionHandlers;
  logger?: Logger;
}): Promise<{ close(): void }> {
  const logger = opts.logger ?? silent;
  // WSClient.start silently does nothing for an app id of another shape.
  if (!APP_ID_PATTERN.test(opts.appId))
    throw new Error('LARK_APP_ID must look like cli_ followed by 16 hex digits');

  // A plain object with the dispatcher's one used method, so the SDK neither parses nor reshapes envelopes.
  const dispatcher = {
    async invoke(data: unknown): Promise<CardResponse | undefined> {
      const parsed = eventEnvelopeSchema.safeParse(data);
      if (!parsed.success) {
        logger.warn({ msg: 'lark ws: dropped a frame that is not a schema-2.0 envelope' });
        return undefined;
      }
      const envelope = parsed.data as EventEnvelope;
      const { event_id: eventId, event_type: eventType } = envelope.header;
      try {
        if (eventType === 'card.action.trigger') {
          // Always answer a card callback with an object: an empty ack still counts as handled.
          return (await opts.handlers.onCard(envelope)) ?? {};
        }
        await opts.handlers.onEvent(envelope);
        return undefined;
      } catch (err) {
        logger.error({ msg: 'lark ws: handler failed', eventId, eventType, err: String(err) });
        throw err;
      }
    },
  };

  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  const client = new lark.WSClient({
    appId: opts.appId,
    appSecret: opts.appSecret,
    domain: opts.domain,
    loggerLevel: lark.LoggerLevel.warn,
    logger: sdkLogger(logger),
    onReady: () => {
      logger.info({ msg: 'lark ws: connected' });
      settle?.resolve();
    },
    onError: (err: Error) => {
      logger.error({ msg: 'lark ws: gave up', err: err.message });
      settle?.reject(err);
    },
    onReconnecting: () => logger.warn({ msg: 'lark ws: reconnecting' }),
    onReconnected: () => logger.info({ msg: 'lark ws: reconnected' }),
  });
  acceptCardFrames(client, logger);
  const close = () => client.close({ force: true });
  await client.start({ eventDispatcher: dispatcher as unknown as EventDispatcher });
  try {
    await ready;
  } catch (err) {
    close();
    throw err;
  }
  return { close };
}
