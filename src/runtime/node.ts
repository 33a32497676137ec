// The Node.js runtime: SQLite file, HTTP server, a tick every minute, optional long connection.
// With no Lark credentials it starts the built-in Lark emulator as the sandbox.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { config as loadDotenv } from 'dotenv';
import { Hono } from 'hono';
import { ensureBindCode } from '../bot/bind-code';
import { type Config, loadConfig } from '../config';
import { createLarkTransport } from '../lark/client';
import { createLogger, type Logger } from '../log';
import type { DeliveryPolicy } from '../notify/deliver';
import { BusinessClock } from '../sandbox/clock';
import { LarkEmulator } from '../sandbox/emulator';
import { SANDBOX_USERS, sandboxPage, seedSandbox } from '../sandbox/page';
import { persistEmulator, restoreEmulator } from '../sandbox/persist';
import { createService, type Service } from '../service';
import type { Store } from '../store';
import { openSqliteStore } from '../store/sqlite';
import { isWebhookRequest, serveWebhook } from './node-webhook';
import { readSandboxClock, sandboxControls, saveSandboxClock } from './sandbox-controls';

export interface NodeRuntime {
  url: string;
  service: Service;
  store: Store;
  emulator?: LarkEmulator;
  close(): Promise<void>;
}

export interface NodeOptions {
  logger?: Logger;
  delivery?: Partial<DeliveryPolicy>;
  /** How long a Lark API call may take before it is retried. */
  larkTimeoutMs?: number;
  /** Business time (default the machine's); see `ServiceOptions.clock`. */
  clock?: () => number;
  /** Real time for safety timers (default the machine's); see `ServiceOptions.wallClock`. */
  wallClock?: () => number;
}

