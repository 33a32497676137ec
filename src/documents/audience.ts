import { recusedFrom } from '../cases/access';
import type { Case } from '../cases/types';

/** Where a document may go: a person's direct chat or a bound group chat. */
export type DocumentDestination = { openId: string } | { chatId: string };

export interface AudienceInput {
  c: Case;
  /** Chats bound by the admin: the party group and each unit's chat. */
  partyChatId: string | null;
  unitChatId: (unitId: string) => string | null;
  secretaries: string[];
}

/**
 * Who receives each document, and nobody else. The 告知书 goes to the subject only. The 决定书 goes to the
 * unit chats and the publication target only when the determination is published (第十三条 “一定范围内公开”):
 * the party group for 党组内, the chosen chat and the units concerned for 指定群. The 纠错通知书 goes to the
 * responsible officer; the archive to the secretaries not recused from the case.
 */
export function documentAudience(
  kind: 'decision' | 'notice' | 'correction' | 'archive',
  a: AudienceInput,
): DocumentDestination[] {
  const { c } = a;
  const det = c.determination;
  switch (kind) {
    case 'notice':
      return det ? [{ openId: c.subjectOpenId }] : [];
    case 'correction':
      return c.correction ? [{ openId: c.correction.responsible.openId }] : [];
    case 'archive': {
      const recused = recusedFrom(c);
      return a.secretaries.filter((s) => !recused.includes(s)).map((openId) => ({ openId }));
    }
    case 'decision': {
      if (!det || det.publication.scope === 'none') return [];
      const chats = new Set<string>();
      if (det.publication.scope === 'party' && a.partyChatId) chats.add(a.partyChatId);
      if (det.publication.scope === 'chat') {
        if (det.publication.chatId) chats.add(det.publication.chatId);
        for (const n of c.notices) {
          if (n.kind !== 'unit' || !('chat' in n.target)) continue;
          const t = n.target.chat;
          const id = typeof t === 'object' && 'unit' in t ? a.unitChatId(t.unit) : null;
          if (id) chats.add(id);
        }
      }
      return [...chats].map((chatId) => ({ chatId }));
    }
  }
}
