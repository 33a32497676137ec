import { meetsRatio } from '../policy';
import { recusedFrom, secretaryCheck, voterCheck } from './access';
import {
  accept,
  caseAudit,
  idsOf,
  iso,
  refuse,
  textTooLong,
  touch,
  unique,
  voteLabel,
  wrongState,
} from './common';
import { carriedIssuable } from './determination';
import type {
  Actor,
  Case,
  CaseCommandOf as Cmd,
  Decision,
  Deliberation,
  DeliberationResult,
  Env,
  Intent,
  Policy,
  VoteOption,
} from './types';

type Ratio = Policy['deliberation']['quorum'];

function ratioLabel(r: Ratio): string {
  const named: Record<string, string> = {
    '1/2': '半数',
    '2/3': '三分之二',
    '1/3': '三分之一',
    '3/4': '四分之三',
  };
  const frac = named[`${r.numerator}/${r.denominator}`] ?? `${r.numerator}/${r.denominator}`;
  return `${r.strict ? '超过' : '达到'}${frac}`;
}

export function tally(d: Deliberation, policy: Policy): DeliberationResult {
  const counts = Object.fromEntries(idsOf(policy.voteOptions).map((id) => [id, 0])) as Record<
    VoteOption,
    number
  >;
  for (const v of Object.values(d.votes)) counts[v.option] = (counts[v.option] ?? 0) + 1;
  const cast = Object.keys(d.votes).length;
  const winners = (Object.keys(counts) as VoteOption[]).filter((o) =>
    meetsRatio(counts[o], cast, policy.deliberation.majority),
  );
  return {
    carried: winners.length === 1 ? (winners[0] as VoteOption) : null,
    tally: counts,
    cast,
    eligible: d.eligibleVoters.length,
  };
}

/** Party members minus everyone recused: the subject and any co-accused of the case's report. */
function eligibleVoters(c: Case, partyMembers: readonly string[]): string[] {
  const recused = recusedFrom(c);
  return unique(partyMembers).filter((id) => !recused.includes(id));
}

function newRound(round: number, voters: string[], actor: Actor, env: Env): Deliberation {
  return {
    round,
    eligibleVoters: voters,
    votes: {},
    status: 'open',
    openedAt: iso(env),
    openedBy: actor.openId,
    closedAt: null,
    result: null,
  };
}

function openedIntents(c: Case, d: Deliberation): Intent[] {
  return [
    {
      kind: 'tell',
      to: { chat: 'party' },
      template: 'deliberation.opened',
      caseId: c.id,
      data: { number: c.number, title: c.facts.title, round: d.round, eligible: d.eligibleVoters.length },
    },
    { kind: 'refresh_tracker', caseId: c.id },
  ];
}

/** The secretary puts the case to the party group; everyone recused is left out of the voters. */
export function openDeliberation(
  c: Case,
  cmd: Cmd<'open_deliberation'>,
  actor: Actor,
  env: Env,
): Decision<Case> {
  const denied = secretaryCheck(c, actor, '启动审议表决');
  if (denied) return denied;
  if (c.status !== 'investigating') return wrongState(c, '启动审议表决');
  if (c.findings === null) return refuse('incomplete', '核查人员尚未提交核查意见，不能启动审议表决。');
  const voters = eligibleVoters(c, cmd.partyMembers);
  if (voters.length === 0) return refuse('invalid', '没有可以参加表决的党组成员。');
  const deliberation = newRound(1, voters, actor, env);
  const next = touch(c, env, { status: 'deliberating', deliberation });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'deliberation.opened',
        { status: c.status },
        { status: next.status, round: 1, voters },
      ),
    ],
    openedIntents(next, deliberation),
  );
}

