// `npm run tick -- --now <ISO-8601>`: runs every due job once against the configured database and exits.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { loadConfig } from '../src/config';
import { createLarkTransport } from '../src/lark/client';
import { createLogger } from '../src/log';
import { createService } from '../src/service';
import { openSqliteStore } from '../src/store/sqlite';

if (existsSync('.env')) loadDotenv({ path: '.env', quiet: true });
const { values } = parseArgs({ options: { now: { type: 'string' } }, allowPositionals: false });
const now = values.now ? new Date(values.now) : new Date();
if (Number.isNaN(now.getTime())) {
  console.error(`--now 不是有效的 ISO-8601 时间：${values.now}`);
  process.exit(2);
}
const loaded = loadConfig(process.env);
if (!loaded.ok) {
  for (const p of loaded.problems) console.error(p);
  process.exit(1);
}
const { config } = loaded;
const logger = createLogger(config.logLevel, (l) => process.stderr.write(`${l}\n`));
const store = openSqliteStore(config.databasePath);
const transport = createLarkTransport({
  appId: config.appId,
  appSecret: config.appSecret,
  domain: config.domain,
});
const service = createService({ config, store, transport, logger, clock: () => now.getTime() });
try {
  const report = await service.tick(now);
  await service.settle();
  service.deliverer.close();
  console.log(JSON.stringify({ now: now.toISOString(), ...report }));
} finally {
  await store.close();
}
// The SDK's HTTP agent keeps sockets open; the work is done.
process.exit(0);
