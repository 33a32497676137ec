// The sandbox messenger in the browser: chat list, user switcher, live messages, card clicks and forms.
// Plain script served as is; it talks only to the page's own origin.
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const view = {
    as: params.get('as') || '',
    chat: params.get('chat') || '',
    version: -1,
    chats: [],
    current: null,
    seen: {},
    busy: 0,
    mentions: [],
  };

  async function api(path, body) {
    const res = await fetch(path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = {};
    try {
      json = await res.json();
    } catch {
      json = { toast: { type: 'error', content: `服务没有正常响应（HTTP ${res.status}）` } };
    }
    return json;
  }

  // ---- toasts and the confirm dialog -------------------------------------------------------------

  function toast(t) {
    if (!t?.content) return;
    const el = document.createElement('div');
    el.className = `toast toast-${['success', 'info', 'warning', 'error'].includes(t.type) ? t.type : 'info'}`;
    el.setAttribute('role', 'status');
    el.textContent = t.content;
    $('toasts').appendChild(el);
    setTimeout(() => el.classList.add('gone'), 3200);
    setTimeout(() => el.remove(), 3600);
  }

  function confirmDialog(title, text) {
    return new Promise((resolve) => {
      $('modal-title').textContent = title || '确认操作';
      $('modal-text').textContent = text || '';
      $('modal').hidden = false;
      $('modal-ok').focus();
      const done = (ok) => {
        $('modal').hidden = true;
        $('modal-ok').onclick = null;
        $('modal-cancel').onclick = null;
        resolve(ok);
      };
      $('modal-ok').onclick = () => done(true);
      $('modal-cancel').onclick = () => done(false);
    });
  }

  // ---- rendering ---------------------------------------------------------------------------------

  const timeFmt = new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });

  function renderUsers(users) {
    const sel = $('user');
    const key = users.map((u) => u.openId).join(',');
    if (sel.dataset.key !== key) {
      sel.textContent = '';
      for (const u of users) {
        const o = document.createElement('option');
        o.value = u.openId;
        o.textContent = u.jobTitle ? `${u.name}（${u.jobTitle}）` : u.name;
        sel.appendChild(o);
      }
      sel.dataset.key = key;
    }
    sel.value = view.as;
  }

  function renderChats(chats) {
    const nav = $('chats');
    nav.textContent = '';
    for (const c of chats) {
      if (view.seen[c.chatId] === undefined) view.seen[c.chatId] = c.count;
      if (c.chatId === view.chat) view.seen[c.chatId] = c.count;
      const a = document.createElement('a');
      a.className = `chat${c.chatId === view.chat ? ' on' : ''}`;
      a.href = `/sandbox?as=${encodeURIComponent(view.as)}&chat=${encodeURIComponent(c.chatId)}`;
      a.dataset.chat = c.chatId;
      const avatar = document.createElement('span');
      avatar.className = `avatar${c.kind === 'p2p' ? ' bot' : ' group'}`;
      avatar.textContent = c.kind === 'p2p' ? '助' : [...c.name][0] || '群';
      const body = document.createElement('span');
      body.className = 'chat-body';
      const top = document.createElement('span');
      top.className = 'chat-top';
      const name = document.createElement('span');
      name.className = 'chat-name';
      name.textContent = c.name;
      const when = document.createElement('span');
      when.className = 'chat-time';
      when.textContent = c.lastAt ? timeFmt.format(c.lastAt) : '';
      top.append(name, when);
      const prev = document.createElement('span');
      prev.className = 'chat-preview';
      prev.textContent = c.preview;
      body.append(top, prev);
      a.append(avatar, body);
      if (c.count > view.seen[c.chatId]) {
        const dot = document.createElement('span');
        dot.className = 'unread';
        dot.textContent = String(c.count - view.seen[c.chatId]);
        a.appendChild(dot);
      }
      nav.appendChild(a);
    }
  }

  function renderHead(chat) {
    $('chat-title').textContent = chat.name;
    $('chat-sub').textContent =
      chat.kind === 'p2p'
        ? '与机器人的私聊'
        : `群聊 · ${chat.members.map((m) => m.name).join('、')} 和机器人${chat.botMember ? '' : '（机器人不在群内）'}`;
    $('text').placeholder = `发送给 ${chat.name}（Enter 发送，Shift+Enter 换行）`;
    document.querySelector('#composer [name=as]').value = view.as;
    document.querySelector('#composer [name=chat]').value = chat.chatId;
    const group = chat.kind === 'group';
    $('mention-bar').hidden = !group;
    const pick = $('mention-pick');
    const key = `${view.as}@${chat.chatId}:${chat.members.map((m) => m.openId).join(',')}`;
    if (pick.dataset.key !== key) {
      pick.textContent = '';
      const first = document.createElement('option');
      first.value = '';
      first.textContent = '@成员…';
      pick.appendChild(first);
      for (const m of chat.members) {
        if (m.openId === view.as) continue;
        const o = document.createElement('option');
        o.value = m.openId;
        o.textContent = `@${m.name}`;
        pick.appendChild(o);
      }
      pick.dataset.key = key;
      // Each chat starts with the bot mention on, as commands in groups need it.
      $('mention-bot').checked = true;
    }
  }

  function renderChips() {
    const box = $('mention-chips');
    box.textContent = '';
    for (const m of view.mentions) {
      const chip = document.createElement('span');
      chip.className = 'chip';
      chip.textContent = `@${m.name}`;
      const x = document.createElement('button');
      x.type = 'button';
      x.title = '移除';
      x.textContent = '×';
      x.onclick = () => {
        view.mentions = view.mentions.filter((y) => y.openId !== m.openId);
        renderChips();
      };
      chip.appendChild(x);
      box.appendChild(chip);
    }
  }

  function renderMessages(list, chatChanged) {
    const box = $('messages');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    if (chatChanged) box.textContent = '';
    const empty = box.querySelector('.empty');
    if (empty) empty.remove();
    const have = new Map();
    for (const el of box.querySelectorAll(':scope > .msg')) have.set(el.dataset.id, el);
    const keep = new Set(list.map((m) => m.id));
    for (const [id, el] of have) if (!keep.has(id)) el.remove();
    let added = false;
    let prev = null;
    for (const m of list) {
      let el = have.get(m.id);
      if (!el || el.dataset.rev !== m.rev) {
        const tpl = document.createElement('template');
        tpl.innerHTML = m.html;
        const fresh = tpl.content.firstElementChild;
        fresh.dataset.rev = m.rev;
        if (el) el.replaceWith(fresh);
        else {
          if (prev) prev.after(fresh);
          else box.prepend(fresh);
          added = true;
        }
        el = fresh;
      }
      prev = el;
    }
    if (list.length === 0 && !box.querySelector('.empty')) {
      const e = document.createElement('div');
      e.className = 'empty';
      e.textContent = '还没有消息。发送「帮助」看看机器人能做什么。';
      box.appendChild(e);
    }
    if (chatChanged || (added && nearBottom) || view.stick) {
      box.scrollTop = box.scrollHeight;
      view.stick = false;
    }
  }

  async function load(force) {
    const since = force ? '' : `&since=${view.version}`;
    const s = await api(
      `/sandbox/api/state?as=${encodeURIComponent(view.as)}&chat=${encodeURIComponent(view.chat)}${since}`,
    );
    if (s.same || !s.chat) return;
    const chatChanged = !view.current || view.current.chatId !== s.chat.chatId || view.shownAs !== s.as;
    view.version = s.version;
    view.as = s.as;
    view.chat = s.chat.chatId;
    view.current = s.chat;
    view.shownAs = s.as;
    renderUsers(s.users);
    renderChats(s.chats);
    renderHead(s.chat);
    renderMessages(s.messages, chatChanged);
    if (s.clock && $('clock-now')) {
      $('clock-now').textContent = s.clock.text;
      if (view.clockAt !== s.clock.now) {
        view.clockAt = s.clock.now;
        loadJumps();
      }
    }
    const url = `/sandbox?as=${encodeURIComponent(view.as)}&chat=${encodeURIComponent(view.chat)}`;
    if (location.pathname + location.search !== url) history.replaceState(null, '', url);
    if (s.chat.kind === 'p2p' && s.messages.length === 0 && !view.entered?.[view.as]) {
      view.entered = { ...(view.entered || {}), [view.as]: true };
      await api('/sandbox/api/enter', { as: view.as });
      await load(true);
    }
  }

  function reload() {
    load(true).catch(() => toast({ type: 'error', content: '无法连接沙盒服务，请确认它仍在运行' }));
  }

  // ---- the business clock ------------------------------------------------------------------------

  async function loadJumps() {
    const sel = $('clock-deadline');
    if (!sel) return;
    const r = await api('/sandbox/api/clock');
    if (!r.jumps) return;
    sel.textContent = '';
    const first = document.createElement('option');
    first.value = '';
    first.textContent = '拨到期限…';
    sel.appendChild(first);
    for (const j of r.jumps) {
      if (!j.id.includes(':')) continue;
      const o = document.createElement('option');
      o.value = j.id;
      o.textContent = j.label;
      sel.appendChild(o);
    }
    sel.disabled = sel.options.length === 1;
  }

  async function jump(id) {
    if (!id) return;
    view.busy++;
    for (const b of document.querySelectorAll('#clock button')) b.disabled = true;
    try {
      const r = await api('/sandbox/api/clock', { jump: id });
      toast(r.toast || (r.error ? { type: 'error', content: r.error } : undefined));
      if (r.text) $('clock-now').textContent = r.text;
    } catch {
      toast({ type: 'error', content: '无法连接沙盒服务，请确认它仍在运行' });
    } finally {
      view.busy--;
      for (const b of document.querySelectorAll('#clock button')) b.disabled = false;
    }
    await loadJumps();
    reload();
  }

  if ($('clock')) {
    $('clock').addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-jump]');
      if (btn && !btn.disabled) jump(btn.dataset.jump);
    });
    $('clock-deadline').addEventListener('change', () => {
      const id = $('clock-deadline').value;
      $('clock-deadline').value = '';
      jump(id);
    });
    $('reset').addEventListener('click', async () => {
      const ok = await confirmDialog(
        '重置沙盒？',
        '清空所有案件、聊天记录和数据，时钟回到现在，演示群和角色重新设置。',
      );
      if (!ok) return;
      view.busy++;
      try {
        const r = await api('/sandbox/api/reset', {});
        toast(r.toast);
      } finally {
        view.busy--;
      }
      view.seen = {};
      view.entered = {};
      await loadJumps();
      reload();
    });
    loadJumps();
  }

  // ---- one pane on a narrow screen: the chat list, or a chat with a back button ------------------

  $('back').addEventListener('click', () => {
    $('app').classList.remove('in-chat');
  });

  // ---- cards: buttons and forms -------------------------------------------------------------------

  function formFields(form) {
    const out = {};
    for (const el of form.querySelectorAll('[data-field]')) {
      const name = el.dataset.field;
      const kind = el.dataset.kind;
      if (kind === 'multi_select_static' || kind === 'multi_select_person') {
        out[name] = [...el.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
      } else if (kind === 'checker') out[name] = el.checked;
      else out[name] = el.value;
    }
    return out;
  }

  async function clickButton(btn) {
    const msg = btn.closest('.msg');
    if (!msg) return;
    if (btn.dataset.reset !== undefined) {
      btn.closest('form')?.reset();
      return;
    }
    if (btn.dataset.url !== undefined) {
      toast({ type: 'info', content: '沙盒中不打开外部链接' });
      return;
    }
    if (!btn.dataset.value) return;
    if (btn.dataset.confirmTitle !== undefined || btn.dataset.confirmText !== undefined) {
      if (!(await confirmDialog(btn.dataset.confirmTitle, btn.dataset.confirmText))) return;
    }
    const form = btn.dataset.submit !== undefined ? btn.closest('form') : null;
    for (const bad of msg.querySelectorAll('.invalid')) bad.classList.remove('invalid');
    const body = {
      as: view.as,
      messageId: msg.dataset.id,
      value: JSON.parse(btn.dataset.value),
      ...(btn.dataset.name ? { name: btn.dataset.name } : {}),
      ...(form ? { fields: formFields(form) } : {}),
    };
    btn.disabled = true;
    btn.classList.add('loading');
    view.busy++;
    try {
      const r = await api('/sandbox/api/click', body);
      toast(r.toast);
      if (r.problems && form) {
        for (const el of form.querySelectorAll('[data-field]')) {
          if (
            r.problems.some((p) =>
              p.includes(el.closest('.field')?.querySelector('.f-label')?.textContent || '\u0000'),
            )
          )
            el.classList.add('invalid');
        }
      }
    } catch {
      toast({ type: 'error', content: '无法连接沙盒服务，请确认它仍在运行' });
    } finally {
      view.busy--;
      btn.disabled = false;
      btn.classList.remove('loading');
    }
    reload();
  }

  $('messages').addEventListener('click', (e) => {
    const btn = e.target.closest('button.btn');
    if (btn && !btn.disabled) {
      e.preventDefault();
      clickButton(btn);
    }
  });
  $('messages').addEventListener('submit', (e) => e.preventDefault());

  // ---- chat list, user switcher, composer ---------------------------------------------------------

  $('chats').addEventListener('click', (e) => {
    const a = e.target.closest('a.chat');
    if (!a) return;
    e.preventDefault();
    view.chat = a.dataset.chat || view.chat;
    $('app').classList.add('in-chat');
    view.mentions = [];
    renderChips();
    reload();
  });

  $('user').addEventListener('change', () => {
    const before = view.chat;
    view.as = $('user').value;
    view.chat = before;
    view.mentions = [];
    view.seen = {};
    renderChips();
    reload();
  });

  $('mention-pick').addEventListener('change', () => {
    const pick = $('mention-pick');
    const id = pick.value;
    const m = view.current?.members.find((x) => x.openId === id);
    if (m && !view.mentions.some((x) => x.openId === id)) view.mentions.push(m);
    pick.value = '';
    renderChips();
  });

  async function send() {
    const text = $('text').value;
    if (!text.trim()) {
      toast({ type: 'warning', content: '请输入消息内容' });
      return;
    }
    const group = view.current?.kind === 'group';
    $('send').disabled = true;
    try {
      const r = await api('/sandbox/api/say', {
        as: view.as,
        chat: view.chat,
        text,
        ...(group
          ? { mentionBot: $('mention-bot').checked, mentions: view.mentions.map((m) => m.openId) }
          : {}),
      });
      if (r.toast) toast(r.toast);
      if (!r.toast || r.delivered === false) {
        $('text').value = '';
        view.mentions = [];
        renderChips();
      }
    } finally {
      $('send').disabled = false;
    }
    view.stick = true;
    reload();
  }

  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });

  $('attach').addEventListener('click', () => {
    $('attach-row').hidden = !$('attach-row').hidden;
    if (!$('attach-row').hidden) $('file-name').focus();
  });
  $('file-cancel').addEventListener('click', () => {
    $('attach-row').hidden = true;
  });
  $('file-send').addEventListener('click', async () => {
    const name = $('file-name').value.trim();
    if (!name) {
      toast({ type: 'warning', content: '请填写文件名' });
      return;
    }
    const r = await api('/sandbox/api/file', { as: view.as, chat: view.chat, name });
    toast(r.toast || { type: 'success', content: `已发送文件「${name}」` });
    $('file-name').value = '';
    $('attach-row').hidden = true;
    view.stick = true;
    reload();
  });

  // Live updates: a cheap version check; the whole view is fetched only when something changed.
  setInterval(() => {
    if (view.busy === 0 && $('modal').hidden) load(false).catch(() => {});
  }, 700);
  reload();
})();
