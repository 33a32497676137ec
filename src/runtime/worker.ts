// The Cloudflare Workers runtime: D1 store, Cron Trigger for tick, waitUntil for work after the 200.
import type { D1Database, ExecutionContext, ScheduledController } from '@cloudflare/workers-types';
import { AnonymousDrafts } from '../bot/redact';
import { loadConfig } from '../config';
import { createLarkTransport, type LarkTransport } from '../lark/client';
import { createLogger } from '../log';
import { createService, type Service } from '../service';
import { openD1Store } from '../store/d1';

export interface WorkerEnv {
  DB: D1Database;
  [key: string]: unknown;
}

// A service is built per request; who has an anonymous draft open lives as long as the isolate, never in D1.
const anonymousDrafts = new AnonymousDrafts();

// One SDK client per isolate, so the tenant token and the bot's open_id it caches outlive a request
// (a client per request fetched a token and called bot/v3/info every time).
const transports = new Map<string, LarkTransport>();

function transportFor(o: { appId: string; appSecret: string; domain: string }): LarkTransport {
  const key = JSON.stringify([o.appId, o.appSecret, o.domain]);
  let t = transports.get(key);
  if (!t) {
    t = createLarkTransport(o);
    transports.set(key, t);
  }
  return t;
}

function build(env: WorkerEnv, wallClock?: () => number): Service {
  const vars = Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<
    string,
    string
  >;
  const loaded = loadConfig(vars);
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const { config } = loaded;
  const logger = createLogger(config.logLevel, (l) => console.log(l));
  const store = openD1Store(env.DB);
  const transport = transportFor({ appId: config.appId, appSecret: config.appSecret, domain: config.domain });
  return createService({
    config,
    store,
    transport,
    logger,
    wallClock,
    // A timer set in one request must not fire in another: the Cron Trigger's tick retries instead.
    delivery: { selfSchedule: false },
    // One request per invocation: its event is handled at once, inside its waitUntil, with nothing to give way to.
    handling: { quietMs: 0 },
    anonymousDrafts,
  });
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext) {
    const service = build(env);
    const response = await service.app.fetch(request, env, ctx as never);
    // Handling and delivery continue after the response; the Worker stays alive until they settle.
    ctx.waitUntil(service.settle());
    return response;
  },
  async scheduled(controller: ScheduledController, env: WorkerEnv, ctx: ExecutionContext) {
    // The platform's own reading of when the trigger fired is real time: retries due by then go out.
    const firedAt = controller.scheduledTime;
    const service = build(env, () => Math.max(Date.now(), firedAt));
    ctx.waitUntil(service.tick(new Date(controller.scheduledTime)).then(() => service.settle()));
  },
};
