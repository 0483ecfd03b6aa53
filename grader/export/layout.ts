/**
 * Turns what a student uploaded to a course platform into netgrade's submission layout (one
 * folder per exercise). Platforms hand over the upload as it came: the files at the top
 * level (`server.ts`), inside one wrapper folder (`my-work/server.ts`, as a zip of a folder
 * unpacks), or already one folder per exercise (`sticky-packets/server.ts`).
 */
import { cp, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const ignored = (name: string) => name.startsWith('.') || name === '__MACOSX' || name === 'node_modules';

async function visibleEntries(dir: string) {
  return (await readdir(dir, { withFileTypes: true })).filter((e) => !ignored(e.name));
}

export interface Layout {
  /** Exercise ids given files, in the order asked. */
  exercises: string[];
  /** The folder the files were taken from (the upload, or its single wrapper folder). */
  from: string;
}

/**
 * Copies `upload` into `dest/<exercise>/...`: folders named after an exercise go to that
 * exercise; otherwise (no such folder) every file goes to each exercise asked for (with one
 * exercise, the usual case, to that one). Up to two wrapper folders are unwrapped.
 */
export async function layOutSubmission(upload: string, exerciseIds: string[], dest: string): Promise<Layout> {
  let from = upload;
  let entries = await visibleEntries(from);
  for (let depth = 0; depth < 2 && entries.length === 1 && entries[0]!.isDirectory() && !exerciseIds.includes(entries[0]!.name); depth++) {
    from = join(from, entries[0]!.name);
    entries = await visibleEntries(from);
  }
  await mkdir(dest, { recursive: true });
  const filter = (source: string) => !source.split(/[\\/]/).some((part) => ignored(part) && part !== '.' && part !== '..');
  const byFolder = entries.filter((e) => e.isDirectory() && exerciseIds.includes(e.name)).map((e) => e.name);
  if (byFolder.length > 0) {
    for (const id of byFolder) await cp(join(from, id), join(dest, id), { recursive: true, filter: (s) => filter(s.slice(from.length)) });
    return { exercises: exerciseIds.filter((id) => byFolder.includes(id)), from };
  }
  if (entries.length === 0) return { exercises: [], from };
  for (const id of exerciseIds) {
    await mkdir(join(dest, id), { recursive: true });
    for (const entry of entries) await cp(join(from, entry.name), join(dest, id, entry.name), { recursive: true, filter: (s) => filter(s.slice(from.length)) });
  }
  return { exercises: [...exerciseIds], from };
}
