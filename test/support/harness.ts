import { silentLogger } from '../../src/log';
import { type NodeOptions, type NodeRuntime, startNode } from '../../src/runtime/node';
import { LarkEmulator } from '../../src/sandbox/emulator';
import { type CommandFor, decideAs } from './decide';
import { tempDbPath } from './stores';
import { watchWords } from './words';

export const APP = {
  appId: 'cli_a1b2c3d4e5f60708',
  appSecret: 'test-app-secret',
  encryptKey: 'test-encrypt-key-2026',
  verificationToken: 'test-verification-token',
};

export const OFFICER = { openId: 'ou_officer_zhang', name: '张执法' };
export const ADMIN = { openId: 'ou_admin_li', name: '李管理' };

export interface Harness {
  emu: LarkEmulator;
  rt: NodeRuntime;
  dbPath: string;
  env: Record<string, string>;
  /** Waits until every accepted event is handled and every due message delivered. */
  settle(): Promise<void>;
  /** A person's decision on a case through the real shell (what the buttons do), then delivery. */
  decide(caseId: string, openId: string, cmd: CommandFor): Promise<void>;
  close(): Promise<void>;
}

export function appEnv(
  emu: LarkEmulator,
  dbPath: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    LARK_APP_ID: APP.appId,
    LARK_APP_SECRET: APP.appSecret,
    LARK_ENCRYPT_KEY: APP.encryptKey,
    LARK_VERIFICATION_TOKEN: APP.verificationToken,
    LARK_DOMAIN: emu.url,
    DATABASE_PATH: dbPath,
    PORT: '0',
    HOST: '127.0.0.1',
    ADMIN_OPEN_IDS: ADMIN.openId,
    ...extra,
  };
}

export async function startEmulator(): Promise<LarkEmulator> {
  const emu = await LarkEmulator.start({ ...APP });
  emu.addUser(OFFICER);
  emu.addUser(ADMIN);
  return emu;
}

/** The real Node runtime (HTTP server, SQLite file, SDK client) against the emulator, in-process. */
export async function startHarness(
  opts: {
    dbPath?: string;
    emu?: LarkEmulator;
    env?: Record<string, string>;
    node?: Pick<NodeOptions, 'clock' | 'wallClock'>;
  } = {},
): Promise<Harness> {
  const emu = opts.emu ?? (await startEmulator());
  const dbPath = opts.dbPath ?? tempDbPath();
  const env = appEnv(emu, dbPath, opts.env);
  const rt = await startNode(env, { logger: silentLogger, delivery: { baseBackoffMs: 30 }, ...opts.node });
  const words = watchWords(emu);
  emu.connectApp({ eventUrl: `${rt.url}/webhook/event`, cardUrl: `${rt.url}/webhook/card` });
  return {
    emu,
    rt,
    dbPath,
    env,
    settle: () => rt.service.settle(),
    async decide(caseId, openId, cmd) {
      await decideAs(rt.service, caseId, openId, cmd);
      await rt.service.settle();
    },
    async close() {
      await rt.close();
      if (!opts.emu) await emu.close();
      // Every end-to-end story is also a check of the words it made the bot say.
      const problems = words.problems();
      if (problems.length > 0) throw new Error(`wording problems:\n${problems.join('\n')}`);
    },
  };
}
