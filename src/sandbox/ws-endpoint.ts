import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { constantTimeEqualHex } from '../lark/crypto';
import { decodeFrame, encodeFrame, type Frame, FrameMethod, frameHeader } from './pbbp2';

/** The platform side of the Lark long connection, for tests and the sandbox. */
export interface WsEndpoint {
  /** Answers `POST /callback/ws/endpoint` (body `{AppID, AppSecret}`). */
  handleEndpointRequest(body: unknown): { status: number; json: unknown };
  /** Handles WebSocket upgrades on the endpoint's path; other upgrades are left alone. */
  attach(server: Server): void;
  connected(): number;
  /** Sends a `type=event` data frame; resolves with the client's ack payload (`{code, data?}`). */
  pushEvent(envelope: object): Promise<unknown>;
  /** Sends a card callback; resolves with the decoded response JSON (toast/card), undefined if none. */
  pushCard(envelope: object, opts?: { frameType?: 'card' | 'event' }): Promise<unknown>;
  close(): Promise<void>;
}

export interface WsEndpointOptions {
  appId: string;
  appSecret: string;
  /** e.g. http://127.0.0.1:PORT; its scheme is switched to ws(s) for the socket URL. */
  publicBaseUrl: () => string;
  path?: string;
  pushTimeoutMs?: number;
  maxConnections?: number;
  maxPending?: number;
}

type ClientConfig = {
  PingInterval: number;
  ReconnectCount: number;
  ReconnectInterval: number;
  ReconnectNonce: number;
};

type Pending = {
  socket: WebSocket;
  type: 'event' | 'card';
  timer: NodeJS.Timeout;
  resolve: (payload: unknown) => void;
  reject: (err: Error) => void;
};

