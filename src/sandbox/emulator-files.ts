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
