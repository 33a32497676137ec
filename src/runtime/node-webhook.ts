import type { IncomingMessage, ServerResponse } from 'node:http';
import { failureAnswer, MAX_BODY_BYTES, WEBHOOK_PATHS, type WebhookReceiver } from '../app';
import type { Logger } from '../log';

/** Lark's two addresses; everything else goes through the Hono app. */
const PATHS: ReadonlySet<string> = new Set(WEBHOOK_PATHS);

/** Whether node:http should hand this request to `serveWebhook` rather than to the Hono app. */
export function isWebhookRequest(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !req.url) return false;
  const q = req.url.indexOf('?');
  return PATHS.has(q < 0 ? req.url : req.url.slice(0, q));
}

/**
 * Serves a webhook request straight from node:http: the same receiver as the Hono route (`createReceiver`),
 * without building a web Request and Response around every event. The body is read from the socket and
 * given up on past 1 MiB, whether or not a length was declared.
 */
export function serveWebhook(
  receive: WebhookReceiver,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let tooLarge = false;
    const read = () =>
      readNodeBody(req, MAX_BODY_BYTES).then((body) => {
        tooLarge = body === null;
        return body;
      });
    const header = (name: string) => rawHeader(req.rawHeaders, name);
    receive(read, header, path)
      .catch((err: unknown) => failureAnswer(logger, path, err))
      .then((answer) => {
        const body = JSON.stringify(answer.body);
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          ...answer.headers,
          // What was not read of an oversized body is not read: the connection ends with this answer.
          ...(tooLarge ? { connection: 'close' } : {}),
        });
        res.end(body);
        if (tooLarge) res.once('finish', () => req.destroy());
      })
      // Only writing the answer can fail here (the client gone): nothing to answer, nothing recorded twice.
      .catch((err: unknown) => logger.warn({ msg: 'answer not written', path, error: String(err) }));
  };
}

/** The body, or null as soon as it is known to pass `max` bytes (declared or counted). */
export function readNodeBody(req: IncomingMessage, max: number): Promise<Uint8Array | null> {
  const declared = rawHeader(req.rawHeaders, 'content-length');
  if (declared !== undefined && (!/^\d+$/.test(declared) || Number(declared) > max))
    return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.off('data', onData);
        req.pause();
        resolve(null);
        return;
      }
      parts.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)));
    req.once('error', reject);
  });
}

/**
 * A header's value from the request's raw list (`name` in lower case), repeated ones joined with ", " as
 * node:http joins them: the few a webhook reads, without building `req.headers` for every request.
 */
export function rawHeader(raw: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length !== name.length || key.toLowerCase() !== name) continue;
    value = value === undefined ? raw[i + 1]! : `${value}, ${raw[i + 1]!}`;
  }
  return value;
}
