import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import pLimit from 'p-limit';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { type LakeLocation, openStore } from '../replay/lake-location.js';

/** Every key of a lake, and a local folder DuckDB can read it from. */
export interface LakeInventory {
  readonly store: ObjectStore;
  /** Every key, temporary and unknown files included, sorted. */
  readonly keys: string[];
  /** The lake folder, or a temporary copy of an S3 lake's readable files. */
  readonly folder: string;
  readonly close: () => Promise<void>;
}

/** Files DuckDB reads; everything else is only listed. */
const READABLE = /\.(parquet|jsonl\.gz)$/;

/**
 * Lists a lake. A local lake is walked on disk (the store's own listing hides temporary files,
 * which the check must see). An S3 lake is listed with ListObjectsV2 and its readable files are
 * copied to a temporary folder, so the same DuckDB queries check both.
 */
export async function takeInventory(location: LakeLocation): Promise<LakeInventory> {
  const store = openStore(location);
  if (location.kind === 'folder') {
    let entries: string[] = [];
    try {
      entries = (await readdir(location.path, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile())
        .map((entry) => relative(location.path, join(entry.parentPath, entry.name)).split(sep).join('/'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return { store, keys: entries.sort(), folder: location.path, close: async () => undefined };
  }
  const keys = await store.list('');
  const folder = await mkdtemp(join(tmpdir(), 'lake-check-'));
  const limit = pLimit(16);
  try {
    await Promise.all(
      keys
        .filter((key) => READABLE.test(key))
        .map((key) =>
          limit(async () => {
            const path = join(folder, ...key.split('/'));
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, await store.get(key));
          }),
        ),
    );
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { store, keys, folder, close: () => rm(folder, { recursive: true, force: true }) };
}
