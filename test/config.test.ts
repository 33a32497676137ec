import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';

describe('configuration from the environment', () => {
  it('no credentials means the sandbox, on loopback', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({ sandbox: true, host: '127.0.0.1', port: 3000, transport: 'webhook' });
    expect(r.config.encryptKey).toBeTruthy();
  });

  it('a full configuration is taken as given, blanks count as unset', () => {
    const r = loadConfig({
      LARK_APP_ID: 'cli_a1b2c3d4e5f60708',
      LARK_APP_SECRET: 's',
      LARK_ENCRYPT_KEY: 'k',
      LARK_VERIFICATION_TOKEN: 't',
      LARK_DOMAIN: 'https://open.larksuite.com',
      PORT: '8080',
      ADMIN_OPEN_IDS: 'ou_a, ou_b',
      LOG_LEVEL: '',
    });
    expect(r.ok && r.config).toMatchObject({
      sandbox: false,
      domain: 'https://open.larksuite.com',
      port: 8080,
      host: '0.0.0.0',
      adminOpenIds: ['ou_a', 'ou_b'],
      logLevel: 'info',
    });
  });

  it('the long connection needs no verification token; the webhook does', () => {
    expect(loadConfig({ LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's', LARK_TRANSPORT: 'websocket' }).ok).toBe(
      true,
    );
    const r = loadConfig({ LARK_APP_ID: 'cli_x', LARK_APP_SECRET: 's' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([expect.stringMatching(/^配置错误 LARK_VERIFICATION_TOKEN：/)]);
  });

  it('every problem is one line naming its variable', () => {
    const r = loadConfig({ LARK_DOMAIN: 'ftp://x', PORT: '70000', ADMIN_OPEN_IDS: 'bob', LOG_LEVEL: 'loud' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.split('：')[0])).toEqual(
      expect.arrayContaining([
        '配置错误 LARK_DOMAIN',
        '配置错误 PORT',
        '配置错误 ADMIN_OPEN_IDS',
        '配置错误 LOG_LEVEL',
      ]),
    );
    expect(r.problems).toHaveLength(4);
  });
});
