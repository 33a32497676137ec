// The case and report lifecycle as pure functions: (state, command, actor, env) → Decision.

export { acceptCase, assignInvestigator, returnCase, submitFindings } from './acceptance';
export {
  addresseeCheck,
  archiveCheck,
  canView,
  canViewReport,
  deliveryCheck,
  extensionCheck,
  handlerCheck,
  investigatorCheck,
  isRecused,
  ledgerCheck,
  organisationOpenCheck,
  ownCorrectionCheck,
  recusalReason,
  recusedCheck,
  recusedFrom,
  reportHandlerCheck,
  reportInvestigatorCheck,
  responsibleCheck,
  roleGrantRefusal,
  secretaryCheck,
  serviceReceiptCheck,
  statsCheck,
  subjectCheck,
  voterCheck,
} from './access';
export { hasRole, STATUS_LABEL } from './common';
export type { CorrectionDue } from './correction';
export {
  acceptCompletion,
  buildCorrectionOrder,
  closeCase,
  correctionRemindersDue,
  decideExtension,
  followUpCorrection,
  reportCompletion,
  reportProgress,
  requestExtension,
  returnCompletion,
  setCorrectionOrder,
} from './correction';
export { decideCase } from './decide';
export { castVote, closeVote, openDeliberation, reopenVote, tally } from './deliberation';
export { issueDetermination, publishDetermination } from './determination';
export { emptyFacts, missingFacts, validateFactsPatch } from './facts';
export {
  attachEvidence,
  createDraft,
  openByOrganisation,
  removeEvidence,
  submit,
  updateFacts,
  withdraw,
} from './intake';
export type { NoticeDue } from './notices';
export { acknowledgeNotice, followUpNotices, noticeDone, noticesDue, recordNoticeDelivery } from './notices';
export {
  answerClearing,
  assignReportInvestigator,
  closeReport,
  convertReportToCase,
  decideReport,
  fileReport,
  hashQueryCode,
  normaliseQueryCode,
  publishClearing,
  queryReportByCode,
  recordReportOutcome,
  requestClearing,
  sendReportFeedback,
  submitReportFindings,
} from './reports';
export * from './types';
