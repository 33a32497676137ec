import { z } from 'zod';

const FEISHU = 'https://open.feishu.cn';

const optionalNonEmpty = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

const envSchema = z.object({
  LARK_APP_ID: optionalNonEmpty,
  LARK_APP_SECRET: optionalNonEmpty,
  LARK_ENCRYPT_KEY: optionalNonEmpty,
  LARK_VERIFICATION_TOKEN: optionalNonEmpty,
  LARK_DOMAIN: optionalNonEmpty.pipe(
    z.url({ protocol: /^https?$/, message: '必须是 http(s) 地址' }).optional(),
  ),
  LARK_TRANSPORT: optionalNonEmpty.pipe(
    z.enum(['webhook', 'websocket'], { message: '应为 webhook 或 websocket' }).optional(),
  ),
  DATABASE_PATH: optionalNonEmpty,
  PORT: optionalNonEmpty
    .refine((s) => s === undefined || (/^\d+$/.test(s) && Number(s) <= 65535), '必须是 0–65535 之间的整数')
    .transform((s) => (s === undefined ? undefined : Number(s))),
  HOST: optionalNonEmpty,
  ADMIN_OPEN_IDS: optionalNonEmpty,
  LOG_LEVEL: optionalNonEmpty.pipe(
    z.enum(['debug', 'info', 'warn', 'error'], { message: '应为 debug、info、warn 或 error' }).optional(),
  ),
});

/** Rules across variables, checked on the raw values so every problem is reported in one go. */
function crossChecks(raw: Record<string, string | undefined>): string[] {
  const v = (k: string) => {
    const x = raw[k]?.trim();
    return x ? x : undefined;
  };
  const problems: string[] = [];
  const id = v('LARK_APP_ID');
  const secret = v('LARK_APP_SECRET');
  if (Boolean(id) !== Boolean(secret)) {
    problems.push(
      `配置错误 ${id ? 'LARK_APP_SECRET' : 'LARK_APP_ID'}：LARK_APP_ID 与 LARK_APP_SECRET 必须同时设置`,
    );
  }
  if (id && (v('LARK_TRANSPORT') ?? 'webhook') === 'webhook' && !v('LARK_VERIFICATION_TOKEN')) {
    problems.push(
      '配置错误 LARK_VERIFICATION_TOKEN：使用 webhook 接收事件时必须设置（开发者后台「事件与回调 → 加密策略」）',
    );
  }
  const admins = v('ADMIN_OPEN_IDS');
  if (admins && !admins.split(',').every((s) => /^ou_[\w-]+$/.test(s.trim()))) {
    problems.push('配置错误 ADMIN_OPEN_IDS：应为以逗号分隔的 open_id（ou_ 开头）');
  }
  return problems;
}

export interface Config {
  /** No Lark credentials: the built-in Lark emulator stands in for the platform. */
  sandbox: boolean;
  appId: string;
  appSecret: string;
  encryptKey?: string;
  verificationToken?: string;
  domain: string;
  transport: 'webhook' | 'websocket';
  databasePath: string;
  port: number;
  host: string;
  adminOpenIds: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Validates the environment; every problem is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((i) => `配置错误 ${String(i.path[0] ?? '环境变量')}：${i.message}`)),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  const e = parsed.data;
  const sandbox = !e.LARK_APP_ID;
  return {
    ok: true,
    config: {
      sandbox,
      appId: e.LARK_APP_ID ?? 'cli_sandbox',
      appSecret: e.LARK_APP_SECRET ?? 'sandbox-secret',
      encryptKey: e.LARK_ENCRYPT_KEY ?? (sandbox ? 'sandbox-encrypt-key' : undefined),
      verificationToken: e.LARK_VERIFICATION_TOKEN ?? (sandbox ? 'sandbox-verification-token' : undefined),
      domain: e.LARK_DOMAIN ?? FEISHU,
      transport: e.LARK_TRANSPORT ?? 'webhook',
      databasePath: e.DATABASE_PATH ?? (sandbox ? 'sandbox.sqlite' : 'data.sqlite'),
      port: e.PORT ?? 3000,
      host: e.HOST ?? (sandbox ? '127.0.0.1' : '0.0.0.0'),
      adminOpenIds: (e.ADMIN_OPEN_IDS ?? (sandbox ? 'ou_sandbox_admin' : ''))
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      logLevel: e.LOG_LEVEL ?? 'info',
    },
  };
}
