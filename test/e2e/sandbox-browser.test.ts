import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { type NodeRuntime, startNode } from '../../src/runtime/node';
import { Repo } from '../../src/store/repo';
import { launchChromium, skipWithoutBrowser } from '../support/browser';
import { tempDbPath } from '../support/stores';

const skip = skipWithoutBrowser('sandbox-browser');

const OFFICER = 'ou_sandbox_officer';
const SECRETARY = 'ou_sandbox_secretary';

// The page updates itself by polling; give it a bounded while on a slow CI machine.
const until = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 50 });

/** Yesterday in Asia/Shanghai, a date the intake accepts as not in the future. */
function yesterdayInShanghai(): string {
  return new Date(Date.now() + 8 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
}

describe.skipIf(skip)('the sandbox in a real browser (chromium, headless)', () => {
  let rt: NodeRuntime;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    rt = await startNode({ PORT: '0', DATABASE_PATH: tempDbPath() }, { logger: silentLogger });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    page.setDefaultTimeout(15_000);
    page.on('request', (r) => requested.push(r.url()));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await rt?.close();
  });

  const card = (text: string) => page.locator('#messages .msg.from-app').filter({ hasText: text }).last();

  it('starts with the demo organisation set up by chat commands', async () => {
    const emu = rt.emulator!;
    const party = emu.state.chats.oc_sandbox_party!;
    expect(party.members).toEqual(expect.arrayContaining([SECRETARY, 'ou_sandbox_member1']));
    expect(party.members).not.toContain('ou_sandbox_admin');
    const repo = new Repo(rt.store.db);
    expect((await repo.withRole('secretary')).map((r) => r.openId)).toEqual([SECRETARY]);
    expect((await repo.withRole('clerk')).map((r) => r.openId)).toEqual(['ou_sandbox_clerk']);
    expect((await repo.withRole('investigator')).map((r) => r.openId)).toEqual(['ou_sandbox_investigator']);
    expect((await repo.bindings()).map((b) => b.kind).sort()).toEqual(['party', 'publication', 'unit']);
  });

  it('an officer types 帮助, clicks 申请容错, fills the first step and sees the next one', async () => {
    await page.goto(`${rt.url}/sandbox?as=${OFFICER}`);
    await until(() => page.locator('#chat-title').textContent()).toBe('容错纠错助手');

    await page.fill('#text', '帮助');
    await page.press('#text', 'Enter');
    const help = card('查询 编号/查询码');
    await help.getByRole('button', { name: '申请容错' }).click();
    // The click's answer is shown as a toast, as the Lark client does.
    await until(() => page.locator('#toasts .toast').count()).toBeGreaterThan(0);

    const step1 = card('第 1/7 步');
    await step1.locator('[data-field=title]').fill('夜间检查时临机决定暂扣设备');
    const date = yesterdayInShanghai();
    await step1.locator('[data-field=occurredOn]').fill(date);
    await step1.locator('[data-field=stage]').selectOption({ label: '检查' });
    await step1.locator('[data-field=unitId]').selectOption({ label: '执法一科' });
    await step1.getByRole('button', { name: '下一步' }).click();

    await until(() => card('第 2/7 步').count()).toBe(1);
    const [draft] = await new Repo(rt.store.db).casesOfSubject(OFFICER);
    expect(draft?.facts).toMatchObject({
      title: '夜间检查时临机决定暂扣设备',
      occurredOn: date,
      stage: 'inspection',
      unitId: 'enforcement_1',
    });
  });

  it('a confirm dialog guards a dangerous button, and cancelling it sends nothing', async () => {
    const clicksBefore = rt.emulator!.deliveries().filter((d) => d.kind === 'card').length;
    await card('第 2/7 步').getByRole('button', { name: '取消申请' }).click();
    await until(() => page.locator('#modal').isVisible()).toBe(true);
    expect(await page.locator('#modal-title').textContent()).toBe('确定取消本次申请？');
    await page.locator('#modal-cancel').click();
    await until(() => page.locator('#modal').isVisible()).toBe(false);
    expect(rt.emulator!.deliveries().filter((d) => d.kind === 'card').length).toBe(clicksBefore);
  });

  it('attaching a file sends a file message with that name', async () => {
    await page.locator('#attach').click();
    await page.fill('#file-name', '现场检查记录.pdf');
    await page.locator('#file-send').click();
    await until(() => page.locator('#messages .msg.mine .bubble.file').last().textContent()).toContain(
      '现场检查记录.pdf',
    );
    const files = rt
      .emulator!.messages({ openId: OFFICER, from: 'user' })
      .filter((m) => m.msgType === 'file');
    expect(files.map((m) => (m.content as { file_name: string }).file_name)).toEqual(['现场检查记录.pdf']);
  });

  it('switching to the secretary shows their chats; the party group offers the bot mention', async () => {
    await page.locator('#user').selectOption(SECRETARY);
    await until(() => page.locator('#chats .chat-name').allTextContents()).toEqual([
      '容错纠错助手',
      '党组群',
      '公示群',
    ]);
    await page.locator('#chats .chat', { hasText: '党组群' }).click();
    await until(() => page.locator('#chat-title').textContent()).toBe('党组群');
    expect(await page.locator('#mention-bar').isVisible()).toBe(true);
    expect(await page.locator('#mention-bot').isChecked()).toBe(true);
    await until(() => card('已设置党组成员').count()).toBe(1);
    // The admin's command shows its mentions by name.
    expect(await page.locator('#messages').textContent()).toContain('@容错纠错助手 党组成员 @李委员 @周委员');

    // Without the bot mention a group message stays among people; other members can still be @mentioned.
    await page.locator('#mention-bot').uncheck();
    await page.locator('#mention-pick').selectOption({ label: '@李委员' });
    await page.fill('#text', '请看一下这个申请');
    await page.locator('#send').click();
    await until(() => page.locator('#toasts').textContent()).toContain('机器人不会收到');
    await until(() => page.locator('#messages .msg.mine .bubble').last().textContent()).toBe(
      '请看一下这个申请 @李委员',
    );
    const sent = rt.emulator!.messages({ chatId: 'oc_sandbox_party', from: 'user' }).at(-1)!;
    expect(sent.senderOpenId).toBe(SECRETARY);

    const shot = join(tmpdir(), `sandbox-browser-${process.pid}.png`);
    await page.screenshot({ path: shot });
    expect(existsSync(shot)).toBe(true);
    expect(new URL(page.url()).searchParams.get('as')).toBe(SECRETARY);
  });

  it('never asked for anything but the sandbox on 127.0.0.1', () => {
    expect(requested.length).toBeGreaterThan(0);
    for (const u of requested) expect(u.startsWith(`${rt.url}/`)).toBe(true);
  });
});
