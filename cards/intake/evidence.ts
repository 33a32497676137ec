// The evidence step: files and images sent in the chat attach to the draft; each can be removed.
import type { Attachment } from '../../src/cases/types';
import { button, buttonRow, card, escapeMd, hr, md } from '../common';
import { INTAKE_ACTIONS } from './model';
import {
  bannerBlock,
  cancelButton,
  errorBlock,
  type IntakeCaseRef,
  intakeSubtitle,
  intakeTitle,
  plainMoveButtons,
  stepHeading,
} from './parts';

export interface EvidenceCardData extends IntakeCaseRef {
  position: { index: number; total: number };
  evidence: Attachment[];
  errors?: string[];
  banner?: string;
}

// Enough rows to manage a realistic bundle while the card stays far below 30 KB.
const LISTED_MAX = 30;

export function attachmentLabel(a: Attachment): string {
  return `${a.kind === 'image' ? '🖼' : '📎'} ${escapeMd(a.name)}`;
}

export function intakeEvidenceCard(d: EvidenceCardData) {
  const listed = d.evidence.slice(0, LISTED_MAX);
  const rows: object[] = listed.map((a) => ({
    tag: 'column_set',
    flex_mode: 'none',
    columns: [
      { tag: 'column', width: 'weighted', weight: 4, elements: [md(attachmentLabel(a))] },
      {
        tag: 'column',
        width: 'auto',
        elements: [
          button('移除', { a: INTAKE_ACTIONS.remove, case: d.caseId, key: a.key }, { type: 'text' }),
        ],
      },
    ],
  }));
  const more = d.evidence.length - listed.length;
  return card({
    title: `${intakeTitle(d)}　${stepHeading('evidence', d.position)}`,
    subtitle: intakeSubtitle(d),
    template: 'blue',
    summary: `${intakeTitle(d)}：证据材料`,
    elements: [
      ...bannerBlock(d.banner),
      ...errorBlock(d.errors ?? []),
      md(
        '**证据材料**：请直接在对话框中**发送文件或图片**（如执法文书、现场照片、情况说明），发送后会自动加入本次申请。没有可跳过，受理后也可补充。',
      ),
      md(d.evidence.length === 0 ? '尚未添加证据材料。' : `已添加 ${d.evidence.length} 份：`),
      ...rows,
      ...(more > 0 ? [md(`另有 ${more} 份未列出。`)] : []),
      hr(),
      buttonRow([...plainMoveButtons(d, 'evidence', false), cancelButton(d)]),
    ],
  });
}
