import { acceptCase, assignInvestigator, returnCase, submitFindings } from './acceptance';
import {
  acceptCompletion,
  closeCase,
  decideExtension,
  followUpCorrection,
  reportCompletion,
  reportProgress,
  requestExtension,
  returnCompletion,
  setCorrectionOrder,
} from './correction';
import { castVote, closeVote, openDeliberation, reopenVote } from './deliberation';
import { issueDetermination, publishDetermination } from './determination';
import { attachEvidence, removeEvidence, submit, updateFacts, withdraw } from './intake';
import { acknowledgeNotice, followUpNotices, recordNoticeDelivery } from './notices';
import type { Actor, Case, CaseCommand, Decision, Env } from './types';

/** One entry point for every command on an existing case. */
export function decideCase(c: Case, cmd: CaseCommand, actor: Actor, env: Env): Decision<Case> {
  switch (cmd.type) {
    case 'update_facts':
      return updateFacts(c, cmd, actor, env);
    case 'attach_evidence':
      return attachEvidence(c, cmd, actor, env);
    case 'remove_evidence':
      return removeEvidence(c, cmd, actor, env);
    case 'submit':
      return submit(c, cmd, actor, env);
    case 'withdraw':
      return withdraw(c, cmd, actor, env);
    case 'accept':
      return acceptCase(c, cmd, actor, env);
    case 'return':
      return returnCase(c, cmd, actor, env);
    case 'assign_investigator':
      return assignInvestigator(c, cmd, actor, env);
    case 'submit_findings':
      return submitFindings(c, cmd, actor, env);
    case 'open_deliberation':
      return openDeliberation(c, cmd, actor, env);
    case 'vote':
      return castVote(c, cmd, actor, env);
    case 'close_vote':
      return closeVote(c, cmd, actor, env);
    case 'reopen_vote':
      return reopenVote(c, cmd, actor, env);
    case 'issue_determination':
      return issueDetermination(c, cmd, actor, env);
    case 'publish':
      return publishDetermination(c, cmd, actor, env);
    case 'notice_sent':
    case 'notice_delivered':
    case 'notice_failed':
      return recordNoticeDelivery(c, cmd, actor, env);
    case 'acknowledge_notice':
      return acknowledgeNotice(c, cmd, actor, env);
    case 'follow_up_notices':
      return followUpNotices(c, cmd, actor, env);
    case 'set_correction_order':
      return setCorrectionOrder(c, cmd, actor, env);
    case 'report_progress':
      return reportProgress(c, cmd, actor, env);
    case 'request_extension':
      return requestExtension(c, cmd, actor, env);
    case 'decide_extension':
      return decideExtension(c, cmd, actor, env);
    case 'report_completion':
      return reportCompletion(c, cmd, actor, env);
    case 'accept_completion':
      return acceptCompletion(c, cmd, actor, env);
    case 'return_completion':
      return returnCompletion(c, cmd, actor, env);
    case 'follow_up_correction':
      return followUpCorrection(c, cmd, actor, env);
    case 'close':
      return closeCase(c, cmd, actor, env);
  }
}
