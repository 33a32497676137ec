import { Hono } from 'hono';
import type { EmulatedMessage, LarkEmulator } from './emulator';
import { cardButtons } from './emulator-cards';

export const SANDBOX_USERS = [
  { openId: 'ou_sandbox_officer', name: '张执法（执法人员）' },
  { openId: 'ou_sandbox_admin', name: '王管理（管理员）' },
];

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function cardText(content: unknown): string {
  const c = content as { header?: { title?: { content?: string } }; body?: { elements?: unknown[] } };
  const parts: string[] = [];
  if (c?.header?.title?.content) parts.push(`<b>${esc(c.header.title.content)}</b>`);
  const walk = (els: unknown[] | undefined) => {
    for (const e of els ?? []) {
      const el = e as {
        tag?: string;
        content?: string;
        elements?: unknown[];
        columns?: { elements?: unknown[] }[];
      };
      if (el.tag === 'markdown' && el.content) parts.push(esc(el.content).replace(/\n/g, '<br>'));
      walk(el.elements);
      for (const col of el.columns ?? []) walk(col.elements);
    }
  };
  walk(c?.body?.elements);
  return parts.join('<br>');
}

function renderMessage(m: EmulatedMessage, as: string): string {
  const body =
    m.msgType === 'interactive'
      ? cardText(m.content)
      : esc(String((m.content as { text?: string })?.text ?? JSON.stringify(m.content)));
  const buttons =
    m.msgType === 'interactive' && m.from === 'app'
      ? cardButtons(m.content)
          .map(
            (b) =>
              `<form method="post" action="/sandbox/click" style="display:inline"><input type="hidden" name="as" value="${esc(as)}"><input type="hidden" name="message" value="${esc(m.messageId)}"><input type="hidden" name="value" value="${esc(JSON.stringify(b.value))}"><button>${esc(b.text)}</button></form>`,
          )
          .join(' ')
      : '';
  return `<div class="msg ${m.from}"><div>${body}</div>${buttons ? `<div>${buttons}</div>` : ''}</div>`;
}

/** A plain page to talk to the bot through the emulator, for trying it out with no tenant. */
export function sandboxPage(emu: LarkEmulator) {
  const app = new Hono();
  app.get('/sandbox', (c) => {
    const as = SANDBOX_USERS.some((u) => u.openId === c.req.query('as'))
      ? c.req.query('as')!
      : SANDBOX_USERS[0]!.openId;
    const messages = emu.messages({ openId: as, from: 'any' }).slice(-30);
    const users = SANDBOX_USERS.map(
      (u) => `<a href="/sandbox?as=${u.openId}"${u.openId === as ? ' class="on"' : ''}>${esc(u.name)}</a>`,
    ).join(' ');
    return c.html(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>容错纠错助手 · 沙盒</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#1f2329}.msg{border:1px solid #dee0e3;border-radius:8px;padding:.6em .8em;margin:.5em 0}.user{background:#e1eaff;margin-left:20%}.app{background:#fff}a.on{font-weight:bold}form.say{display:flex;gap:.5em}form.say input{flex:1;padding:.4em}</style></head>
<body><h1>容错纠错助手 · 沙盒</h1><p>内置飞书模拟器：以下是与机器人的私聊。当前身份：${users}</p>
${messages.map((m) => renderMessage(m, as)).join('\n')}
<form class="say" method="post" action="/sandbox/say"><input type="hidden" name="as" value="${esc(as)}"><input name="text" placeholder="输入消息，例如：帮助" autofocus><button>发送</button></form>
</body></html>`);
  });
  app.post('/sandbox/say', async (c) => {
    const form = await c.req.parseBody();
    const as = String(form.as ?? SANDBOX_USERS[0]!.openId);
    const text = String(form.text ?? '').slice(0, 2000);
    if (text.trim() && SANDBOX_USERS.some((u) => u.openId === as)) await emu.sendText(as, text);
    return c.redirect(`/sandbox?as=${as}`, 303);
  });
  app.post('/sandbox/click', async (c) => {
    const form = await c.req.parseBody();
    const as = String(form.as ?? '');
    try {
      await emu.click(as, String(form.message), JSON.parse(String(form.value)) as Record<string, unknown>);
    } catch {
      // A stale page: just show the current state again.
    }
    return c.redirect(`/sandbox?as=${as}`, 303);
  });
  return app;
}
