import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { CardResponse, EventEnvelope } from '../../src/lark/envelope';
import { startLongConnection } from '../../src/lark/ws';
import { decodeFrame, encodeFrame } from '../../src/sandbox/pbbp2';
import { createWsEndpoint, type WsEndpoint } from '../../src/sandbox/ws-endpoint';
import { fixture } from './fixtures';

const APP_ID = 'cli_a1b2c3d4e5f60718';
const APP_SECRET = 'sandbox-app-secret';

type Log = { level: 'info' | 'warn' | 'error'; o: object };

function startPlatform(): Promise<{ server: Server; endpoint: WsEndpoint; baseUrl: string }> {
  let baseUrl = '';
  const endpoint = createWsEndpoint({ appId: APP_ID, appSecret: APP_SECRET, publicBaseUrl: () => baseUrl });
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/callback/ws/endpoint') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const { status, json } = endpoint.handleEndpointRequest(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  endpoint.attach(server);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({ server, endpoint, baseUrl });
    });
  });
}

describe('long connection through the SDK WSClient', () => {
  let platform: Awaited<ReturnType<typeof startPlatform>>;
  let connection: { close(): void };
  const events: EventEnvelope[] = [];
  const cards: EventEnvelope[] = [];
  const logs: Log[] = [];
  let failNextEvent = false;
  let cardAnswer: CardResponse = { toast: { type: 'success', content: '已记录您的意见' } };

  beforeAll(async () => {
    platform = await startPlatform();
    connection = await startLongConnection({
      appId: APP_ID,
      appSecret: APP_SECRET,
      domain: platform.baseUrl,
      logger: {
        info: (o) => logs.push({ level: 'info', o }),
        warn: (o) => logs.push({ level: 'warn', o }),
        error: (o) => logs.push({ level: 'error', o }),
      },
      handlers: {
        async onEvent(envelope) {
          if (failNextEvent) {
            failNextEvent = false;
            throw new Error('store unavailable');
          }
          events.push(envelope);
        },
        async onCard(envelope) {
          cards.push(envelope);
          return cardAnswer;
        },
      },
    });
  });

  afterAll(async () => {
    connection?.close();
    await platform?.endpoint.close();
    await new Promise((resolve) => platform?.server.close(resolve));
  });

  it('is connected once startLongConnection resolves', () => {
    expect(platform.endpoint.connected()).toBe(1);
  });

  it('delivers an event envelope untouched and acknowledges it', async () => {
    const envelope = fixture('im.message.receive_v1.group-mention.json');
    const ack = await platform.endpoint.pushEvent(envelope);
    expect(ack).toEqual({ code: 200 });
    expect(events).toEqual([envelope]);
    expect(cards).toEqual([]);
  });

  it('routes a card callback sent as a card frame to onCard and returns its answer', async () => {
    const envelope = fixture('card.action.trigger.button.json');
    const answer = await platform.endpoint.pushCard(envelope);
    expect(answer).toEqual({ toast: { type: 'success', content: '已记录您的意见' } });
    expect(cards.at(-1)).toEqual(envelope);
  });

  it('routes a card callback sent as an event frame to onCard too, with a replacement card', async () => {
    const envelope = fixture('card.action.trigger.form.json');
    cardAnswer = {
      toast: { type: 'info', content: '已保存' },
      card: {
        type: 'raw',
        data: { schema: '2.0', body: { elements: [{ tag: 'markdown', content: '**已提交**' }] } },
      },
    };
    const answer = await platform.endpoint.pushCard(envelope, { frameType: 'event' });
    expect(answer).toEqual(cardAnswer);
    expect(cards.at(-1)).toEqual(envelope);
    expect(events.map((e) => e.header.event_type)).not.toContain('card.action.trigger');
  });

  it('answers an empty object when the card handler has nothing to say', async () => {
    cardAnswer = {};
    expect(await platform.endpoint.pushCard(fixture('card.action.trigger.button.json'))).toEqual({});
  });

  it('answers 500 when the handler fails, so the platform redelivers, and logs the event id', async () => {
    failNextEvent = true;
    const envelope = fixture('im.message.receive_v1.p2p-text.json');
    const before = events.length;
    expect(await platform.endpoint.pushEvent(envelope)).toEqual({ code: 500 });
    expect(events.length).toBe(before);
    expect(logs).toContainEqual({
      level: 'error',
      o: expect.objectContaining({ msg: 'lark ws: handler failed', eventId: envelope.header.event_id }),
    });
    expect(await platform.endpoint.pushEvent(envelope)).toEqual({ code: 200 });
    expect(events.at(-1)).toEqual(envelope);
  });

  it('drops a frame that is not a schema-2.0 envelope without calling a handler', async () => {
    const before = events.length + cards.length;
    expect(await platform.endpoint.pushEvent({ hello: 'world' })).toEqual({ code: 200 });
    expect(events.length + cards.length).toBe(before);
    expect(logs.some((l) => l.level === 'warn')).toBe(true);
  });

  it('handles events pushed concurrently', async () => {
    const base = fixture('im.chat.member.bot.added_v1.json');
    const batch = Array.from({ length: 20 }, (_, i) => ({
      ...base,
      header: { ...base.header, event_id: `b${i}` },
    }));
    const acks = await Promise.all(batch.map((e) => platform.endpoint.pushEvent(e)));
    expect(acks.every((a) => (a as { code: number }).code === 200)).toBe(true);
    for (const e of batch) expect(events.some((got) => got.header.event_id === e.header.event_id)).toBe(true);
  });

  it('logged no SDK or connection errors besides the deliberate handler failure', () => {
    const errors = logs.filter(
      (l) => l.level === 'error' && (l.o as { msg?: string }).msg !== 'lark ws: handler failed',
    );
    expect(errors).toEqual([]);
    expect(logs).toContainEqual({ level: 'info', o: { msg: 'lark ws: connected' } });
  });
});

