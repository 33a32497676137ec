// The sandbox in the browser: a Feishu-like messenger over the built-in Lark emulator, for trying the bot with no tenant.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ClockJump } from './clock';
import type { EmulatedChat, EmulatedMessage, LarkEmulator } from './emulator';
import { type CardRenderContext, escapeHtml, type Person, renderCard } from './web/card-html';
import { mentionNames, SANDBOX_USERS, sayAs } from './web/demo';
import { fileBubbleHtml, filePreviewRoutes } from './web/file-preview';
import { collectFormValue, locateButton } from './web/form-value';

export { type CardRenderContext, escapeHtml, renderCard, renderMarkdown } from './web/card-html';
export { SANDBOX_CHATS, SANDBOX_USERS, seedSandbox } from './web/demo';
export { collectFormValue, formFields, locateButton } from './web/form-value';

const BOT_NAME = '容错纠错助手';
const MAX_SHOWN = 200;

export interface ChatView {
  chatId: string;
  name: string;
  kind: 'p2p' | 'group';
  members: Person[];
  botMember: boolean;
  preview: string;
  lastAt: number | null;
  count: number;
}

export interface MessageView {
  id: string;
  rev: string;
  html: string;
}

const time = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const clockTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** Business time as the page shows it, e.g. 「2026/12/7 周一 09:00」. */
export function formatBusinessTime(ms: number): string {
  return clockTime.format(ms);
}

