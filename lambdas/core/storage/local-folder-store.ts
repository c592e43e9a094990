import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { StorageError } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** The lake as a folder on this machine. Keys are relative paths with `/` separators. */
export class LocalFolderStore implements ObjectStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(this.location, ...key.split('/'));
    if (!path.startsWith(this.location + sep))
      throw new StorageError(`key ${JSON.stringify(key)} escapes the lake folder`);
    return path;
  }

  /** Creates the folder and proves it is writable, so a bad `--lake` fails before any API call. */
  async ensureWritable(): Promise<void> {
    const probe = join(this.location, `.write-probe-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(this.location, { recursive: true });
      await writeFile(probe, '');
      await rm(probe);
    } catch (error) {
      throw new StorageError(`lake folder ${this.location} is not writable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async put(key: string, body: Buffer, _contentType?: string): Promise<void> {
    const path = this.pathOf(key);
    // Write then rename: a reader (DuckDB, the crawler) never sees half a file, and a rewrite
    // of the same key replaces the old file in one step.
    // The writer's PID in the name: after a kill, the next start removes only files whose
    // writer is gone (run-journal.ts), never one a live process is about to rename.
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, body);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw new StorageError(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
    }
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      throw new StorageError(`cannot read ${this.pathOf(key)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.pathOf(key), { force: true });
    } catch (error) {
      throw new StorageError(`cannot remove ${this.pathOf(key)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async listFolders(prefix: string): Promise<string[]> {
    try {
      const entries = await readdir(prefix === '' ? this.location : this.pathOf(prefix.replace(/\/$/, '')), {
        withFileTypes: true,
      });
      return entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError(`cannot list ${this.location}: ${(error as Error).message}`, { cause: error });
    }
  }

  async list(prefix: string): Promise<string[]> {
    const start = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    let entries: string[];
    try {
      entries = await readdir(start === '' ? this.location : this.pathOf(start), { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new StorageError(`cannot list ${this.location}: ${(error as Error).message}`, { cause: error });
    }
    const base = start === '' ? this.location : this.pathOf(start);
    return entries
      .map((entry) => relative(this.location, join(base, entry)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix) && !key.endsWith('.tmp') && /\.[a-z]+$/.test(key))
      .sort();
  }
}
