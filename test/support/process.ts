import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { START_FLAGS } from '../../scripts/build.mjs';
import { builtStart } from './built';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
}

/** Starts `npm start`'s entry point as a real process and waits until it answers /healthz (bounded). */
export async function startProcess(
  env: Record<string, string | undefined>,
  opts: { mayDie?: boolean } = {},
): Promise<Started> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('LARK_') && k !== 'ADMIN_OPEN_IDS'),
  );
  const child = spawn(process.execPath, [...START_FLAGS, builtStart()], {
    env: { ...clean, LOG_LEVEL: 'error', ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${env.PORT}/healthz`;
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, exited, stdout: () => out };
    if (child.exitCode !== null || child.signalCode !== null) {
      // A process told to die at some point may do so before it is up (crash tests).
      if (opts.mayDie) return { child, exited, stdout: () => out };
      throw new Error(`process exited during start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`process did not start: ${out}`);
}
