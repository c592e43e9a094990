import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StorageError } from '../errors.js';
import { describeEntry, type WalkedEntries, walkFolder } from './folder-walk.js';
import { assertSafeKey, type ForeignEntry, unsafeKeyReason } from './lake-keys.js';
import type { GetOptions, ObjectStore } from './object-store.js';

/** What the store's listing takes for a file key: a name with an extension, not a temporary file. */
const LISTED = (key: string) => !key.endsWith('.tmp') && /\.[a-z]+$/.test(key);

/**
 * The lake as a folder on this machine. Keys are relative paths with `/` separators.
 *
 * Containment: nothing inside the lake is ever followed. Every folder between the lake and a key
 * is checked with `lstat` before the key is read, written, removed or listed (a link, even to a
 * folder inside the lake, is refused with its name); files are opened with `O_NOFOLLOW`, and only
 * regular files are read or removed. The lake folder itself may be a link (a lake moved to another
 * disk): what the user named is the lake. Keys with `..`, `.` or empty parts are refused outright.
 * Not a defence against another process swapping a folder for a link between the check and the
 * open: the lake has one writer (see lake-lock.ts).
 */
export class LocalFolderStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  private partsOf(key: string): string[] {
    assertSafeKey(key);
    return key.split('/');
  }

  /** Throws unless each folder from the lake down to the key's parent is a real folder or absent. */
  private async assertFoldersInside(parts: readonly string[]): Promise<void> {
    for (let depth = 1; depth < parts.length; depth++) {
      let info: Awaited<ReturnType<typeof lstat>>;
      try {
        info = await lstat(join(this.location, ...parts.slice(0, depth)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      if (info.isDirectory()) continue;
      const where = parts.slice(0, depth).join('/');
      throw new StorageError(
        `${where} is ${info.isFile() ? 'a file where a folder is expected' : describeEntry(info)}: the lake never goes through it`,
      );
    }
  }

  /** Creates the folder and proves it is writable, so a bad `--lake` fails before any API call. */
  async ensureWritable(): Promise<void> {
    const probe = join(this.location, `.write-probe-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(this.location, { recursive: true });
      await writeFile(probe, '', { flag: 'wx' });
      await rm(probe);
    } catch (error) {
      throw new StorageError(`lake folder ${this.location} is not writable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async put(key: string, body: Buffer, _contentType?: string): Promise<void> {
    const parts = this.partsOf(key);
    const path = join(this.location, ...parts);
    // Write then rename: a reader (DuckDB, the crawler) never sees half a file, and a rewrite
    // of the same key replaces the old file in one step (a link in its place is replaced, not followed).
    // The writer's PID in the name: after a kill, the next start removes only files whose
    // writer is gone (run-journal.ts), never one a live process is about to rename.
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.assertFoldersInside(parts);
      await mkdir(dirname(path), { recursive: true });
      await this.assertFoldersInside(parts);
      // 'wx': O_CREAT | O_EXCL, which never follows a link planted under the temporary name.
      await writeFile(temporary, body, { flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new StorageError(`cannot write ${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(key: string, options: GetOptions = {}): Promise<Buffer> {
    const parts = this.partsOf(key);
    try {
      await this.assertFoldersInside(parts);
      // O_NOFOLLOW: a link is refused (ELOOP); O_NONBLOCK: a named pipe cannot hang the open.
      const handle = await open(
        join(this.location, ...parts),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      ).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ELOOP') throw new StorageError('a symbolic link (never followed)');
        throw error;
      });
      try {
        const info = await handle.stat();
        if (info.isDirectory()) throw new StorageError('a folder where a file is expected');
        if (!info.isFile()) throw new StorageError(describeEntry(info));
        if (options.maxBytes !== undefined && info.size > options.maxBytes)
          throw new StorageError(`${info.size} bytes, over the limit of ${options.maxBytes} for this file`);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new StorageError(`cannot read ${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    const parts = this.partsOf(key);
    const path = join(this.location, ...parts);
    try {
      await this.assertFoldersInside(parts);
      const info = await lstat(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      if (!info) return;
      // Only a file the lake wrote is removed: a link, a folder or a pipe is left for a person.
      if (!info.isFile())
        throw new StorageError(
          `${info.isDirectory() ? 'a folder where a file is expected' : describeEntry(info)}; left as it is`,
        );
      await rm(path, { force: true });
    } catch (error) {
      throw new StorageError(`cannot remove ${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    const folder = prefix.replace(/\/$/, '');
    try {
      // Each part of the folder itself is checked too (the empty last part stands for its entries).
      if (folder !== '') await this.assertFoldersInside([...this.partsOf(folder), '']);
      const entries = await readdir(
        folder === '' ? this.location : join(this.location, ...folder.split('/')),
        {
          withFileTypes: true,
        },
      );
      return entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError(`cannot list ${prefix}: ${(error as Error).message}`, { cause: error });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const walked = await this.walk(prefix);
    return walked.files.filter((key) => key.startsWith(prefix) && LISTED(key) && !unsafeKeyReason(key));
  }

  /** Walks the folder a listing of `prefix` starts from (its part up to the last `/`). */
  private walk(prefix: string) {
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (start !== '') assertSafeKey(start);
    return walkFolder(this.location, start);
  }

  async listForeign(prefix: string): Promise<ForeignEntry[]> {
    return foreignEntries(await this.walk(prefix), prefix);
  }
}

/**
 * What a walk found that is not an ordinary file of the lake: links, pipes, devices, folders named
 * like files (`x.jsonl.gz/`), names no key can hold. Never read; replay and check name them.
 */
export function foreignEntries(walked: WalkedEntries, prefix = ''): ForeignEntry[] {
  const under = (key: string) => key.startsWith(prefix);
  return [
    ...walked.foreign.filter((entry) => under(entry.key)),
    ...walked.folders
      .filter((key) => under(key) && LISTED(key))
      .map((key) => ({ key, what: 'a folder where a file is expected' })),
    ...walked.files
      .filter((key) => under(key) && unsafeKeyReason(key))
      .map((key) => ({ key, what: `a name no lake key can hold (${unsafeKeyReason(key)})` })),
  ].sort((a, b) => (a.key < b.key ? -1 : 1));
}
