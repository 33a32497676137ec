import { and, asc, desc, eq } from 'drizzle-orm';
import { audit, documents, kv, reports } from '../../db/schema';
import type { Report } from '../cases/types';
import { type Db, guard, type Write } from './index';

export type DocumentKind = 'decision' | 'notice' | 'correction' | 'receipt' | 'archive' | 'ledger';
export type StoredDocument = typeof documents.$inferSelect;

export interface NewDocument {
  id: string;
  caseId: string | null;
  kind: DocumentKind;
  number?: { text: string; year: number; seq: number };
  edition?: number;
  fileName: string;
  fileType: 'doc' | 'xls' | 'stream';
  bytes: Uint8Array;
  sha256: string;
}

const SEQ_KEY = (year: number) => `seq:document:${year}`;

/**
 * Claims the next `count` 文号 of a year in one versioned write: two issuers reading the same value
 * conflict at the guard and the loser decides again, so numbers are sequential and never reused.
 */
export async function claimDocumentNumbers(
  db: Db,
  year: number,
  count: number,
  now: Date,
): Promise<{ seqs: number[]; writes: Write[] }> {
  const key = SEQ_KEY(year);
  const [row] = await db.select().from(kv).where(eq(kv.key, key));
  const last = row ? Number(row.value) : 0;
  const seqs = Array.from({ length: count }, (_, i) => last + i + 1);
  const value = String(last + count);
  const writes: Write[] = row
    ? [
        db
          .update(kv)
          .set({ value, version: row.version + 1, updatedAt: now.getTime() })
          .where(and(eq(kv.key, key), eq(kv.version, row.version))),
        guard,
      ]
    : [
        db.insert(kv).values({ key, value, version: 1, updatedAt: now.getTime() }).onConflictDoNothing(),
        guard,
      ];
  return { seqs, writes };
}

export function insertDocument(db: Db, d: NewDocument, now: Date): Write {
  return db.insert(documents).values({
    id: d.id,
    caseId: d.caseId,
    kind: d.kind,
    number: d.number?.text ?? null,
    year: d.number?.year ?? null,
    seq: d.number?.seq ?? null,
    edition: d.edition ?? 1,
    fileName: d.fileName,
    fileType: d.fileType,
    data: toBase64(d.bytes),
    sha256: d.sha256,
    createdAt: now.getTime(),
  });
}

export async function documentById(db: Db, id: string): Promise<StoredDocument | undefined> {
  const [row] = await db.select().from(documents).where(eq(documents.id, id));
  return row;
}

/** A case's documents in the order they were made (by 文号 within one commit). */
export async function documentsOfCase(db: Db, caseId: string): Promise<StoredDocument[]> {
  return db
    .select()
    .from(documents)
    .where(eq(documents.caseId, caseId))
    .orderBy(asc(documents.createdAt), asc(documents.seq), asc(documents.id));
}

/** Each case's 决定书 (its id and 文号, not the file) by case id, of one case or all: one query either way. */
export async function decisionDocuments(
  db: Db,
  caseId?: string,
): Promise<Map<string, { id: string; number: string | null }>> {
  const rows = await db
    .select({ caseId: documents.caseId, id: documents.id, number: documents.number })
    .from(documents)
    .where(
      and(eq(documents.kind, 'decision'), caseId === undefined ? undefined : eq(documents.caseId, caseId)),
    )
    .orderBy(asc(documents.createdAt), asc(documents.seq), asc(documents.id));
  const byCase = new Map<string, { id: string; number: string | null }>();
  for (const r of rows)
    if (r.caseId && !byCase.has(r.caseId)) byCase.set(r.caseId, { id: r.id, number: r.number });
  return byCase;
}

export async function latestArchive(db: Db, caseId: string): Promise<StoredDocument | undefined> {
  const [row] = await db
    .select()
    .from(documents)
    .where(and(eq(documents.caseId, caseId), eq(documents.kind, 'archive')))
    .orderBy(desc(documents.createdAt))
    .limit(1);
  return row;
}

/** Remembers the Open API file_key so a resend or a retry does not upload the same bytes again. */
export function recordFileKey(db: Db, id: string, fileKey: string): Write {
  return db.update(documents).set({ fileKey }).where(eq(documents.id, id));
}

export async function auditTrail(db: Db, subject: string) {
  return db.select().from(audit).where(eq(audit.subject, subject)).orderBy(asc(audit.id));
}

/** Every report, for the ledger (the caller keeps only those the requester may see). */
export async function allReports(db: Db): Promise<Report[]> {
  const rows = await db
    .select({ doc: reports.doc })
    .from(reports)
    .orderBy(asc(reports.year), asc(reports.seq));
  return rows.map((r) => JSON.parse(r.doc) as Report);
}

export function documentBytes(d: StoredDocument): Uint8Array {
  return fromBase64(d.data);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
