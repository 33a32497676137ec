import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { loadConfig } from '../../src/config';
import { createLarkTransport } from '../../src/lark/client';
import { type Logger, silentLogger } from '../../src/log';
import type { LarkEmulator } from '../../src/sandbox/emulator';
import { createService, type Service } from '../../src/service';
import type { Store } from '../../src/store';
import { APP, appEnv, startEmulator } from './harness';

export interface Rig {
  emu: LarkEmulator;
  store: Store;
  service: Service;
  close(): Promise<void>;
}

/** The service over an opened store (either driver), served on loopback, with a fresh emulator pointed at it. */
export async function startRig(
  opened: { store: Store; dispose(): Promise<void> },
  logger: Logger = silentLogger,
): Promise<Rig> {
  const { store, dispose } = opened;
  const emu = await startEmulator();
  const loaded = loadConfig(appEnv(emu, 'unused.sqlite'));
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const service = createService({
    config: loaded.config,
    store,
    transport: createLarkTransport({ appId: APP.appId, appSecret: APP.appSecret, domain: emu.url }),
    logger,
    delivery: { baseBackoffMs: 30 },
  });
  const server = serve({ fetch: service.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emu.connectApp({ eventUrl: `${url}/webhook/event`, cardUrl: `${url}/webhook/card` });
  return {
    emu,
    store,
    service,
    async close() {
      service.deliverer.close();
      await service.settle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emu.close();
      await dispose();
    },
  };
}