describe('long connection refusals', () => {
  it('rejects an app id the SDK would silently ignore', async () => {
    await expect(
      startLongConnection({
        appId: 'cli_short',
        appSecret: 'x',
        domain: 'http://127.0.0.1:9',
        handlers: { onEvent: async () => {}, onCard: async () => ({}) },
      }),
    ).rejects.toThrow(/LARK_APP_ID/);
  });

  it('rejects when the platform refuses the app secret', async () => {
    const platform = await startPlatform();
    try {
      await expect(
        startLongConnection({
          appId: APP_ID,
          appSecret: 'wrong',
          domain: platform.baseUrl,
          handlers: { onEvent: async () => {}, onCard: async () => ({}) },
        }),
      ).rejects.toThrow(/514/);
      expect(platform.endpoint.connected()).toBe(0);
    } finally {
      await platform.endpoint.close();
      await new Promise((resolve) => platform.server.close(resolve));
    }
  });
});

describe('the platform endpoint', () => {
  let platform: Awaited<ReturnType<typeof startPlatform>>;

  beforeAll(async () => {
    platform = await startPlatform();
  });

  afterAll(async () => {
    await platform.endpoint.close();
    await new Promise((resolve) => platform.server.close(resolve));
  });

  function connectUrl(): string {
    const { json } = platform.endpoint.handleEndpointRequest({ AppID: APP_ID, AppSecret: APP_SECRET });
    return (json as { data: { URL: string } }).data.URL;
  }

  it('hands out a ws URL and client config only for the right credentials', () => {
    const ok = platform.endpoint.handleEndpointRequest({ AppID: APP_ID, AppSecret: APP_SECRET });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      code: 0,
      data: {
        URL: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\/callback\/ws\/v2\?.*service_id=\d+.*ticket=/),
        ClientConfig: { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 120, ReconnectNonce: 30 },
      },
    });
    expect(platform.endpoint.handleEndpointRequest({ AppID: APP_ID, AppSecret: 'no' }).json).toMatchObject({
      code: 514,
    });
    expect(
      platform.endpoint.handleEndpointRequest({ AppID: 'cli_other', AppSecret: APP_SECRET }).json,
    ).toMatchObject({
      code: 514,
    });
    expect(platform.endpoint.handleEndpointRequest('nope').status).toBe(400);
  });

  it('refuses a socket without a valid ticket, and a ticket twice', async () => {
    const refused = (url: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => {
          resolve(res.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('open', () => {
          ws.terminate();
          reject(new Error('opened'));
        });
        ws.on('error', () => {});
      });
    const url = connectUrl();
    expect(await refused(url.replace(/ticket=[^&]+/, 'ticket=forged'))).toBe(403);
    const ws = new WebSocket(url);
    await new Promise((resolve) => ws.on('open', resolve));
    expect(await refused(url)).toBe(403);
    ws.terminate();
  });

  it('answers a ping with a pong carrying the client config', async () => {
    const ws = new WebSocket(connectUrl());
    await new Promise((resolve) => ws.on('open', resolve));
    const reply = new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
    ws.send(
      encodeFrame({
        SeqID: 0,
        LogID: 0,
        service: 33554678,
        method: 0,
        headers: [{ key: 'type', value: 'ping' }],
      }),
    );
    const pong = decodeFrame(await reply);
    expect(pong.method).toBe(0);
    expect(pong.service).toBe(33554678);
    expect(pong.headers).toEqual([{ key: 'type', value: 'pong' }]);
    expect(JSON.parse(new TextDecoder().decode(pong.payload))).toEqual({
      PingInterval: 120,
      ReconnectCount: -1,
      ReconnectInterval: 120,
      ReconnectNonce: 30,
    });
    ws.terminate();
  });

  it('rejects a push when nobody is connected and when the client goes away unanswered', async () => {
    await vi.waitFor(() => expect(platform.endpoint.connected()).toBe(0));
    await expect(platform.endpoint.pushEvent({})).rejects.toThrow(/no long-connection client/);
    const ws = new WebSocket(connectUrl());
    await new Promise((resolve) => ws.on('open', resolve));
    ws.once('message', () => ws.terminate());
    await expect(platform.endpoint.pushEvent({ schema: '2.0' })).rejects.toThrow(/connection closed/);
  });

  it('rejects pending pushes on close and refuses new connections afterwards', async () => {
    const ws = new WebSocket(connectUrl());
    await new Promise((resolve) => ws.on('open', resolve));
    const outcome = platform.endpoint.pushEvent({ schema: '2.0' }).then(
      () => 'answered',
      (err: Error) => err.message,
    );
    const closedSocket = new Promise((resolve) => ws.on('close', resolve));
    await platform.endpoint.close();
    expect(await outcome).toBe('endpoint closed');
    await closedSocket;
    expect(platform.endpoint.connected()).toBe(0);
    expect(
      platform.endpoint.handleEndpointRequest({ AppID: APP_ID, AppSecret: APP_SECRET }).json,
    ).toMatchObject({
      code: 1000040350,
    });
  });
});
