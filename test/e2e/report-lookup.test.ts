import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/cases/types';
import { createLarkTransport, DIRECTORY_CACHE_MS, NAME_MISS_MS } from '../../src/lark/client';
import { LarkEmulator } from '../../src/sandbox/emulator';
import { messageHtml } from '../../src/sandbox/page';
import { Repo } from '../../src/store/repo';
import { submitReport } from '../support/forms';
import { ADMIN, APP, type Harness, OFFICER, startHarness } from '../support/harness';

// 查找 in the report form: any colleague in the app's contact range, found by name: every department
// (获取子部门列表 from the root, recursively), then each one's direct members (获取部门直属用户列表).
const SEC = { openId: 'ou_sec_lookup_li', name: '李书记' };
const CLERK = { openId: 'ou_clerk_lookup_zhou', name: '周经办' };
/** An ordinary officer: on no roster, in no chat with the reporter. */
const GAO = { openId: 'ou_officer_lookup_gao', name: '高志远' };
const GAO2 = { openId: 'ou_officer_lookup_gao2', name: '高明' };
const REPORTER = { openId: 'ou_reporter_lookup_he', name: '何群众' };
/** Two levels below the root: 执法大队 › 执法一科 (the emulator's default org chart). */
const NESTED = { openId: 'ou_officer_lookup_han', name: '韩卫东', departmentId: 'od-enforcement-team1' };
const CONTACT_ROUTES = new Set(['department_children', 'department_users']);
const PARTY = 'oc_party_lookup';

type Rec = Record<string, unknown>;
/** The open ids the form's person picker offers. */
function pickerOptions(card: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const r = v as Rec;
    if (r.tag === 'multi_select_person' && r.name === 'accused')
      for (const o of (r.options as Rec[]) ?? []) found.push(String(o.value));
    for (const x of Object.values(r)) walk(x);
  };
  walk(card);
  return found;
}

async function setUp(h: Harness) {
  for (const u of [SEC, CLERK, GAO, GAO2, REPORTER, NESTED]) h.emu.addUser(u);
  // More than a page of the root's direct members, so the directory is read past its first page.
  for (let i = 0; i < 60; i++)
    h.emu.addUser({ openId: `ou_lookup_staff_${i}`, name: `职员${String(i).padStart(2, '0')}` });
  h.emu.addUser({ openId: 'ou_lookup_late', name: '晚到的柳青' });
  h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC, CLERK, OFFICER].map((u) => u.openId) });
  const r = new Repo(h.rt.store.db);
  const now = new Date(h.emu.now());
  const by = ADMIN.openId;
  await h.rt.store.commit([
    r.addRole({ ...SEC, role: 'secretary', by, now }),
    r.addRole({ ...CLERK, role: 'clerk', by, now }),
    r.addRole({ ...OFFICER, role: 'party_member', by, now }),
    r.bindChat({ chatId: PARTY, kind: 'party', by, now }),
  ]);
}