// Codes the SDK understands: 0 ok, 514 auth failed (not retried), 1000040350 too many connections.
const CODE_OK = 0;
const CODE_AUTH_FAILED = 514;
const CODE_EXCEED_CONN_LIMIT = 1000040350;
const MAX_TICKETS = 64;
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const SERVICE_ID = 33554678;
// Same shape and defaults (seconds) as the platform's ClientConfig.
const CLIENT_CONFIG: ClientConfig = {
  PingInterval: 120,
  ReconnectCount: -1,
  ReconnectInterval: 120,
  ReconnectNonce: 30,
};

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export function createWsEndpoint(opts: WsEndpointOptions): WsEndpoint {
  const path = opts.path ?? '/callback/ws/v2';
  const pushTimeoutMs = opts.pushTimeoutMs ?? 10_000;
  const maxConnections = opts.maxConnections ?? 8;
  const maxPending = opts.maxPending ?? 256;

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const tickets = new Map<string, string>(); // ticket → device id; single use, bounded
  const sockets: WebSocket[] = [];
  const pending = new Map<string, Pending>();
  const servers: Server[] = [];
  let seq = 0;
  let nextSocket = 0;
  let closed = false;

  const sameSecret = (given: unknown, expected: string) =>
    typeof given === 'string' && constantTimeEqualHex(given, expected);

  function handleEndpointRequest(body: unknown): { status: number; json: unknown } {
    if (typeof body !== 'object' || body === null) {
      return { status: 400, json: { code: 400, msg: 'bad request', data: {} } };
    }
    const { AppID, AppSecret } = body as Record<string, unknown>;
    // `data: {}` on refusals: the SDK destructures data before it reads code.
    if (!sameSecret(AppID, opts.appId) || !sameSecret(AppSecret, opts.appSecret)) {
      return { status: 200, json: { code: CODE_AUTH_FAILED, msg: 'app id or secret invalid', data: {} } };
    }
    if (closed || sockets.length >= maxConnections) {
      return {
        status: 200,
        json: { code: CODE_EXCEED_CONN_LIMIT, msg: 'exceed connection limit', data: {} },
      };
    }
    const ticket = randomUUID();
    const deviceId = randomBytes(8).toString('hex');
    tickets.set(ticket, deviceId);
    while (tickets.size > MAX_TICKETS) tickets.delete(tickets.keys().next().value as string);
    const base = opts.publicBaseUrl().replace(/^http/, 'ws').replace(/\/+$/, '');
    const query = new URLSearchParams({
      fpid: '493',
      aid: '552564',
      device_id: deviceId,
      access_key: randomBytes(16).toString('hex'),
      service_id: String(SERVICE_ID),
      ticket,
    });
    return {
      status: 200,
      json: {
        code: CODE_OK,
        msg: 'ok',
        data: { URL: `${base}${path}?${query}`, ClientConfig: CLIENT_CONFIG },
      },
    };
  }

  function refuseUpgrade(socket: Duplex, status: number, message: string): void {
    socket.end(
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Service Unavailable'}\r\n` +
        `handshake-status: ${status}\r\nhandshake-msg: ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    socket.destroy();
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://endpoint.invalid');
    if (url.pathname !== path) return;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (closed || !tickets.has(ticket)) {
      refuseUpgrade(socket, 403, 'invalid ticket');
      return;
    }
    if (sockets.length >= maxConnections) {
      refuseUpgrade(socket, 503, 'exceed connection limit');
      return;
    }
    tickets.delete(ticket);
    wss.handleUpgrade(req, socket, head, (ws) => register(ws));
  }

  function register(ws: WebSocket): void {
    sockets.push(ws);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => onMessage(ws, data));
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      const i = sockets.indexOf(ws);
      if (i >= 0) sockets.splice(i, 1);
      for (const [id, p] of pending) if (p.socket === ws) settle(id)?.reject(new Error('connection closed'));
    });
  }

  function settle(messageId: string): Pending | undefined {
    const p = pending.get(messageId);
    if (!p) return undefined;
    pending.delete(messageId);
    clearTimeout(p.timer);
    return p;
  }

  function send(ws: WebSocket, frame: Frame): void {
    ws.send(encodeFrame(frame));
  }

  function onMessage(ws: WebSocket, data: Buffer | ArrayBuffer | Buffer[]): void {
    const bytes = Array.isArray(data) ? Buffer.concat(data) : new Uint8Array(data);
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch {
      ws.close(1002, 'bad frame');
      return;
    }
    const type = frameHeader(frame, 'type');
    if (frame.method === FrameMethod.control) {
      if (type === 'ping') {
        send(ws, {
          SeqID: 0,
          LogID: 0,
          service: frame.service,
          method: FrameMethod.control,
          headers: [{ key: 'type', value: 'pong' }],
          payload: utf8.encode(JSON.stringify(CLIENT_CONFIG)),
        });
      }
      return;
    }
    if (frame.method !== FrameMethod.data) return;
    const p = settle(frameHeader(frame, 'message_id') ?? '');
    if (!p) return;
    // An answer must echo the frame it answers, headers included.
    if (type !== p.type) {
      p.reject(new Error('client answered with a different frame type'));
      return;
    }
    try {
      p.resolve(JSON.parse(utf8Decoder.decode(frame.payload ?? new Uint8Array())));
    } catch {
      p.reject(new Error('client answered with a malformed ack'));
    }
  }

  function pushFrame(type: 'event' | 'card', envelope: object): Promise<unknown> {
    const open = sockets.filter((s) => s.readyState === s.OPEN);
    if (closed || open.length === 0) return Promise.reject(new Error('no long-connection client connected'));
    if (pending.size >= maxPending) return Promise.reject(new Error('too many unanswered frames'));
    // One client of a cluster gets each message, as on the platform.
    const ws = open[nextSocket++ % open.length]!;
    const messageId = randomUUID();
    const id = ++seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => settle(messageId)?.reject(new Error('client did not answer in time')),
        pushTimeoutMs,
      );
      timer.unref();
      pending.set(messageId, { socket: ws, type, timer, resolve, reject });
      send(ws, {
        SeqID: id,
        LogID: id,
        service: SERVICE_ID,
        method: FrameMethod.data,
        headers: [
          { key: 'type', value: type },
          { key: 'message_id', value: messageId },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: randomUUID() },
        ],
        payload: utf8.encode(JSON.stringify(envelope)),
      });
    });
  }

  async function pushCard(envelope: object, o?: { frameType?: 'card' | 'event' }): Promise<unknown> {
    const ack = (await pushFrame(o?.frameType ?? 'card', envelope)) as { code?: unknown; data?: unknown };
    if (ack.code !== 200) throw new Error(`card callback failed with code ${String(ack.code)}`);
    if (typeof ack.data !== 'string') return undefined;
    return JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8'));
  }

  return {
    handleEndpointRequest,
    attach(server) {
      server.on('upgrade', onUpgrade);
      servers.push(server);
    },
    connected: () => sockets.filter((s) => s.readyState === s.OPEN).length,
    pushEvent: (envelope) => pushFrame('event', envelope),
    pushCard,
    async close() {
      closed = true;
      for (const server of servers.splice(0)) server.off('upgrade', onUpgrade);
      for (const id of [...pending.keys()]) settle(id)?.reject(new Error('endpoint closed'));
      for (const ws of sockets.splice(0)) ws.terminate();
      tickets.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