/** One vote per eligible member, changeable until the round closes; repeating the same vote changes nothing. */
export function castVote(c: Case, cmd: Cmd<'vote'>, actor: Actor, env: Env): Decision<Case> {
  const denied = voterCheck(c, actor);
  if (denied) return denied;
  const d = c.deliberation;
  if (d === null) return wrongState(c, '表决');
  if (!idsOf(env.policy.voteOptions).includes(cmd.option))
    return refuse('invalid', '表决选项不在可选范围内。');
  const comment = (cmd.comment ?? '').trim();
  if (textTooLong(env.policy, comment)) return refuse('invalid', '表决意见过长。');
  const previous = d.votes[actor.openId];
  if (previous && previous.option === cmd.option && previous.comment === comment) return accept(c, []);
  const votes = { ...d.votes, [actor.openId]: { option: cmd.option, comment, at: iso(env) } };
  const deliberation: Deliberation = { ...d, votes };
  const next = touch(c, env, { deliberation });
  const intents: Intent[] = [{ kind: 'refresh_deliberation', caseId: c.id, round: d.round }];
  if (!previous && Object.keys(votes).length === d.eligibleVoters.length)
    intents.push({
      kind: 'tell',
      to: { roles: ['secretary'], exclude: recusedFrom(c) },
      template: 'deliberation.all_voted',
      caseId: c.id,
      data: { number: c.number, round: d.round },
    });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        previous ? 'deliberation.vote_changed' : 'deliberation.vote_cast',
        previous ? { round: d.round, option: previous.option, comment: previous.comment } : null,
        { round: d.round, option: cmd.option, comment },
      ),
    ],
    intents,
  );
}

/** Closes the round when the quorum is met; the result says which option, if any, carried. */
export function closeVote(c: Case, _cmd: Cmd<'close_vote'>, actor: Actor, env: Env): Decision<Case> {
  const denied = secretaryCheck(c, actor, '结束表决');
  if (denied) return denied;
  const d = c.deliberation;
  if (c.status !== 'deliberating' || d === null) return wrongState(c, '结束表决');
  if (d.status !== 'open') return refuse('invalid_state', '本轮表决已经结束。');
  const result = tally(d, env.policy);
  const quorum = env.policy.deliberation.quorum;
  if (!meetsRatio(result.cast, result.eligible, quorum))
    return refuse(
      'quorum_not_met',
      `已投票 ${result.cast} 人，未${ratioLabel(quorum)}应参加表决人数（${result.eligible} 人），不能结束表决。`,
    );
  const deliberation: Deliberation = { ...d, status: 'closed', closedAt: iso(env), result };
  const next = touch(c, env, { deliberation });
  return accept(
    next,
    [
      caseAudit(
        c,
        actor,
        'deliberation.closed',
        { round: d.round, status: 'open' },
        { round: d.round, result },
      ),
    ],
    [
      { kind: 'refresh_deliberation', caseId: c.id, round: d.round },
      {
        kind: 'tell',
        to: { chat: 'party' },
        template: 'deliberation.closed',
        caseId: c.id,
        data: {
          number: c.number,
          round: d.round,
          carried: result.carried,
          carriedLabel: result.carried ? voteLabel(env.policy, result.carried) : null,
          tally: result.tally,
          cast: result.cast,
          eligible: result.eligible,
        },
      },
      { kind: 'refresh_tracker', caseId: c.id },
    ],
  );
}

/**
 * A new round when the last one closed without any option carrying, or when what carried cannot be
 * issued on the findings (arts. 9–12): the party group votes again knowing it.
 */
export function reopenVote(c: Case, cmd: Cmd<'reopen_vote'>, actor: Actor, env: Env): Decision<Case> {
  const denied = secretaryCheck(c, actor, '重新表决');
  if (denied) return denied;
  const d = c.deliberation;
  if (c.status !== 'deliberating' || d === null) return wrongState(c, '重新表决');
  if (d.status === 'open') return refuse('invalid_state', '本轮表决尚未结束，不能重新表决。');
  if (d.result?.carried && carriedIssuable(c, env.policy))
    return refuse(
      'invalid_state',
      `本轮表决已形成「${voteLabel(env.policy, d.result.carried)}」的结果，不能重新表决。`,
    );
  const voters = cmd.partyMembers ? eligibleVoters(c, cmd.partyMembers) : d.eligibleVoters;
  if (voters.length === 0) return refuse('invalid', '没有可以参加表决的党组成员。');
  const deliberation = newRound(d.round + 1, voters, actor, env);
  const next = touch(c, env, { deliberation, previousRounds: [...c.previousRounds, d] });
  return accept(
    next,
    [caseAudit(c, actor, 'deliberation.reopened', { round: d.round }, { round: deliberation.round, voters })],
    openedIntents(next, deliberation),
  );
}