describe('a reporter finds any colleague by name for the accused picker', () => {
  let h: Harness;
  const dm = (openId: string) => h.emu.messages({ openId }).filter((m) => m.from === 'app');
  const last = (openId: string) => dm(openId).at(-1)!;

  async function openForm(mode: '实名举报' | '匿名举报') {
    await h.emu.sendText(REPORTER.openId, '举报');
    await h.settle();
    await h.emu.clickButton(REPORTER.openId, last(REPORTER.openId).messageId, mode);
    await h.settle();
    return last(REPORTER.openId);
  }

  beforeAll(async () => {
    h = await startHarness();
    await setUp(h);
  });
  afterAll(async () => h?.close());

  it('real name: 查找 lists the officer (named in the sandbox), keeps what was typed, and the report accuses them', async () => {
    const form = await openForm('实名举报');
    expect(pickerOptions(form.content)).not.toContain(GAO.openId);
    const typed = { matter: '检查中违规收取费用', content: '2026年2月在商场检查时收取所谓咨询费。' };
    const found = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      ...typed,
      accused: [],
      accused_name: ' 高志 ',
    });
    expect(found.toast?.type, found.toast?.content).toBe('success');
    expect(pickerOptions(found.card)).toContain(GAO.openId);
    expect(pickerOptions(found.card)).not.toContain(GAO2.openId);
    expect(JSON.stringify(found.card)).toContain('高志远');
    // Everything typed is still in the form.
    const shown = JSON.stringify(found.card);
    expect(shown).toContain(typed.matter);
    expect(shown).toContain(typed.content);
    // The sandbox names the found officer although they share no chat with the reporter.
    const stored = h.emu.messages({ openId: REPORTER.openId }).find((m) => m.messageId === form.messageId)!;
    const html = messageHtml(h.emu, stored, REPORTER.openId);
    expect(html).toContain('value="ou_officer_lookup_gao"> 高志远</label>');
    expect(html).not.toContain('某人');

    const filed = await submitReport(h.emu, REPORTER.openId, form.messageId, '提交实名举报', {
      ...typed,
      accused: [GAO.openId],
      accused_name: '高志',
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await h.settle();
    const report = (await new Repo(h.rt.store.db).openReports()).find(
      (r) => r.matter === typed.matter,
    ) as Report;
    expect(report.accused).toEqual([GAO.openId]);
  });

  it('anonymous: 查找 answers in the click itself, a short name finds both, the found officer can be accused', async () => {
    const form = await openForm('匿名举报');
    const found = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      matter: '',
      content: '',
      accused_name: '高',
    });
    expect(found.toast?.type, found.toast?.content).toBe('success');
    expect(pickerOptions(found.card)).toEqual(expect.arrayContaining([GAO.openId, GAO2.openId]));
    const filed = await submitReport(h.emu, REPORTER.openId, form.messageId, '提交匿名举报', {
      accused: [GAO2.openId],
      matter: '匿名：执法记录仪未开启',
      content: '2026年3月检查时执法记录仪全程未开启。',
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await h.settle();
    const report = (await new Repo(h.rt.store.db).openReports()).find(
      (r) => r.matter === '匿名：执法记录仪未开启',
    ) as Report;
    expect(report.accused).toEqual([GAO2.openId]);
  });

  it('finds a colleague in a nested sub-department by name, and the report accuses them', async () => {
    const form = await openForm('实名举报');
    const found = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      accused_name: '卫东',
    });
    expect(found.toast?.type, found.toast?.content).toBe('success');
    expect(pickerOptions(found.card)).toContain(NESTED.openId);
    expect(JSON.stringify(found.card)).toContain('韩卫东');
    const log = h.emu.state.requestLog;
    expect(log.some((r) => r.route === 'department_children' && r.code === 0)).toBe(true);
    const typed = { matter: '执法一科检查中态度粗暴', content: '2026年4月执法一科检查时辱骂商户。' };
    const filed = await submitReport(h.emu, REPORTER.openId, form.messageId, '提交实名举报', {
      ...typed,
      accused: [NESTED.openId],
      accused_name: '卫东',
    });
    expect(filed.toast?.type, filed.toast?.content).toBe('success');
    await h.settle();
    const report = (await new Repo(h.rt.store.db).openReports()).find(
      (r) => r.matter === typed.matter,
    ) as Report;
    expect(report.accused).toEqual([NESTED.openId]);
  });

  it('a repeated 查找 answers from the directory read moments ago, without asking the platform again', async () => {
    const form = await openForm('匿名举报');
    const contactCalls = () =>
      h.emu.state.requestLog.filter((r) => r.route && CONTACT_ROUTES.has(r.route)).length;
    await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', { accused: [], accused_name: '高志远' });
    const before = contactCalls();
    const again = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      accused_name: '韩卫东',
    });
    expect(pickerOptions(again.card)).toContain(NESTED.openId);
    expect(contactCalls()).toBe(before);
    await h.emu.clickButton(REPORTER.openId, form.messageId, '取消举报');
    await h.settle();
  });

  it('reads past the first page of the directory (50 a page) to find someone listed late', async () => {
    const form = await openForm('匿名举报');
    const found = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      accused_name: '柳青',
    });
    expect(pickerOptions(found.card)).toContain('ou_lookup_late');
    const pages = h.emu.state.requestLog.filter((r) => r.route === 'department_users' && r.code === 0);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    // A name shared by more than the 20 listed: the first 20, and a hint to type more.
    const many = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      accused_name: '职员',
    });
    expect(JSON.stringify(many.card)).toContain('只列出前 20 位');
    expect(pickerOptions(many.card).filter((id) => id.startsWith('ou_lookup_staff_'))).toHaveLength(20);
    await h.emu.clickButton(REPORTER.openId, form.messageId, '取消举报');
    await h.settle();
  });

  it('an unknown name and an empty one get a clear answer; the form keeps what was typed and changes nothing', async () => {
    const form = await openForm('实名举报');
    const before = pickerOptions(form.content);
    const reports = async () => (await new Repo(h.rt.store.db).openReports()).map((r) => r.number);
    const filedBefore = await reports();
    const unknown = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      matter: '事项保留',
      content: '',
      accused_name: '欧阳不存在',
    });
    expect(unknown.toast?.content).toContain('没有找到姓名包含「欧阳不存在」的同事');
    expect(JSON.stringify(unknown.card)).toContain('没有找到姓名包含「欧阳不存在」的同事');
    expect(JSON.stringify(unknown.card)).toContain('事项保留');
    expect(pickerOptions(unknown.card)).toEqual(before);
    const empty = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      matter: '',
      content: '',
      accused_name: '  ',
    });
    expect(empty.toast?.content).toContain('请先在「被举报人姓名」中输入要查找的姓名');
    // The reporter is never offered as someone to accuse.
    const self = await h.emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      accused_name: '何群众',
    });
    expect(self.toast?.content).toContain('没有找到');
    // 查找 only looks: nothing was filed.
    await h.settle();
    expect(await reports()).toEqual(filedBefore);
    await h.emu.clickButton(REPORTER.openId, form.messageId, '取消举报');
    await h.settle();
  });
});