/** The running sandbox's business clock and reset, as the page drives them. */
export interface SandboxControls {
  now(): number;
  /** The database the running sandbox uses (absolute), so `npm run tick` can tell it is the same one. */
  databasePath: string;
  jumps(): Promise<ClockJump[]>;
  /** Moves business time forward to `ms` (or stays) and runs tick there; `ok: false` when `ms` is in the past. */
  moveTo(ms?: number): Promise<{ ok: boolean; now: number; report?: unknown }>;
  reset(): Promise<void>;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function userName(emu: LarkEmulator, openId: string | undefined): string {
  if (openId === undefined) return BOT_NAME;
  return emu.state.users[openId]?.name ?? '未知用户';
}

function people(emu: LarkEmulator, chat: EmulatedChat | undefined): Person[] {
  return (chat?.members ?? []).map((id) => ({ openId: id, name: userName(emu, id) }));
}

/** The text of a text message as a person reads it: mention placeholders and `<at>` tags become names. */
function readableText(emu: LarkEmulator, m: EmulatedMessage): string {
  const raw = str(isRec(m.content) ? m.content.text : undefined) ?? '';
  const names = mentionNames(emu, m.messageId);
  return raw
    .replace(/@_user_\d+/g, (key) => `@${names?.get(key) ?? '成员'}`)
    .replace(/@_all/g, '@所有人')
    .replace(
      /<at\s+(?:user_id|id|open_id)\s*=\s*["']?([\w-]+)["']?\s*>([^<]*)<\/at>/g,
      (_, id: string, name: string) => `@${name.trim() || (id === 'all' ? '所有人' : userName(emu, id))}`,
    );
}

function postText(content: unknown): string {
  if (!isRec(content)) return '';
  const body = isRec(content.zh_cn) ? content.zh_cn : content;
  const lines = (Array.isArray(body.content) ? body.content : []).map((line) =>
    (Array.isArray(line) ? line : [])
      .map((seg) =>
        isRec(seg) ? (str(seg.text) ?? (seg.tag === 'at' ? `@${str(seg.user_name) ?? '成员'}` : '')) : '',
      )
      .join(''),
  );
  return [str(body.title), ...lines].filter((s) => s !== undefined && s !== '').join('\n');
}

/** A line for the chat list: what the last message says. */
function preview(emu: LarkEmulator, m: EmulatedMessage): string {
  const c = m.content;
  switch (m.msgType) {
    case 'text':
      return readableText(emu, m);
    case 'interactive': {
      const h =
        isRec(c) && isRec(c.header) && isRec(c.header.title) ? str(c.header.title.content) : undefined;
      const s =
        isRec(c) && isRec(c.config) && isRec(c.config.summary) ? str(c.config.summary.content) : undefined;
      return `[卡片] ${s ?? h ?? ''}`;
    }
    case 'file':
      return `[文件] ${isRec(c) ? (str(c.file_name) ?? '') : ''}`;
    case 'image':
      return '[图片]';
    case 'post':
      return postText(c).split('\n')[0] ?? '';
    default:
      return `[${m.msgType}]`;
  }
}

function bodyHtml(emu: LarkEmulator, m: EmulatedMessage, ctx: CardRenderContext, viewer: string): string {
  const c = m.content;
  switch (m.msgType) {
    case 'interactive':
      return renderCard(c, ctx);
    case 'text':
      return `<div class="bubble">${escapeHtml(readableText(emu, m)).replace(/\n/g, '<br>')}</div>`;
    case 'post':
      return `<div class="bubble">${escapeHtml(postText(c)).replace(/\n/g, '<br>')}</div>`;
    case 'file':
      return fileBubbleHtml(emu, m, viewer);
    case 'image':
      return '<div class="bubble file"><span class="file-tag">图片</span>（图片）</div>';
    default:
      return `<div class="bubble muted">［${escapeHtml(m.msgType)} 消息］</div>`;
  }
}

/** One message as the viewer sees it: sender, time, and the text or the card. */
export function messageHtml(emu: LarkEmulator, m: EmulatedMessage, viewer: string): string {
  const chat = emu.state.chats[m.chatId];
  const mine = m.from === 'user' && m.senderOpenId === viewer;
  const name = m.from === 'app' ? BOT_NAME : userName(emu, m.senderOpenId);
  const flags = [
    m.versions.length > 1 ? '<span class="flag">已更新</span>' : '',
    m.urgentTo.includes(viewer) ? '<span class="flag urgent">加急</span>' : '',
  ].join('');
  const reply = m.replyTo ? emu.message(m.replyTo) : undefined;
  const quoted = reply
    ? `<div class="quote">回复 ${escapeHtml(reply.from === 'app' ? BOT_NAME : userName(emu, reply.senderOpenId))}：${escapeHtml(preview(emu, reply).slice(0, 40))}</div>`
    : '';
  return `<div class="msg ${m.from === 'app' ? 'from-app' : 'from-user'}${mine ? ' mine' : ''}" data-id="${escapeHtml(m.messageId)}"><div class="avatar${m.from === 'app' ? ' bot' : ''}">${escapeHtml([...name][0] ?? '?')}</div><div class="msg-main"><div class="meta"><span class="sender">${escapeHtml(name)}</span><span class="at-time">${time.format(m.createdAt)}</span>${flags}</div>${quoted}${bodyHtml(emu, m, { people: people(emu, chat), nameOf: (id) => emu.state.users[id]?.name }, viewer)}</div></div>`;
}

function chatsOf(emu: LarkEmulator, openId: string): ChatView[] {
  const p2pId = emu.p2pChatId(openId);
  const p2p = emu.state.chats[p2pId];
  const list: { chatId: string; name: string; kind: 'p2p' | 'group'; chat?: EmulatedChat }[] = [
    { chatId: p2pId, name: BOT_NAME, kind: 'p2p', ...(p2p ? { chat: p2p } : {}) },
    ...Object.values(emu.state.chats)
      .filter((c) => c.chatType === 'group' && c.members.includes(openId))
      .map((c) => ({ chatId: c.chatId, name: c.name, kind: 'group' as const, chat: c })),
  ];
  return list.map((c) => {
    const msgs = emu.state.messages.filter((m) => m.chatId === c.chatId);
    const last = msgs.at(-1);
    return {
      chatId: c.chatId,
      name: c.name,
      kind: c.kind,
      members: c.kind === 'p2p' ? [{ openId, name: userName(emu, openId) }] : people(emu, c.chat),
      botMember: c.kind === 'p2p' || (c.chat?.botMember ?? false),
      preview: last
        ? preview(emu, last).slice(0, 60)
        : c.kind === 'p2p'
          ? '打开私聊，向机器人发送「帮助」'
          : '',
      lastAt: last?.createdAt ?? null,
      count: msgs.length,
    };
  });
}

function usersList(emu: LarkEmulator): { openId: string; name: string; jobTitle: string }[] {
  const known = new Set(SANDBOX_USERS.map((u) => u.openId));
  return [
    ...SANDBOX_USERS.filter((u) => emu.state.users[u.openId]),
    ...Object.values(emu.state.users).filter((u) => !known.has(u.openId)),
  ].map((u) => ({ openId: u.openId, name: u.name, jobTitle: u.jobTitle ?? '' }));
}

function pickUser(emu: LarkEmulator, as: string | undefined): string | undefined {
  if (as && emu.state.users[as]) return as;
  return usersList(emu)[0]?.openId;
}

function pickChat(emu: LarkEmulator, as: string, chat: string | undefined): ChatView {
  const chats = chatsOf(emu, as);
  return chats.find((c) => c.chatId === chat) ?? chats[0]!;
}

function messagesOf(emu: LarkEmulator, chatId: string, viewer: string): MessageView[] {
  return emu.state.messages
    .filter((m) => m.chatId === chatId)
    .slice(-MAX_SHOWN)
    .map((m) => ({
      id: m.messageId,
      rev: `${m.versions.length}:${m.updatedAt}`,
      html: messageHtml(emu, m, viewer),
    }));
}

let assets: { js: string; css: string } | undefined;
function staticAssets(): { js: string; css: string } {
  assets ??= {
    js: readFileSync(new URL('./web/app.js', import.meta.url), 'utf8'),
    css: readFileSync(new URL('./web/app.css', import.meta.url), 'utf8'),
  };
  return assets;
}

function clockBar(controls: SandboxControls | undefined): string {
  if (!controls) return '';
  const jump = (id: string, label: string) =>
    `<button type="button" class="btn" data-jump="${id}">${label}</button>`;
  return `<div id="clock" class="clock"><div class="clock-now"><span>业务时间</span><b id="clock-now">${escapeHtml(formatBusinessTime(controls.now()))}</b></div>
  <div class="clock-buttons">${jump('next-9', '下一个 09:00')}${jump('plus-1d', '+1 天')}${jump('monday-9', '周一 09:00')}</div>
  <div class="clock-row"><select id="clock-deadline" aria-label="拨到期限"><option value="">拨到期限…</option></select><button type="button" id="reset" class="btn btn-danger">重置</button></div></div>`;
}

// The page brings its own Chinese font, so it reads on a machine with none installed. The package splits it
// by unicode-range: the browser fetches only the pieces the page's characters need.
const FONT_WEIGHTS = new Set(['400', '700']);
let fontDir: string | null | undefined;
function fontPackageDir(): string | null {
  if (fontDir === undefined) {
    try {
      fontDir = dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/400.css'));
    } catch {
      fontDir = null;
    }
  }
  return fontDir;
}

function shell(
  emu: LarkEmulator,
  as: string,
  chat: ChatView,
  controls: SandboxControls | undefined,
  chatChosen: boolean,
): string {
  const users = usersList(emu)
    .map(
      (u) =>
        `<option value="${escapeHtml(u.openId)}"${u.openId === as ? ' selected' : ''}>${escapeHtml(u.name)}${u.jobTitle ? `（${escapeHtml(u.jobTitle)}）` : ''}</option>`,
    )
    .join('');
  const chats = chatsOf(emu, as)
    .map(
      (c) =>
        `<a class="chat${c.chatId === chat.chatId ? ' on' : ''}" href="/sandbox?as=${encodeURIComponent(as)}&amp;chat=${encodeURIComponent(c.chatId)}"><span class="chat-name">${escapeHtml(c.name)}</span><span class="chat-preview">${escapeHtml(c.preview)}</span></a>`,
    )
    .join('');
  const messages = messagesOf(emu, chat.chatId, as)
    .map((m) => m.html)
    .join('');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>容错纠错助手 · 沙盒</title><link rel="stylesheet" href="/sandbox/fonts/400.css"><link rel="stylesheet" href="/sandbox/fonts/700.css"><link rel="stylesheet" href="/sandbox/app.css"></head>
<body><div id="app" class="${chatChosen ? 'in-chat' : ''}">
<aside class="side">
  <div class="brand">容错纠错助手 · 沙盒</div>
  <label class="who"><span>当前身份</span><select id="user" aria-label="切换身份">${users}</select></label>
  ${clockBar(controls)}
  <nav id="chats" aria-label="会话列表">${chats}</nav>
  <div class="side-note">内置飞书模拟器，只在本机运行。聊天记录和案件数据都保存在本机的数据库文件旁，重启后仍在。</div>
</aside>
<main class="main">
  <header id="chat-head"><button type="button" id="back" class="back" aria-label="返回会话列表">‹</button><span id="chat-title">${escapeHtml(chat.name)}</span><span id="chat-sub">${chat.kind === 'p2p' ? '与机器人的私聊' : `群聊 · ${chat.members.length} 人及机器人`}</span></header>
  <section id="messages" aria-live="polite">${messages || '<div class="empty">还没有消息。发送「帮助」看看机器人能做什么。</div>'}</section>
  <form id="composer" method="post" action="/sandbox/say">
    <input type="hidden" name="as" value="${escapeHtml(as)}"><input type="hidden" name="chat" value="${escapeHtml(chat.chatId)}">
    <div id="mention-bar" class="mention-bar"${chat.kind === 'group' ? '' : ' hidden'}>
      <label class="toggle"><input type="checkbox" id="mention-bot" checked> @${BOT_NAME}</label>
      <select id="mention-pick" aria-label="@成员"><option value="">@成员…</option></select>
      <span id="mention-chips"></span>
    </div>
    <div id="attach-row" class="attach-row" hidden>
      <input id="file-name" maxlength="100" placeholder="文件名，例如：现场检查记录.pdf">
      <button type="button" id="file-send" class="btn btn-primary_filled">发送文件</button>
      <button type="button" id="file-cancel" class="btn">取消</button>
    </div>
    <div class="compose-row">
      <button type="button" id="attach" class="btn" title="发送文件（只需文件名）">附件</button>
      <textarea id="text" name="text" rows="2" maxlength="2000" placeholder="发送给 ${escapeHtml(chat.name)}（Enter 发送，Shift+Enter 换行）" autofocus></textarea>
      <button id="send" class="btn btn-primary_filled">发送</button>
    </div>
  </form>
</main></div>
<div id="toasts" aria-live="assertive"></div>
<div id="modal" class="modal" hidden><div class="dialog" role="dialog" aria-modal="true"><div id="modal-title" class="dialog-title"></div><div id="modal-text" class="dialog-text"></div><div class="dialog-buttons"><button type="button" id="modal-cancel" class="btn">取消</button><button type="button" id="modal-ok" class="btn btn-primary_filled">确定</button></div></div></div>
<script src="/sandbox/app.js"></script></body></html>`;
}

const fieldValue = z.union([z.string().max(10_000), z.array(z.string().max(1000)).max(500), z.boolean()]);
const sayBody = z.object({
  as: z.string(),
  chat: z.string(),
  text: z.string().max(2000),
  mentionBot: z.boolean().optional(),
  mentions: z.array(z.string()).max(50).optional(),
});
const fileBody = z.object({ as: z.string(), chat: z.string(), name: z.string().trim().min(1).max(100) });
const clickBody = z.object({
  as: z.string(),
  messageId: z.string(),
  value: z.record(z.string(), z.unknown()),
  name: z.string().optional(),
  fields: z.record(z.string(), fieldValue).optional(),
});
const enterBody = z.object({ as: z.string() });
const clockBody = z.object({
  jump: z.string().max(200).optional(),
  to: z.string().max(100).optional(),
  databasePath: z.string().max(4096).optional(),
});

type Toast = { type: string; content: string };
const STALE: Toast = { type: 'warning', content: '这张卡片已经更新，请在最新的卡片上操作' };

/** The sandbox messenger's routes: the page, its script and style, and a small JSON API over the emulator. */
export function sandboxPage(emu: LarkEmulator, controls?: SandboxControls) {
  const app = new Hono();
  let version = 0;
  emu.onMessage(() => {
    version++;
  });
  const entered = new Set<string>();
  let files = 0;

  /** The chat a user may write in, or a reason they may not. */
  const chatFor = (as: string, chatId: string): { chat?: ChatView; problem?: string } => {
    if (!emu.state.users[as]) return { problem: '未知的身份，请刷新页面' };
    const chat = chatsOf(emu, as).find((c) => c.chatId === chatId);
    return chat ? { chat } : { problem: '你不在这个群里，请刷新页面' };
  };

  app.route('/', filePreviewRoutes(emu));
  app.get('/sandbox', (c) => {
    const as = pickUser(emu, c.req.query('as'));
    if (!as) return c.text('沙盒还没有用户', 503);
    const chosen = c.req.query('chat') !== undefined;
    return c.html(shell(emu, as, pickChat(emu, as, c.req.query('chat')), controls, chosen));
  });
  app.get('/sandbox/app.js', (c) =>
    c.body(staticAssets().js, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-store',
    }),
  );
  app.get('/sandbox/app.css', (c) =>
    c.body(staticAssets().css, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'no-store',
    }),
  );

  app.get('/sandbox/fonts/:weight{[0-9]+\\.css}', (c) => {
    const dir = fontPackageDir();
    const weight = c.req.param('weight').replace(/\.css$/, '');
    if (!dir || !FONT_WEIGHTS.has(weight)) return c.text('', 404);
    return c.body(readFileSync(join(dir, `${weight}.css`), 'utf8'), 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=86400',
    });
  });
  app.get('/sandbox/fonts/files/:name{noto-sans-sc-[a-z0-9-]+\\.woff2?}', (c) => {
    const dir = fontPackageDir();
    const file = dir ? join(dir, 'files', c.req.param('name')) : '';
    if (!dir || !existsSync(file)) return c.text('', 404);
    return c.body(readFileSync(file), 200, {
      'content-type': file.endsWith('.woff2') ? 'font/woff2' : 'font/woff',
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  app.get('/sandbox/api/state', (c) => {
    const as = pickUser(emu, c.req.query('as'));
    if (!as) return c.json({ error: '沙盒还没有用户' }, 503);
    if (c.req.query('since') === String(version)) return c.json({ version, same: true });
    const chat = pickChat(emu, as, c.req.query('chat'));
    return c.json({
      version,
      as,
      users: usersList(emu),
      chats: chatsOf(emu, as),
      chat,
      messages: messagesOf(emu, chat.chatId, as),
      ...(controls ? { clock: { now: controls.now(), text: formatBusinessTime(controls.now()) } } : {}),
    });
  });

  app.get('/sandbox/api/clock', async (c) => {
    if (!controls) return c.json({ error: '这个沙盒没有时钟' }, 404);
    const now = controls.now();
    const jumps = await controls.jumps();
    return c.json({
      now,
      text: formatBusinessTime(now),
      databasePath: controls.databasePath,
      jumps: jumps.map((j) => ({ ...j, text: formatBusinessTime(j.at) })),
    });
  });

  app.post('/sandbox/api/clock', async (c) => {
    if (!controls) return c.json({ error: '这个沙盒没有时钟' }, 404);
    const body = clockBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ error: '时钟请求格式不正确' }, 400);
    const { jump, to, databasePath } = body.data;
    if (databasePath !== undefined && databasePath !== controls.databasePath)
      return c.json(
        { error: `运行中的沙盒使用的是另一个数据库（${controls.databasePath}），没有处理 ${databasePath}` },
        409,
      );
    let at: number | undefined;
    if (jump) {
      const found = (await controls.jumps()).find((j) => j.id === jump);
      if (!found) return c.json({ error: '这个时间点已经过去，请刷新页面' }, 409);
      at = found.at;
    } else if (to) {
      at = new Date(to).getTime();
      if (Number.isNaN(at)) return c.json({ error: `不是有效的时间：${to}` }, 400);
    }
    const moved = await controls.moveTo(at);
    version++;
    if (!moved.ok)
      return c.json(
        {
          error: `沙盒时钟已是 ${formatBusinessTime(moved.now)}，不能拨回到 ${formatBusinessTime(at ?? moved.now)}`,
          now: moved.now,
        },
        409,
      );
    return c.json({
      now: moved.now,
      text: formatBusinessTime(moved.now),
      report: moved.report,
      toast: {
        type: 'success',
        content: `时钟已拨到 ${formatBusinessTime(moved.now)}，到期的提醒和通知已发出`,
      },
    });
  });

  app.post('/sandbox/api/reset', async (c) => {
    if (!controls) return c.json({ error: '这个沙盒不能重置' }, 404);
    await controls.reset();
    entered.clear();
    version++;
    return c.json({ toast: { type: 'success', content: '沙盒已重置：数据和聊天记录已清空，时钟回到现在' } });
  });

  app.post('/sandbox/api/say', async (c) => {
    const body = sayBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ toast: { type: 'error', content: '消息格式不正确' } }, 400);
    const { as, text } = body.data;
    const { chat, problem } = chatFor(as, body.data.chat);
    if (!chat) return c.json({ toast: { type: 'error', content: problem } }, 400);
    if (text.trim() === '') return c.json({ toast: { type: 'warning', content: '请输入消息内容' } }, 400);
    const members = new Set(chat.members.map((m) => m.openId));
    const mentions =
      chat.kind === 'group'
        ? [...new Set(body.data.mentions ?? [])]
            .filter((id) => members.has(id))
            .map((id) => ({ openId: id, name: userName(emu, id) }))
        : [];
    const sent = await sayAs(emu, as, text, {
      ...(chat.kind === 'group'
        ? { chatId: chat.chatId, mentionBot: body.data.mentionBot === true, mentions }
        : {}),
    });
    return c.json({
      delivered: sent.delivered,
      ...(sent.delivered
        ? {}
        : { toast: { type: 'info', content: `没有 @${BOT_NAME}：群里的这条消息机器人不会收到` } }),
    });
  });

  app.post('/sandbox/api/file', async (c) => {
    const body = fileBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success)
      return c.json({ toast: { type: 'error', content: '请填写文件名（不超过 100 字）' } }, 400);
    const { chat, problem } = chatFor(body.data.as, body.data.chat);
    if (!chat) return c.json({ toast: { type: 'error', content: problem } }, 400);
    files++;
    const sent = await emu.sendFile(
      body.data.as,
      {
        fileKey: `file_sandbox_${files}_${Math.random().toString(36).slice(2, 10)}`,
        fileName: body.data.name,
      },
      chat.kind === 'group' ? { chatId: chat.chatId } : {},
    );
    return c.json({
      delivered: sent.delivered,
      ...(sent.delivered
        ? {}
        : { toast: { type: 'info', content: '群里的文件机器人不会收到，请在私聊中发送' } }),
    });
  });

  app.post('/sandbox/api/enter', async (c) => {
    const body = enterBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success || !emu.state.users[body.data.as]) return c.json({ entered: false }, 400);
    const as = body.data.as;
    const chatId = emu.p2pChatId(as);
    // Lark tells the bot the first time a user opens the direct chat; the bot then says hello once.
    if (entered.has(as) || emu.state.messages.some((m) => m.chatId === chatId))
      return c.json({ entered: false });
    entered.add(as);
    await emu.enterP2p(as);
    return c.json({ entered: true });
  });

  app.post('/sandbox/api/click', async (c) => {
    const body = clickBody.safeParse(await c.req.json().catch(() => null));
    if (!body.success) return c.json({ toast: { type: 'error', content: '点击的数据不正确' } }, 400);
    const { as, messageId, value } = body.data;
    const m = emu.message(messageId);
    if (m?.from !== 'app' || m.msgType !== 'interactive') return c.json({ toast: STALE });
    const { chat, problem } = chatFor(as, m.chatId);
    if (!chat) return c.json({ toast: { type: 'error', content: problem } });
    const located = locateButton(m.content, value, body.data.name);
    if (!located) return c.json({ toast: STALE });
    let formValue: Record<string, unknown> | undefined;
    if (located.form) {
      const collected = collectFormValue(located.form, body.data.fields ?? {}, { people: chat.members });
      if (!collected.ok) {
        return c.json({
          problems: collected.problems,
          toast: { type: 'error', content: collected.problems.join('；') },
        });
      }
      formValue = collected.value;
    }
    const name = str(located.button.name);
    try {
      const r = await emu.click(as, messageId, value, formValue, name ? { name } : {});
      if (r.status !== 200) {
        return c.json({
          toast: { type: 'error', content: `机器人没有正常响应（HTTP ${r.status}），请稍后再试` },
        });
      }
      return c.json({ ...(r.toast ? { toast: r.toast } : {}), updated: r.card !== undefined });
    } catch {
      return c.json({ toast: STALE });
    }
  });

  // Without the script the page still works as a plain form.
  app.post('/sandbox/say', async (c) => {
    const form = await c.req.parseBody();
    const as = pickUser(emu, String(form.as ?? ''));
    const text = String(form.text ?? '').slice(0, 2000);
    if (!as) return c.redirect('/sandbox', 303);
    const chat = pickChat(emu, as, str(form.chat));
    if (text.trim()) {
      await sayAs(emu, as, text, chat.kind === 'group' ? { chatId: chat.chatId, mentionBot: true } : {});
    }
    return c.redirect(`/sandbox?as=${encodeURIComponent(as)}&chat=${encodeURIComponent(chat.chatId)}`, 303);
  });
  return app;
}
