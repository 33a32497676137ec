import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, businessDate } from '../../src/calendar';
import { type Actor, type Case, type CaseCommand, createDraft, decideCase } from '../../src/cases';
import { verifyArchive } from '../../src/documents';
import { defaultPolicy } from '../../src/policy';
import type { EmulatedMessage } from '../../src/sandbox/emulator';
import { messageHtml, sandboxPage } from '../../src/sandbox/page';
import { Repo } from '../../src/store/repo';
import { completeFacts, findingsCommand, fiveFactors } from '../cases/fixtures';
import type { CommandFor } from '../support/decide';
import { issueAndConfirm } from '../support/forms';
import { ADMIN, type Harness, OFFICER, startHarness } from '../support/harness';

const SEC = { openId: 'ou_doc_sec', name: '李书记' };
const PM = [
  { openId: 'ou_doc_pm1', name: '王委员' },
  { openId: 'ou_doc_pm2', name: '赵委员' },
] as const;
const CLERK = { openId: 'ou_doc_clerk', name: '周经办' };
const INV = { openId: 'ou_doc_inv', name: '吴核查' };
const STRANGER = { openId: 'ou_doc_stranger', name: '郑路人' };
const SUBJECT = OFFICER;
const PARTY = 'oc_doc_party';
const UNIT = 'oc_doc_unit_e1';

