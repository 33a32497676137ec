import type { EmulatorState } from './emulator-state';

/**
 * What the platform does with a file message the app sends: the content names a file_key the app uploaded
 * (POST /im/v1/files), and the stored message carries the file's name as received messages do.
 */
export function appFileContent(
  state: EmulatorState,
  content: unknown,
): { ok: true; content: unknown } | { ok: false; code: number; msg: string } {
  const key =
    content !== null && typeof content === 'object'
      ? (content as Record<string, unknown>).file_key
      : undefined;
  if (typeof key !== 'string' || key === '')
    return { ok: false, code: 230001, msg: 'param is invalid: file message needs a file_key' };
  const file = state.files[key];
  if (!file) return { ok: false, code: 230001, msg: 'param is invalid: file_key not found' };
  // Audio and video uploads go out as audio/media messages, not as files.
  if (file.fileType === 'opus' || file.fileType === 'mp4')
    return {
      ok: false,
      code: 230055,
      msg: 'The type of file upload does not match the type of message being sent.',
    };
  return { ok: true, content: { file_key: key, file_name: file.fileName } };
}

/**
 * The raw bytes of one multipart field, as the platform reads them. Web FormData decodes a part sent without
 * a filename as UTF-8 text (what the SDK's form-data does with a Buffer), which would corrupt binary files.
 */
export function multipartField(body: Uint8Array, contentType: string, name: string): Uint8Array | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return undefined;
  const delimiter = new TextEncoder().encode(`--${b}`);
  const starts: number[] = [];
  for (let i = indexOf(body, delimiter, 0); i >= 0; i = indexOf(body, delimiter, i + delimiter.length))
    starts.push(i);
  for (let k = 0; k + 1 < starts.length; k++) {
    const part = body.subarray(starts[k]! + delimiter.length + 2, starts[k + 1]! - 2); // CRLF after and before
    const headerEnd = indexOf(part, new TextEncoder().encode('\r\n\r\n'), 0);
    if (headerEnd < 0) continue;
    const headers = new TextDecoder().decode(part.subarray(0, headerEnd));
    if (new RegExp(`name="${name}"`, 'i').test(headers)) return part.subarray(headerEnd + 4);
  }
  return undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
