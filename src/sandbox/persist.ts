import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { LarkEmulator } from './emulator';
import { UUID_WINDOW_MS } from './emulator-api';
import type { EmulatorState } from './emulator-state';

/** What is worth keeping of the sandbox's chats: people, chats, messages and files; not tokens or logs. */
type Kept = Pick<EmulatorState, 'users' | 'chats' | 'messages' | 'files' | 'uuids'>;

/** Brings back the chats of an earlier sandbox run, so cards and history survive a restart like the cases do. */
export function restoreEmulator(emu: LarkEmulator, file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<Kept>;
    Object.assign(emu.state.users, kept.users ?? {});
    Object.assign(emu.state.chats, kept.chats ?? {});
    Object.assign(emu.state.files, kept.files ?? {});
    Object.assign(emu.state.uuids, kept.uuids ?? {});
    emu.state.messages.push(...(kept.messages ?? []));
    return true;
  } catch {
    // A damaged file only costs the old chat history; the cases are in the database.
    return false;
  }
}

/**
 * Writes the sandbox's chats to `file` shortly after each change (atomically: temp file, then rename).
 * Like a private outbox row, the file forgets a send's uuid: messages keep none, and the dedup map only
 * what the platform's window still needs, on the emulator's own clock (the one the uuids were stamped with).
 */
export function persistEmulator(
  emu: LarkEmulator,
  file: string,
  delayMs = 300,
): { flush(): void; close(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const s = emu.state;
    const now = emu.now();
    const kept: Kept = {
      users: s.users,
      chats: s.chats,
      messages: s.messages.map(({ uuid: _uuid, ...m }) => m),
      files: s.files,
      uuids: Object.fromEntries(Object.entries(s.uuids).filter(([, u]) => now - u.at <= UUID_WINDOW_MS)),
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(kept));
    renameSync(`${file}.tmp`, file);
  };
  const stop = emu.onMessage(() => {
    if (timer) return;
    timer = setTimeout(flush, delayMs);
    timer.unref?.();
  });
  return {
    flush,
    close() {
      stop();
      if (timer) flush();
    },
  };
}
