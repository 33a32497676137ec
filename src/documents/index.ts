// Formal documents from the case record: data in, bytes out, on Node and in the Worker alike.
export {
  type ArchiveFile,
  MANIFEST_NAME,
  type Manifest,
  renderArchive,
  sha256Hex,
  verifyArchive,
} from './archive';
export { type DocumentDestination, documentAudience } from './audience';
export {
  type CaseDocumentInput,
  chineseDate,
  chineseTime,
  correctionNoticeDocument,
  DOCUMENT_TITLES,
  decisionDocument,
  receiptIsFinal,
  resultNoticeDocument,
  serviceReceiptDocument,
} from './case-documents';
export { CASE_COLUMNS, LEDGER_SHEETS, type LedgerInput, renderLedger, renderTable } from './ledger';
export { type Block, type OfficialDocument, renderOfficial } from './official';