const docText = (bytes: Uint8Array) =>
  [...strFromU8(unzipSync(bytes)['word/document.xml']!).matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
    .map((t) => t[1])
    .join('');

/** Issuing, correcting, exporting and archiving through the real server, SDK client and emulator. */
describe('formal documents in chat', () => {
  let h: Harness;
  let seq = 300;

  beforeAll(async () => {
    h = await startHarness();
    for (const u of [SEC, ...PM, CLERK, INV, STRANGER]) h.emu.addUser(u);
    h.emu.addChat({ chatId: PARTY, name: '党组群', members: [SEC, ...PM].map((u) => u.openId) });
    h.emu.addChat({ chatId: UNIT, name: '执法一科', members: [SUBJECT.openId, CLERK.openId] });
    const repo = new Repo(h.rt.store.db);
    const now = new Date();
    const by = ADMIN.openId;
    await h.rt.store.commit([
      repo.addRole({ ...SEC, role: 'secretary', by, now }),
      ...PM.map((p) => repo.addRole({ ...p, role: 'party_member', by, now })),
      repo.addRole({ ...CLERK, role: 'clerk', by, now }),
      repo.addRole({ ...INV, role: 'investigator', by, now }),
      repo.bindChat({ chatId: PARTY, kind: 'party', by, now }),
      repo.bindChat({ chatId: UNIT, kind: 'unit', unitId: 'enforcement_1', by, now }),
    ]);
  }, 60_000);
  afterAll(() => h?.close());

  const getCase = async (id: string) => (await new Repo(h.rt.store.db).getCase(id)) as Case;
  const files = (m: EmulatedMessage[]) => m.filter((x) => x.from === 'app' && x.msgType === 'file');
  const dmFiles = (openId: string) => files(h.emu.messages({ openId }));
  const chatFiles = (chatId: string) => files(h.emu.messages({ chatId }));
  const nameOf = (m: EmulatedMessage) => (m.content as { file_name: string }).file_name;
  const bytesOf = (m: EmulatedMessage) => {
    const key = (m.content as { file_key: string }).file_key;
    return new Uint8Array(Buffer.from(h.emu.state.files[key]!.dataBase64, 'base64'));
  };
  const today = () => businessDate(new Date());

  /** A core decision through the real shell (what the buttons do), then delivery. */
  const act = (caseId: string, openId: string, cmd: CommandFor) => h.decide(caseId, openId, cmd);

  /** A case whose vote has closed with `option` carried. */
  async function carried(option: 'exempt' | 'refuse'): Promise<string> {
    const env = { now: new Date(), policy: defaultPolicy, calendar: h.rt.service.bot.calendar };
    const subject: Actor = { ...SUBJECT, roles: [] };
    const id = `case_doc_${++seq}`;
    const draft = createDraft({ type: 'create_draft', caseId: id, subjectName: SUBJECT.name }, subject, env);
    if (!draft.ok) throw new Error(draft.reason);
    let c = draft.state;
    for (const cmd of [
      { type: 'update_facts', patch: completeFacts },
      { type: 'submit', seq },
    ] as CaseCommand[]) {
      const d = decideCase(c, cmd, subject, env);
      if (!d.ok) throw new Error(d.reason);
      c = d.state;
    }
    await h.rt.store.commit(new Repo(h.rt.store.db).saveCase(null, c));
    await act(id, CLERK.openId, () => ({ type: 'accept' }));
    await act(id, CLERK.openId, async (ctx) => ({
      type: 'assign_investigator',
      investigator: await ctx.actor(INV.openId),
    }));
    await act(id, INV.openId, () => ({ ...findingsCommand, recommendedOutcome: option }));
    await act(id, SEC.openId, () => ({
      type: 'open_deliberation',
      partyMembers: [SEC, ...PM].map((p) => p.openId),
    }));
    for (const voter of [SEC, ...PM]) await act(id, voter.openId, () => ({ type: 'vote', option }));
    await act(id, SEC.openId, () => ({ type: 'close_vote' }));
    return id;
  }

  it('issuing sends the officer the 告知书 and the party chat the 决定书; an extension reissues the 纠错通知书', async () => {
    const id = await carried('exempt');
    const number = (await getCase(id)).number!;
    // The secretary issues from the vote card, as in chat.
    const card = h.emu
      .messages({ chatId: PARTY })
      .filter((m) => m.from === 'app' && JSON.stringify(m.content).includes(number))
      .find((m) => h.emu.buttons(m.messageId).some((b) => b.text === '签发认定结论'))!;
    await h.emu.clickButton(SEC.openId, card.messageId, '签发认定结论');
    await h.settle();
    const form = h.emu
      .messages({ openId: SEC.openId })
      .filter((m) => JSON.stringify(m.content).includes('det.issue'))
      .at(-1)!;
    const issued = await issueAndConfirm(h.emu, SEC.openId, form.messageId, {
      outcome: 'exempt',
      cited: ['10.4'],
      cond_1: 'yes',
      cond_2: 'yes',
      cond_3: 'yes',
      art12: 'no',
      reasons: '符合第十条第（四）项，且同时满足第二款三项条件。',
      scope: 'party',
      units: [],
      // Arts. 15–16: the order goes with the determination.
      correction: 'yes',
      reason: '暂扣设备未按程序报批',
      requirements: '补办暂扣审批手续',
      suggestions: '',
      responsible: SUBJECT.openId,
      unit: 'enforcement_1',
      deadline: `${addCalendarDays(today(), 20)} +0800`,
      improve: '完善夜间检查制度。',
    });
    expect(issued.toast?.type).toBe('success');
    await h.settle();

    const c = await getCase(id);
    const year = businessDate(new Date(c.determination!.issuedAt)).slice(0, 4);
    const [notice] = dmFiles(SUBJECT.openId);
    expect(nameOf(notice!)).toBe(`认定结果告知书（兴国动容〔${year}〕2号）.docx`);
    const noticeText = docText(bytesOf(notice!));
    expect(noticeText).toContain('认定结果告知书');
    expect(noticeText).toContain(number);
    expect(noticeText).toContain(`《容错纠错认定决定书》（兴国动容〔${year}〕1号），认定结论为：免责`);
    expect(noticeText).toContain('不作为执法错误认定');
    // The notice card comes first, its document right after it.
    const subjectDm = h.emu.messages({ openId: SUBJECT.openId }).filter((m) => m.from === 'app');
    expect(subjectDm.findIndex((m) => m.messageId === notice!.messageId)).toBeGreaterThan(
      subjectDm.findIndex((m) => JSON.stringify(m.content).includes('确认收到')),
    );

    const [decision] = chatFiles(PARTY);
    expect(nameOf(decision!)).toBe(`容错纠错认定决定书（兴国动容〔${year}〕1号）.docx`);
    expect(docText(bytesOf(decision!))).toContain('综合分析研判（第十三条）（一）主观、客观条件');
    // 党组内: the unit chat hears the notice card but gets no 决定书.
    expect(chatFiles(UNIT)).toHaveLength(0);

    // The 送达回证 fills in as events arrive: 「未确认」 until the subject confirms receipt.
    const receiptRow = async () => {
      await h.emu.sendText(CLERK.openId, `送达回证 ${number}`);
      await h.settle();
      const doc = dmFiles(CLERK.openId).at(-1)!;
      expect(nameOf(doc)).toMatch(/^送达回证_\d{4}-\d+_\d{8}\.docx$/);
      const xml = strFromU8(unzipSync(bytesOf(doc))['word/document.xml']!);
      const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((r) =>
        [...r[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => t[1]).join('|'),
      );
      return rows.find((r) => r.startsWith(`${SUBJECT.name}|`))!;
    };
    expect(await receiptRow()).toMatch(/\|飞书消息\|.+\|未确认$/);
    const noticeCard = subjectDm.find((m) => JSON.stringify(m.content).includes('确认收到'))!;
    await h.emu.clickButton(SUBJECT.openId, noticeCard.messageId, '确认收到');
    await h.settle();
    expect(await receiptRow()).toMatch(/\|\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
    await h.emu.sendText(STRANGER.openId, `送达回证 ${number}`);
    await h.settle();
    expect(JSON.stringify(h.emu.messages({ openId: STRANGER.openId }).at(-1)!.content)).toContain(
      '送达回证只向党组书记和经办人提供',
    );

    const first = dmFiles(SUBJECT.openId).at(-1)!;
    expect(nameOf(first)).toBe(`纠错整改通知书（兴国动容〔${year}〕3号）.docx`);
    expect(docText(bytesOf(first))).toContain('补办暂扣审批手续');

    const later = addCalendarDays(today(), 40);
    await act(id, SUBJECT.openId, () => ({
      type: 'request_extension',
      extensionId: 'x1',
      reason: '等待上级批复',
      newDeadline: later,
    }));
    expect(dmFiles(SUBJECT.openId)).toHaveLength(2); // asking changes nothing yet
    await act(id, SEC.openId, () => ({ type: 'decide_extension', extensionId: 'x1', approve: true }));
    const second = dmFiles(SUBJECT.openId).at(-1)!;
    expect(nameOf(second)).toBe(`纠错整改通知书（兴国动容〔${year}〕4号）第2版.docx`);
    const [y, m, d] = later.split('-').map(Number);
    expect(docText(bytesOf(second))).toContain(`经批准，整改期限延长至${y}年${m}月${d}日`);

    // The sandbox shows the file as a file card and previews it for members of the chat only.
    expect(messageHtml(h.emu, notice!, SUBJECT.openId)).toContain('class="bubble file file-card"');
    const page = sandboxPage(h.emu);
    const preview = await page.request(`/sandbox/files/${notice!.messageId}?as=${SUBJECT.openId}`);
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain(`兴国动容〔${year}〕2号`);
    expect((await page.request(`/sandbox/files/${notice!.messageId}?as=${STRANGER.openId}`)).status).toBe(
      404,
    );

    // Nobody outside the audience received any document.
    expect(dmFiles(STRANGER.openId)).toHaveLength(0);
    for (const p of [...PM, INV]) expect(dmFiles(p.openId)).toHaveLength(0);
    expect(
      dmFiles(CLERK.openId)
        .map(nameOf)
        .every((n) => n.startsWith('送达回证_')),
    ).toBe(true);
  }, 60_000);

  it('「导出台账」 returns the ledger to a party member and refuses a stranger', async () => {
    const asked = await h.emu.sendText(PM[0].openId, '导出台账');
    expect(asked.status).toBe(200);
    await h.settle();
    const [ledger] = dmFiles(PM[0].openId);
    expect(nameOf(ledger!)).toMatch(/^容错纠错台账_全部_\d{8}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytesOf(ledger!) as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('案件台账')!;
    const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
    const caseRow = rows.find((r) => String(r[1]).startsWith('容错〔'))!;
    expect(caseRow[2]).toBe(SUBJECT.name);
    expect(caseRow[11]).toBe('免责');
    expect(String(caseRow[22])).toMatch(/^兴国动容〔\d{4}〕1号$/);

    // A failed upload is retried; the file still arrives exactly once.
    const uploads = () => h.emu.requests().filter((r) => r.route === 'upload').length;
    const before = uploads();
    h.emu.failNext('upload', { status: 500, times: 1 });
    await h.emu.sendText(PM[1].openId, '导出台账 2026 已办结');
    await h.emu.waitFor(() => dmFiles(PM[1].openId)[0], 10_000);
    await h.settle();
    expect(uploads()).toBe(before + 2);
    expect(dmFiles(PM[1].openId).map(nameOf)).toEqual([expect.stringMatching(/^容错纠错台账_2026_已办结_/)]);

    const bad = await h.emu.sendText(PM[0].openId, '导出台账 昨天');
    expect(bad.status).toBe(200);
    await h.settle();
    const refusedFilter = h.emu.messages({ openId: PM[0].openId }).at(-1)!;
    expect(JSON.stringify(refusedFilter.content)).toContain('无法识别「昨天」');

    await h.emu.sendText(STRANGER.openId, '导出台账');
    await h.settle();
    expect(JSON.stringify(h.emu.messages({ openId: STRANGER.openId }).at(-1)!.content)).toContain(
      '台账只向党组成员、党组书记和经办人提供',
    );
    expect(dmFiles(STRANGER.openId)).toHaveLength(0);
  }, 60_000);

  it('a closed 不予容错 case sends the secretary an archive that verifies, again on 「归档 <编号>」', async () => {
    const id = await carried('refuse');
    const partyFilesBefore = chatFiles(PARTY).length;
    await act(id, SEC.openId, () => ({
      type: 'issue_determination',
      outcome: 'refuse',
      citedItems: ['12'],
      factors: fiveFactors,
      reasons: '属于第十二条情形。',
      publication: { scope: 'none' },
      correctionRequired: false,
    }));
    expect(chatFiles(PARTY)).toHaveLength(partyFilesBefore); // unpublished: no 决定书 in any chat
    // Published afterwards (党组内): the same 决定书 goes to the party chat then.
    await act(id, SEC.openId, () => ({ type: 'publish', scope: 'party' }));
    const published = chatFiles(PARTY);
    expect(published).toHaveLength(partyFilesBefore + 1);
    expect(docText(bytesOf(published.at(-1)!))).toContain('认定结论为：不予容错');
    expect(chatFiles(UNIT)).toHaveLength(0);
    const secFilesBefore = dmFiles(SEC.openId).length;
    await act(id, SEC.openId, () => ({ type: 'close' }));
    const c = await getCase(id);
    const archive = dmFiles(SEC.openId).at(-1)!;
    expect(dmFiles(SEC.openId)).toHaveLength(secFilesBefore + 1);
    expect(nameOf(archive)).toBe(`案件归档_${c.year}-${c.seq}.zip`);
    const zip = bytesOf(archive);
    const verified = await verifyArchive(zip);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
    const names = verified.manifest!.files.map((f) => f.name);
    expect(names).toEqual([
      expect.stringMatching(/^容错纠错认定决定书（兴国动容〔\d{4}〕\d+号）\.docx$/),
      expect.stringMatching(/^认定结果告知书（兴国动容〔\d{4}〕\d+号）\.docx$/),
      '送达回证.docx',
      '证据清单.xlsx',
      '审计记录.xlsx',
    ]);
    const entries = unzipSync(zip);
    expect(docText(entries[names[0]!]!)).toContain('认定结论为：不予容错');
    expect(docText(entries['送达回证.docx']!)).toContain(SUBJECT.name);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(entries['审计记录.xlsx']! as unknown as ArrayBuffer);
    const actions = (wb.worksheets[0]!.getSheetValues().filter(Boolean) as unknown[][]).map((r) => r[4]);
    expect(actions).toEqual(expect.arrayContaining(['受理', '签发认定结论', '办结']));

    // A send that fails is retried with the row's uuid: one message, and the kept file is not uploaded again.
    const uploads = h.emu.requests().filter((r) => r.route === 'upload').length;
    h.emu.failNext('send', { status: 500, times: 1 });
    await h.emu.sendText(SEC.openId, `归档 ${c.number}`);
    await h.emu.waitFor(() => dmFiles(SEC.openId)[secFilesBefore + 1], 10_000);
    await h.settle();
    expect(dmFiles(SEC.openId)).toHaveLength(secFilesBefore + 2);
    expect(h.emu.requests().filter((r) => r.route === 'upload')).toHaveLength(uploads);
    const again = dmFiles(SEC.openId).at(-1)!;
    expect(again.messageId).not.toBe(archive.messageId);
    expect((again.content as { file_key: string }).file_key).toBe(
      (archive.content as { file_key: string }).file_key,
    );

    await h.emu.sendText(PM[1].openId, `归档 ${c.number}`);
    await h.settle();
    expect(JSON.stringify(h.emu.messages({ openId: PM[1].openId }).at(-1)!.content)).toContain(
      '案件归档只向党组书记提供',
    );
    expect(dmFiles(PM[1].openId).filter((m) => nameOf(m).endsWith('.zip'))).toHaveLength(0);
    expect(dmFiles(STRANGER.openId)).toHaveLength(0);
  }, 60_000);
});
