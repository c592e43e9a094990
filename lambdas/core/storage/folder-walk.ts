import type { Dirent } from 'node:fs';
import { lstatSync, readdirSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError } from '../errors.js';
import type { ForeignEntry } from './lake-keys.js';

/** An entry of a lake folder, as `lstat` sees it (a link is a link, never what it points to). */
export interface WalkedEntries {
  /** Regular files, as keys (`/`-separated, relative to the root). */
  readonly files: string[];
  /** Folders, as keys (empty ones too). */
  readonly folders: string[];
  /** Symbolic links, FIFOs, sockets, devices: never entered, opened or followed. */
  readonly foreign: ForeignEntry[];
}

/** What a non-file, non-folder entry is, in words. */
export function describeEntry(entry: Pick<Dirent, 'isSymbolicLink' | 'isFIFO' | 'isSocket'>): string {
  if (entry.isSymbolicLink()) return 'a symbolic link (never followed)';
  if (entry.isFIFO()) return 'a named pipe, not a file';
  if (entry.isSocket()) return 'a socket, not a file';
  return 'a device or other special file, not a file';
}

/**
 * Every entry under `root/start` without following a single link: `readdir` with file types
 * reports a link as a link, and only real folders are entered, one at a time. (Node's recursive
 * `readdir` enters links to folders — Node 20 without file types, Node 24 even with them — so it
 * is never used on a lake.) The folders from the root to `start` are checked too: a listing never
 * goes through a link.
 */
export async function walkFolder(root: string, start = ''): Promise<WalkedEntries> {
  const result: WalkedEntries = { files: [], folders: [], foreign: [] };
  const parts = start === '' ? [] : start.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const key = parts.slice(0, depth).join('/');
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(join(root, ...parts.slice(0, depth)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return result;
      throw new StorageError(`cannot list ${key}: ${(error as Error).message}`, { cause: error });
    }
    if (info.isDirectory()) continue;
    if (info.isFile()) throw new StorageError(`cannot list ${key}: a file where a folder is expected`);
    throw new StorageError(`cannot list ${key}: ${describeEntry(info)}`);
  }
  const pending = [parts.join('/')];
  while (pending.length > 0) {
    const folder = pending.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, ...(folder === '' ? [] : folder.split('/'))), {
        withFileTypes: true,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new StorageError(`cannot list ${folder || root}: ${(error as Error).message}`, { cause: error });
    }
    for (const entry of entries) {
      const key = folder === '' ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        result.folders.push(key);
        pending.push(key);
      } else if (entry.isFile()) result.files.push(key);
      else result.foreign.push({ key, what: describeEntry(entry) });
    }
  }
  result.files.sort();
  result.folders.sort();
  result.foreign.sort((a, b) => (a.key < b.key ? -1 : 1));
  return result;
}

/**
 * The regular files under a folder whose names end in `suffix`, found without following a link,
 * and whether any link or other non-file entry was met. For readers that hand paths to DuckDB,
 * whose globs follow links (a `*` enters a linked folder, a match opens a linked file): they pass
 * the glob only when `linked` is false, and these very files otherwise. Walked one folder at a
 * time: Node's recursive readdir enters linked folders (Node 24 even with file types).
 */
export function regularFilesUnder(folder: string, suffix: string): { files: string[]; linked: boolean } {
  const files: string[] = [];
  let linked = false;
  try {
    // The folder itself is not entered if it is a link (readdirSync would follow it).
    if (!lstatSync(folder).isDirectory()) return { files: [], linked: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], linked: false };
    throw error;
  }
  const pending = [folder];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) {
        if (entry.name.endsWith(suffix)) files.push(path);
      } else linked = true;
    }
  }
  return { files: files.sort(), linked };
}
