import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { builtStart } from '../support/built';
import { freePort, startProcess } from '../support/process';
import { tempDbPath } from '../support/stores';

describe('npm start with no Lark credentials', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('runs the built-in sandbox, says so on its first line, and the bot answers there', async () => {
    const port = await freePort();
    const p = await startProcess({ PORT: String(port), DATABASE_PATH: tempDbPath() });
    children.push(p.child);
    const firstLine = p.stdout().split('\n')[0]!;
    expect(firstLine).toContain('沙盒模式');
    expect(firstLine).toContain(`http://127.0.0.1:${port}/sandbox`);

    const page = await fetch(`http://127.0.0.1:${port}/sandbox`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('容错纠错助手 · 沙盒');

    const said = await fetch(`http://127.0.0.1:${port}/sandbox/say`, {
      method: 'POST',
      body: new URLSearchParams({ as: 'ou_sandbox_officer', text: '帮助' }),
      redirect: 'manual',
    });
    expect(said.status).toBe(303);
    let html = '';
    for (let i = 0; i < 100 && !html.includes('申请容错'); i++) {
      html = await (await fetch(`http://127.0.0.1:${port}/sandbox?as=ou_sandbox_officer`)).text();
      if (!html.includes('申请容错')) await new Promise((r) => setTimeout(r, 50));
    }
    expect(html).toContain('申请容错');
    p.child.kill('SIGTERM');
    await p.exited;
  }, 60_000);

  it('a malformed variable stops start-up with one clear line naming it', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [builtStart()], {
      env: { PATH: process.env.PATH, PORT: 'eighty', LARK_APP_ID: 'cli_x', LARK_TRANSPORT: 'carrier-pigeon' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^配置错误 PORT：/),
        expect.stringMatching(/^配置错误 LARK_TRANSPORT：/),
        expect.stringMatching(/^配置错误 LARK_APP_SECRET：/),
      ]),
    );
  }, 60_000);
});

describe('the sandbox after a restart', () => {
  it('shows the same chats: messages are kept beside the database', async () => {
    const { startNode } = await import('../../src/runtime/node');
    const { silentLogger } = await import('../../src/log');
    const dbPath = tempDbPath();
    const env = { PORT: '0', DATABASE_PATH: dbPath };
    const first = await startNode(env, { logger: silentLogger });
    const sent = await first.emulator!.sendText('ou_sandbox_officer', '帮助');
    await first.service.settle();
    const before = first.emulator!.messages({ openId: 'ou_sandbox_officer', from: 'any' });
    expect(before.some((m) => m.replyTo === sent.messageId)).toBe(true);
    await first.close();

    const second = await startNode(env, { logger: silentLogger });
    const after = second.emulator!.messages({ openId: 'ou_sandbox_officer', from: 'any' });
    expect(after.map((m) => m.messageId)).toEqual(expect.arrayContaining(before.map((m) => m.messageId)));
    // The demo setup is not repeated: the chats were already there.
    const party = Object.values(second.emulator!.state.chats).filter((c) => c.name === '党组群');
    expect(party).toHaveLength(1);
    const help = after.find((m) => m.replyTo === sent.messageId)!;
    const click = await second.emulator!.clickButton('ou_sandbox_officer', help.messageId, '我的案件');
    expect(click.status).toBe(200);
    expect(click.toast).toEqual({ type: 'info', content: '已在私聊中回复' });
    await second.close();
  }, 60_000);
});
