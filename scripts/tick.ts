// `npm run tick -- --now <ISO-8601>`: runs every due job once against the configured database and exits.
// With no Lark credentials the database is the sandbox's: its messages can only go to the running sandbox,
// which runs tick itself at that time (its business clock moves there); nothing is sent anywhere else.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { type Config, loadConfig } from '../src/config';
import { createLarkTransport } from '../src/lark/client';
import { createLogger } from '../src/log';
import { readSandboxClock } from '../src/runtime/sandbox-controls';
import { createService } from '../src/service';
import { openSqliteStore } from '../src/store/sqlite';

if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
const { values } = parseArgs({ options: { now: { type: 'string' } }, allowPositionals: false });
const now = values.now ? new Date(values.now) : undefined;
if (now && Number.isNaN(now.getTime())) {
  console.error(`--now 不是有效的 ISO-8601 时间：${values.now}`);
  process.exit(2);
}
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const p of loaded.problems) console.error(p);
  process.exit(1);
}
const { config } = loaded;
process.exit(config.sandbox ? await tickSandbox(config, now) : await tickLark(config, now ?? new Date()));

/** Hands the tick to the sandbox running on this machine, or refuses: the sandbox's chats live only there. */
async function tickSandbox(config: Config, at: Date | undefined): Promise<number> {
  // Loopback only, whatever HOST says: sandbox data never leaves the machine.
  const base = `http://127.0.0.1:${config.port}`;
  const databasePath = resolve(config.databasePath);
  let res: Response;
  try {
    res = await fetch(`${base}/sandbox/api/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...(at ? { to: at.toISOString() } : {}), databasePath }),
    });
  } catch {
    console.error(
      `未配置飞书凭据，${databasePath} 是沙盒的数据：沙盒没有在 ${base} 运行，未做任何处理。请先运行 npm start，再运行 npm run tick（或在沙盒页面上拨动时钟）。`,
    );
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as { error?: string; now?: number; report?: object };
  if (!res.ok || body.error) {
    console.error(`沙盒没有执行：${body.error ?? `HTTP ${res.status}`}`);
    return 1;
  }
  console.log(
    JSON.stringify({ now: new Date(body.now ?? Date.now()).toISOString(), sandbox: base, ...body.report }),
  );
  return 0;
}

async function tickLark(config: Config, at: Date): Promise<number> {
  const logger = createLogger(config.logLevel, (l) => process.stderr.write(`${l}\n`));
  const store = openSqliteStore(config.databasePath);
  try {
    if ((await readSandboxClock(store)) !== null) {
      console.error(
        `${resolve(config.databasePath)} 是沙盒的数据库：不能用飞书凭据处理沙盒数据，未做任何处理。请改用 DATABASE_PATH 指向正式数据库。`,
      );
      return 1;
    }
    const transport = createLarkTransport({
      appId: config.appId,
      appSecret: config.appSecret,
      domain: config.domain,
    });
    const service = createService({ config, store, transport, logger, clock: () => at.getTime() });
    const report = await service.tick(at);
    await service.settle();
    service.deliverer.close();
    console.log(JSON.stringify({ now: at.toISOString(), ...report }));
    return 0;
  } finally {
    await store.close();
  }
}
