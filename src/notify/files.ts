import { eq } from 'drizzle-orm';
import { outbox } from '../../db/schema';
import { LarkCallError, type LarkTransport } from '../lark/client';
import type { Store } from '../store';
import { documentById, documentBytes, recordFileKey } from '../store/repo-documents';

/**
 * The content a file-message row is sent with: the document is uploaded once (its file_key is kept on the
 * document and on the row), so a retry or a resend only sends; the row's uuid keeps the message exactly-once.
 */
export async function fileContent(
  store: Store,
  transport: LarkTransport,
  row: { id: number; content: string | null },
): Promise<string> {
  const c = JSON.parse(row.content ?? '{}') as { file_key?: string; document_id?: string };
  if (c.file_key) return JSON.stringify({ file_key: c.file_key });
  const doc = c.document_id ? await documentById(store.db, c.document_id) : undefined;
  // A row naming no stored document cannot ever be sent.
  if (!doc) throw new LarkCallError('permanent', undefined, undefined);
  const fileKey =
    doc.fileKey ??
    (await transport.uploadFile(doc.fileType as 'doc' | 'xls' | 'stream', doc.fileName, documentBytes(doc)));
  const content = JSON.stringify({ file_key: fileKey });
  await store.commit([
    recordFileKey(store.db, doc.id, fileKey),
    store.db.update(outbox).set({ content }).where(eq(outbox.id, row.id)),
  ]);
  return content;
}