export async function startNode(
  env: Record<string, string | undefined>,
  opts: NodeOptions = {},
): Promise<NodeRuntime> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new ConfigError(loaded.problems);
  const config: Config = { ...loaded.config };
  const log = opts.logger ?? createLogger(config.logLevel);
  // The sandbox's one business clock, over the given or the machine's: the bot and the emulator read it,
  // the page moves it forward.
  const sandboxClock = config.sandbox ? new BusinessClock(opts.clock ?? Date.now) : undefined;
  const clock = sandboxClock ? () => sandboxClock.now() : (opts.clock ?? Date.now);

  let emulator: LarkEmulator | undefined;
  if (config.sandbox) {
    emulator = await LarkEmulator.start({
      appId: config.appId,
      appSecret: config.appSecret,
      encryptKey: config.encryptKey,
      verificationToken: config.verificationToken,
    });
    config.domain = emulator.url;
  }

  // The sandbox keeps its chats beside its database, so a restart shows the same conversations.
  const chatsFile =
    emulator && config.databasePath !== ':memory:' ? `${config.databasePath}.chats.json` : undefined;
  if (emulator && chatsFile && existsSync(config.databasePath)) restoreEmulator(emulator, chatsFile);
  const faults = new Set((env.RC_FAULTS ?? '').split(',').filter(Boolean));
  const { store, armFaults } = withCommitFaults(openSqliteStore(config.databasePath), faults);
  if (sandboxClock) {
    // Business time survives a restart: the cases in the database may already be days ahead of the wall clock.
    sandboxClock.set(sandboxClock.now() + Math.max(0, (await readSandboxClock(store)) ?? 0));
    await saveSandboxClock(store, sandboxClock);
    // The emulator's platform time (message times, the 14-day windows) moves with it; its signatures do not.
    emulator?.setClock(sandboxClock.now());
  }
  const transport = createLarkTransport({
    appId: config.appId,
    appSecret: config.appSecret,
    domain: config.domain,
    ...(opts.larkTimeoutMs ? { timeoutMs: opts.larkTimeoutMs } : {}),
    ...(opts.wallClock ? { now: opts.wallClock } : {}),
  });
  const service = createService({
    config,
    store,
    transport,
    logger: log,
    delivery: opts.delivery,
    clock,
    wallClock: opts.wallClock,
    defer: faults.has('kill-after-ack')
      ? // Fault injection: die after the platform got its 200 but before handling (crash-recovery tests, bench).
        () => setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100)
      : undefined,
  });

  // No admin yet: a one-time code makes whoever types it in a direct chat the first admin.
  const bindCode = await ensureBindCode(store, new Date(clock()), service.bot.newCode, config.adminOpenIds);
  if (bindCode) {
    log.warn({ msg: 'no admin yet; a one-time bind code was printed' });
    console.log(
      `尚未设置管理员：请在飞书中打开与「容错纠错助手」的私聊，发送「绑定管理员 ${bindCode}」（24 小时内有效，仅可使用一次）`,
    );
  }

  const saving = emulator && chatsFile ? persistEmulator(emulator, chatsFile) : undefined;
  let fetchHandler = service.app.fetch;
  if (emulator) {
    for (const u of SANDBOX_USERS) emulator.addUser(u);
    const root = new Hono();
    const controls = sandboxClock
      ? sandboxControls({ clock: sandboxClock, service, store, emulator, databasePath: config.databasePath })
      : undefined;
    root.route('/', sandboxPage(emulator, controls));
    root.route('/', service.app);
    fetchHandler = root.fetch;
  }
  // Lark's two addresses are served straight from node:http (the same receiver the Hono route uses);
  // the page, the health check and everything else go through Hono.
  const toHono = getRequestListener(fetchHandler);
  const webhook = serveWebhook(service.receive, log);
  const server = createServer((req, res) => (isWebhookRequest(req) ? webhook(req, res) : toHono(req, res)));
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  if (emulator) emulator.connectApp({ eventUrl: `${url}/webhook/event`, cardUrl: `${url}/webhook/card` });

  let ws: { close(): void } | undefined;
  if (config.transport === 'websocket') ws = await service.startLongConnection();

  // Whatever was accepted before a crash is handled now, before anything new: nothing is in flight yet.
  if (!faults.has('kill-after-ack')) {
    await service.deliverer.releaseLeases();
    await service.pipeline.recover();
    await service.tick(new Date(clock()));
  }
  // The demo roster and bound chats, set up through the bot's own commands, so the sandbox is usable at once.
  if (emulator) {
    await seedSandbox(emulator, () => service.settle()).catch((err: unknown) =>
      log.warn({ msg: 'sandbox demo setup failed', error: String(err) }),
    );
  }
  armFaults();
  const timer = setInterval(() => {
    service.tick(new Date(clock())).catch((err) => log.error({ msg: 'tick failed', error: String(err) }));
  }, 60_000);
  timer.unref();

  return {
    url,
    service,
    store,
    emulator,
    async close() {
      clearInterval(timer);
      ws?.close();
      service.deliverer.close();
      await service.settle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      saving?.close();
      await emulator?.close();
    },
  };
}

/**
 * Fault injection for crash tests: `kill-before-commit:N` or `kill-after-commit:N` kills the process at the
 * Nth commit once started up, before it runs or right after it is durable.
 */
function withCommitFaults(base: Store, faults: Set<string>): { store: Store; armFaults: () => void } {
  const at = [...faults].map((f) => /^kill-(before|after)-commit:(\d+)$/.exec(f)).find(Boolean);
  if (!at) return { store: base, armFaults: () => {} };
  const when = at[1];
  const n = Number(at[2]);
  let armed = false;
  let commits = 0;
  const store: Store = {
    ...base,
    async commit(writes) {
      if (!armed) return base.commit(writes);
      commits++;
      if (commits === n && when === 'before') process.kill(process.pid, 'SIGKILL');
      const result = await base.commit(writes);
      if (commits === n) process.kill(process.pid, 'SIGKILL');
      return result;
    },
  };
  return {
    store,
    armFaults: () => {
      armed = true;
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** `npm start`: the settings from the environment (and `.env`), the server until SIGINT or SIGTERM. */
export async function main() {
  if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    for (const p of loaded.problems) console.error(p);
    process.exit(1);
  }
  const { config } = loaded;
  const shown = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  console.log(
    config.sandbox
      ? `沙盒模式：未配置飞书凭据（LARK_APP_ID），使用内置飞书模拟器。请打开 ${shown}/sandbox`
      : `容错纠错助手正在启动：事件 ${shown}/webhook/event，卡片回调 ${shown}/webhook/card（${config.transport === 'websocket' ? '长连接' : 'Webhook'}）`,
  );
  const rt = await startNode(process.env);
  const stop = async () => {
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