describe('without a contact scope the platform refuses 查找 and the bot says so in Chinese', () => {
  let h: Harness;
  let emu: LarkEmulator;
  beforeAll(async () => {
    emu = await LarkEmulator.start({
      ...APP,
      scopes: ['im:message', 'im:message:send_as_bot', 'im:message.p2p_msg:readonly', 'im:message:update'],
    });
    emu.addUser(OFFICER);
    emu.addUser(ADMIN);
    h = await startHarness({ emu });
    await setUp(h);
  });
  afterAll(async () => {
    await h?.close();
    await emu?.close();
  });

  it('answers 99991672 with the documented scopes, and the reporter learns what to do', async () => {
    const dm = () => emu.messages({ openId: REPORTER.openId }).filter((m) => m.from === 'app');
    await emu.sendText(REPORTER.openId, '举报');
    await h.settle();
    await emu.clickButton(REPORTER.openId, dm().at(-1)!.messageId, '匿名举报');
    await h.settle();
    const form = dm().at(-1)!;
    const res = await emu.clickButton(REPORTER.openId, form.messageId, '查找', {
      accused: [],
      matter: '事项',
      content: '',
      accused_name: '高志远',
    });
    const refused = emu.state.requestLog.filter((r) => r.route && CONTACT_ROUTES.has(r.route));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((r) => r.code === 99991672)).toBe(true);
    expect(res.toast?.content).toContain('应用尚未开通通讯录权限');
    expect(JSON.stringify(res.card)).toContain('contact:contact.base:readonly');
    expect(JSON.stringify(res.card)).toContain('事项');
    expect(pickerOptions(res.card)).not.toContain(GAO.openId);
  });
});

