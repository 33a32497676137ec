import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

export const MANIFEST_NAME = 'manifest.json';

export interface ArchiveFile {
  name: string;
  bytes: Uint8Array;
}

export interface Manifest {
  caseNumber: string | null;
  createdAt: string;
  files: { name: string; bytes: number; sha256: string }[];
}

/** Hex SHA-256 (Web Crypto: the same on Node and in the Worker). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** 归档 .zip: every file plus a manifest with the SHA-256 of each, so a copy can be checked later. */
export async function renderArchive(
  files: ArchiveFile[],
  meta: { caseNumber: string | null; now: Date },
): Promise<Uint8Array> {
  const manifest: Manifest = {
    caseNumber: meta.caseNumber,
    createdAt: meta.now.toISOString(),
    files: await Promise.all(
      files.map(async (f) => ({ name: f.name, bytes: f.bytes.length, sha256: await sha256Hex(f.bytes) })),
    ),
  };
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const f of files) entries[f.name] = [f.bytes, { mtime: meta.now }];
  entries[MANIFEST_NAME] = [strToU8(JSON.stringify(manifest, null, 2)), { mtime: meta.now }];
  return zipSync(entries, { level: 6 });
}

/** Checks an archive against its manifest: every listed file present with its hash, nothing unlisted. */
export async function verifyArchive(
  zip: Uint8Array,
): Promise<{ ok: boolean; problems: string[]; manifest: Manifest | null }> {
  const entries = unzipSync(zip);
  const raw = entries[MANIFEST_NAME];
  if (!raw) return { ok: false, problems: ['缺少 manifest.json'], manifest: null };
  const manifest = JSON.parse(strFromU8(raw)) as Manifest;
  const problems: string[] = [];
  for (const f of manifest.files) {
    const bytes = entries[f.name];
    if (!bytes) problems.push(`缺少文件：${f.name}`);
    else if ((await sha256Hex(bytes)) !== f.sha256) problems.push(`校验值不符：${f.name}`);
  }
  for (const name of Object.keys(entries))
    if (name !== MANIFEST_NAME && !manifest.files.some((f) => f.name === name))
      problems.push(`清单外的文件：${name}`);
  return { ok: problems.length === 0, problems, manifest };
}
