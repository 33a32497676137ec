import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START, START_FLAGS } from '../../scripts/build.mjs';
import { freePort } from '../support/process';
import { tempDbPath } from '../support/stores';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('npm start', () => {
  it('builds, then becomes the build, run with the flags the tests and the benchmark give it', () => {
    // `exec`: the shell npm starts is replaced by node, so the signals npm passes on (SIGTERM) reach the bot.
    expect(pkg.scripts.start).toBe(
      `node scripts/build.mjs && exec node ${START_FLAGS.join(' ')} ${START.out}`,
    );
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
  });

  it('is the README’s first command, after the install', () => {
    const first = /```sh\n([^\n]+)\n([^\n]+)\n```/.exec(readme);
    expect(first?.[1]).toMatch(/^npm ci && npm start\s+#/);
    expect(first?.[2]).toMatch(/^npm test\s+#/);
  });

  it('stops when npm is told to stop: SIGTERM reaches the bot, which closes and exits', async () => {
    const port = await freePort();
    const db = tempDbPath();
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('LARK_') && k !== 'ADMIN_OPEN_IDS'),
    );
    const npm = spawn('npm', ['start', '--silent'], {
      env: { ...clean, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: db, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    npm.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    const healthy = () =>
      fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
    try {
      let up = false;
      for (let i = 0; i < 300 && !up && npm.exitCode === null; i++) {
        up = await healthy();
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, out).toBe(true);
      npm.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise((r) => setTimeout(() => r('still running'), 15_000)),
      ]);
      expect(code, out).not.toBe('still running');
      expect(await healthy()).toBe(false);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      rmSync(dirname(db), { recursive: true, force: true });
    }
  }, 60_000);
});
