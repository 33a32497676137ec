// The real service on a fresh SQLite file with nothing behind it: no platform, nothing sent. Handling ends
// at the committed outbox row or answer. For the one-process benches (bench-handling.ts, bench-votes.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config';
import { silentLogger } from '../src/log';
import { createService } from '../src/service';
import { openSqliteStore } from '../src/store/sqlite';

export function offlineService(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `rc-${name}-`));
  const store = openSqliteStore(join(dir, 'bench.sqlite'));
  const loaded = loadConfig({
    LARK_APP_ID: 'cli_bench',
    LARK_APP_SECRET: 'secret',
    LARK_ENCRYPT_KEY: 'key',
    LARK_VERIFICATION_TOKEN: 'token',
    DATABASE_PATH: 'unused.sqlite',
    LARK_DOMAIN: 'http://127.0.0.1:9',
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const transport = new Proxy({} as never, {
    get: () => async () => {
      throw new Error('no sending in this run');
    },
  });
  const service = createService({ config: loaded.config, store, transport, logger: silentLogger });
  service.deliverer.close();
  return {
    store,
    service,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
