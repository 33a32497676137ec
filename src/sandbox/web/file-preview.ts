// Loaded with the first spreadsheet shown: most runs never show one.
const excel = async () => (await import('exceljs')).default;

import { strFromU8, unzipSync } from 'fflate';
import { Hono } from 'hono';
import type { EmulatedMessage, LarkEmulator } from '../emulator';
import { escapeHtml } from './card-html';

const KIND: Record<string, { tag: string; colour: string }> = {
  docx: { tag: 'W', colour: '#2b579a' },
  xlsx: { tag: 'X', colour: '#217346' },
  zip: { tag: 'ZIP', colour: '#8a6d3b' },
};

function sizeText(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1048576).toFixed(1)} MB`;
}

/** A file message as Feishu shows it: type icon, name and size; opening it shows a preview. */
export function fileBubbleHtml(emu: LarkEmulator, m: EmulatedMessage, viewer: string): string {
  const c = (m.content ?? {}) as { file_key?: string; file_name?: string };
  const file = c.file_key ? emu.state.files[c.file_key] : undefined;
  const name = c.file_name ?? file?.fileName ?? '文件';
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  const kind = KIND[ext] ?? { tag: ext.toUpperCase().slice(0, 3) || '文件', colour: '#646a73' };
  const size = file ? sizeText(Math.floor((file.dataBase64.length * 3) / 4)) : '';
  const href = `/sandbox/files/${encodeURIComponent(m.messageId)}?as=${encodeURIComponent(viewer)}`;
  return `<a class="bubble file file-card" href="${href}" target="_blank" rel="noopener"><span class="file-icon" style="background:${kind.colour}">${escapeHtml(kind.tag)}</span><span class="file-info"><span class="file-name">${escapeHtml(name)}</span><span class="file-size">${escapeHtml(size)}</span></span></a>`;
}

function docxParagraphs(bytes: Uint8Array): string[] {
  const xml = strFromU8(unzipSync(bytes)['word/document.xml'] ?? new Uint8Array());
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((t) => decodeXml(t[1] ?? '')).join(''),
  );
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

async function xlsxTables(bytes: Uint8Array): Promise<string> {
  const wb = new (await excel()).Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb.worksheets
    .map((ws) => {
      const rows: string[] = [];
      ws.eachRow((row) => {
        const cells = (row.values as unknown[])
          .slice(1)
          .map((v) => `<td>${escapeHtml(v == null ? '' : String(v))}</td>`);
        rows.push(`<tr>${cells.join('')}</tr>`);
      });
      return `<h2>${escapeHtml(ws.name)}</h2><table>${rows.join('')}</table>`;
    })
    .join('');
}

function zipListing(bytes: Uint8Array): string {
  const entries = unzipSync(bytes);
  const items = Object.entries(entries).map(
    ([name, b]) => `<li>${escapeHtml(name)}（${sizeText(b.length)}）</li>`,
  );
  return `<ul>${items.join('')}</ul>`;
}

const STYLE =
  'body{font-family:"仿宋_GB2312","FangSong",serif;max-width:820px;margin:24px auto;padding:0 24px;line-height:1.8}table{border-collapse:collapse;font-size:13px}td{border:1px solid #ccc;padding:2px 6px;vertical-align:top;white-space:pre-wrap}h1{font-size:18px}';

/** The sandbox's preview of a file message, for members of the chat it was sent to only. */
export function filePreviewRoutes(emu: LarkEmulator) {
  const app = new Hono();
  app.get('/sandbox/files/:messageId', async (c) => {
    const m = emu.message(c.req.param('messageId'));
    const viewer = c.req.query('as') ?? '';
    const chat = m ? emu.state.chats[m.chatId] : undefined;
    if (m?.msgType !== 'file' || !chat?.members.includes(viewer))
      return c.text('没有这个文件，或你不在该会话中', 404);
    const key = (m.content as { file_key?: string }).file_key ?? '';
    const file = emu.state.files[key];
    if (!file) return c.text('文件已不可用', 404);
    const bytes = new Uint8Array(Buffer.from(file.dataBase64, 'base64'));
    if (c.req.query('download') === '1')
      return c.body(bytes, 200, {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      });
    const ext = file.fileName.split('.').pop()?.toLowerCase();
    let body: string;
    try {
      body =
        ext === 'docx'
          ? docxParagraphs(bytes)
              .map((p) => `<p>${escapeHtml(p) || '&nbsp;'}</p>`)
              .join('')
          : ext === 'xlsx'
            ? await xlsxTables(bytes)
            : ext === 'zip'
              ? zipListing(bytes)
              : '<p>此类文件不支持预览，请下载查看。</p>';
    } catch {
      body = '<p>文件无法预览，请下载查看。</p>';
    }
    const download = `${c.req.path}?as=${encodeURIComponent(viewer)}&download=1`;
    return c.html(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escapeHtml(file.fileName)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(file.fileName)}</h1><p><a href="${escapeHtml(download)}">下载</a></p>${body}</body></html>`,
    );
  });
  return app;
}
