// 第十八条: a report is concluded 「属于容错免责情形」 only on a linked case already decided exempt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideReport, fileReport } from '../../src/cases';
import type { Report } from '../../src/cases/types';
import { env, ok, secretary } from '../cases/fixtures';
import { submitReport } from '../support/forms';
import {
  CLERK,
  carriedOn,
  clause,
  issue,
  noOrder,
  refusedWith,
  SEC,
  SUBJECT,
  startWorld,
  text,
  type World,
} from './support';

const ART18 = clause(
  '对信访举报中经查不属实、查无实据或者经认定予以容错免责的情形，属实名举报的，按规定向举报人反馈结果',
);

function filed(): Report {
  const d = fileReport(
    {
      type: 'file_report',
      reportId: 'r-18',
      seq: 1,
      accused: [SUBJECT.openId],
      matter: '检查中收取费用',
      content: '有人举报。',
      realName: true,
    },
    { openId: 'ou_reporter', roles: [] },
    env,
  );
  if (!d.ok) throw new Error(d.reason);
  return d.state;
}

describe(`第十八条「${ART18}」`, () => {
  const record = (
    linkedDetermination: {
      outcome: 'exempt' | 'refuse' | 'lighter';
      basis: 'duty' | 'tolerance' | null;
    } | null,
  ) =>
    decideReport(
      filed(),
      { type: 'record_outcome', result: 'tolerated', note: '', caseId: 'case-1', linkedDetermination },
      secretary,
      env,
    );

  it('a linked case not yet decided is refused, naming 第十八条', () => {
    refusedWith(record(null), /第十八条.*尚未作出认定结论/);
  });

  it('a linked case decided 不予容错 or 从轻 is refused', () => {
    refusedWith(record({ outcome: 'refuse', basis: null }), /第十八条.*不予容错/);
    refusedWith(record({ outcome: 'lighter', basis: null }), /第十八条.*从轻/);
  });

  it('a linked case decided 免责 (尽职免责 or 容错免责) concludes the report so', () => {
    for (const basis of ['duty', 'tolerance'] as const)
      expect(ok(record({ outcome: 'exempt', basis })).state.outcome).toMatchObject({
        result: 'tolerated',
        caseId: 'case-1',
      });
  });
});

describe('第十八条 end to end through the emulator', () => {
  let w: World;
  const REPORTER = { openId: 'ou_conf_reporter', name: '钱举报' };
  beforeAll(async () => {
    w = await startWorld();
    w.h.emu.addUser(REPORTER);
  });
  afterAll(async () => w?.h.close());

  it(`「${ART18}」: 属于容错免责情形 is refused while the converted case is investigated or decided 不予容错, accepted once decided 免责`, async () => {
    const { h, dm, repo } = w;
    const last = (openId: string) => dm(openId).at(-1)!;
    await h.emu.sendText(REPORTER.openId, '举报');
    await h.settle();
    await h.emu.clickButton(REPORTER.openId, last(REPORTER.openId).messageId, '实名举报');
    await h.settle();
    const matter = '检查中违规收取咨询费';
    const filedRes = await submitReport(
      h.emu,
      REPORTER.openId,
      last(REPORTER.openId).messageId,
      '提交实名举报',
      {
        accused: [SUBJECT.openId],
        matter,
        content: '2026年2月检查时收取所谓咨询费，当时有多人在场。',
      },
    );
    expect(filedRes.toast?.type, filedRes.toast?.content).toBe('success');
    await h.settle();
    const r = (await repo().openReports()).find((x) => x.matter === matter)!;
    const copyOf = (openId: string) =>
      dm(openId)
        .filter((m) => text(m).includes(r.number) && text(m).includes('举报内容'))
        .at(-1)!;
    await h.emu.clickButton(CLERK.openId, copyOf(CLERK.openId).messageId, '转为容错认定');
    const converted = await h.emu.clickButton(CLERK.openId, copyOf(CLERK.openId).messageId, '启动容错认定', {
      subject: SUBJECT.openId,
    });
    expect(converted.toast?.content).toContain('已启动容错认定');
    await h.settle();
    const caseId = (await repo().getReport(r.id))!.convertedCases[0]!.caseId;
    const conclude = async () => {
      // After a refusal the card still shows the form, with what was typed.
      const card = copyOf(SEC.openId).messageId;
      if (h.emu.buttons(card).some((b) => b.text === '认定核查结果'))
        await h.emu.clickButton(SEC.openId, card, '认定核查结果');
      return h.emu.clickButton(SEC.openId, copyOf(SEC.openId).messageId, '确认认定', {
        result: 'tolerated',
        case: caseId,
        note: '经认定予以容错免责',
      });
    };
    const toReporter = () => dm(REPORTER.openId).filter((m) => text(m).includes('属于容错免责情形'));

    const investigating = await conclude();
    expect(investigating.toast?.content).toContain('第十八条');
    expect((await repo().getReport(r.id))!.outcome).toBeNull();

    // The party group decides the case (the state deliberation leaves it in), first 不予容错.
    const graft = async (outcome: 'refuse' | 'exempt') => {
      const voted = carriedOn({}, outcome);
      const decided = ok(issue(voted, { outcome, ...noOrder })).state;
      const before = (await repo().getCase(caseId))!;
      const after = {
        ...before,
        status: decided.status,
        findings: decided.findings,
        deliberation: decided.deliberation,
        determination: decided.determination,
      };
      await h.rt.store.commit(repo().saveCase(before, after));
    };
    await graft('refuse');
    const refusedCase = await conclude();
    expect(refusedCase.toast?.content).toContain('不予容错');
    expect((await repo().getReport(r.id))!.outcome).toBeNull();
    expect(toReporter()).toHaveLength(0);

    await graft('exempt');
    const accepted = await conclude();
    expect(accepted.toast?.type, accepted.toast?.content).toBe('success');
    expect((await repo().getReport(r.id))!.outcome).toMatchObject({ result: 'tolerated', caseId });
  });
});