describe('the directory walk behind 查找 (the SDK client against the emulator)', () => {
  let emu: LarkEmulator;
  let now = 0;
  beforeAll(async () => {
    emu = await LarkEmulator.start({ ...APP });
  });
  afterAll(async () => emu?.close());
  const transport = () =>
    createLarkTransport({ appId: APP.appId, appSecret: APP.appSecret, domain: emu.url, now: () => now });

  it('asks the directory for a person’s name once while it is kept, again once it is not, a passing failure not kept', async () => {
    const t = transport();
    const asked = (openId: string) =>
      emu.state.requestLog.filter((r) => r.route === 'user' && r.path.includes(openId)).length;
    emu.addUser({ openId: 'ou_named_once', name: '柏一' });
    for (let i = 0; i < 3; i++) expect(await t.userName('ou_named_once')).toBe('柏一');
    expect(asked('ou_named_once')).toBe(1);
    // Renamed in the directory: shown once the kept name has expired.
    emu.addUser({ openId: 'ou_named_once', name: '柏一新' });
    now += DIRECTORY_CACHE_MS - 1;
    expect(await t.userName('ou_named_once')).toBe('柏一');
    now += 1;
    expect(await t.userName('ou_named_once')).toBe('柏一新');
    expect(asked('ou_named_once')).toBe(2);

    // Nobody by that id: asked once a minute, not for every card.
    expect(await t.userName('ou_named_nobody')).toBeUndefined();
    expect(await t.userName('ou_named_nobody')).toBeUndefined();
    expect(asked('ou_named_nobody')).toBe(1);
    now += NAME_MISS_MS;
    expect(await t.userName('ou_named_nobody')).toBeUndefined();
    expect(asked('ou_named_nobody')).toBe(2);

    // A server error is not remembered as "no name": the next card asks again and gets it.
    emu.addUser({ openId: 'ou_named_later', name: '柏后' });
    emu.failNext('user', { status: 500, times: 1 });
    expect(await t.userName('ou_named_later')).toBeUndefined();
    expect(await t.userName('ou_named_later')).toBe('柏后');
    expect(asked('ou_named_later')).toBe(2);
  });

  it('keeps a complete walk for a few minutes, then reads the directory again', async () => {
    const t = transport();
    emu.addUser({ openId: 'ou_walk_first', name: '邵先到', departmentId: 'od-enforcement' });
    expect(await t.findColleagues('邵先到', 21)).toEqual([{ openId: 'ou_walk_first', name: '邵先到' }]);
    emu.addUser({ openId: 'ou_walk_new', name: '邵新调', departmentId: 'od-enforcement-team1' });
    // Still inside the cache's lifetime: the newcomer is not yet known.
    now += DIRECTORY_CACHE_MS - 1;
    expect(await t.findColleagues('邵新调', 21)).toEqual([]);
    now += 1;
    expect(await t.findColleagues('邵新调', 21)).toEqual([{ openId: 'ou_walk_new', name: '邵新调' }]);
  });

  it('stops reading departments once enough people match, and does not keep that partial walk', async () => {
    for (const [i, d] of ['0', 'od-enforcement', 'od-enforcement-team1'].entries())
      emu.addUser({
        openId: `ou_walk_many_${i}`,
        name: `谭多${i}`,
        ...(d === '0' ? {} : { departmentId: d }),
      });
    const t = transport();
    const seen = emu.state.requestLog.length;
    const two = await t.findColleagues('谭多', 2);
    expect(two).toHaveLength(2);
    // The root and 执法大队 were enough; neither 执法一科 nor 执法二科 was read.
    const memberReads = () => emu.state.requestLog.slice(seen).filter((r) => r.route === 'department_users');
    expect(memberReads()).toHaveLength(2);
    // A later lookup needing the whole tree walks it to the end.
    expect((await t.findColleagues('谭多', 21)).map((c) => c.openId).sort()).toEqual([
      'ou_walk_many_0',
      'ou_walk_many_1',
      'ou_walk_many_2',
    ]);
    expect(memberReads()).toHaveLength(2 + 4);
  });
});
