import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import { describeError } from '../../core/errors.js';
import { walkFolder } from '../../core/storage/folder-walk.js';
import { type ForeignEntry, unsafeKeyReason } from '../../core/storage/lake-keys.js';
import { foreignEntries } from '../../core/storage/local-folder-store.js';
import type { ObjectStore } from '../../core/storage/object-store.js';
import { type LakeLocation, openStore } from '../replay/lake-location.js';
import { MAX_LAKE_FILE_BYTES } from '../replay/read-limits.js';

/** Every key of a lake, and a local folder DuckDB can read it from. */
export interface LakeInventory {
  readonly store: ObjectStore;
  /** Every ordinary file, temporary and unknown ones included, sorted. */
  readonly keys: string[];
  /** Folders (a local lake; S3 has none of its own), for the layout check. */
  readonly folders: string[];
  /** Links, pipes, folders named like files, keys with `..`: never read or followed, reported. */
  readonly foreign: ForeignEntry[];
  /** Files that could not be copied out of S3, with the reason (reported; the rest is checked). */
  readonly uncopied: { key: string; reason: string }[];
  /** The lake folder, or a temporary copy of an S3 lake's readable files. */
  readonly folder: string;
  readonly close: () => Promise<void>;
}

/** Files the checks read (DuckDB's, and the place catalogue); everything else is only listed. */
const READABLE = /(\.(parquet|jsonl\.gz)|^catalogue\/places\.json)$/;

/**
 * Lists a lake. A local lake is walked on disk without following a single link (the store's own
 * listing hides temporary files, which the check must see). An S3 lake is listed with
 * ListObjectsV2 and its readable files are copied to a temporary folder (each at most
 * {@link MAX_LAKE_FILE_BYTES}; keys are checked safe first, so a copy never lands outside it), so
 * the same DuckDB queries check both.
 */
export async function takeInventory(location: LakeLocation): Promise<LakeInventory> {
  const store = openStore(location);
  if (location.kind === 'folder') {
    const walked = await walkFolder(location.path);
    return {
      store,
      keys: walked.files.filter((key) => !unsafeKeyReason(key)),
      folders: walked.folders,
      foreign: foreignEntries(walked),
      uncopied: [],
      folder: location.path,
      close: async () => undefined,
    };
  }
  const keys = await store.list('');
  const foreign = (await store.listForeign?.('')) ?? [];
  const folder = await mkdtemp(join(tmpdir(), 'lake-check-'));
  const limit = pLimit(16);
  const uncopied: LakeInventory['uncopied'] = [];
  try {
    await Promise.all(
      keys
        .filter((key) => READABLE.test(key))
        .map((key) =>
          limit(async () => {
            let body: Buffer;
            try {
              body = await store.get(key, { maxBytes: MAX_LAKE_FILE_BYTES });
            } catch (error) {
              uncopied.push({ key, reason: describeError(error) });
              return;
            }
            const path = join(folder, ...key.split('/'));
            await mkdir(dirname(path), { recursive: true });
            await writeFile(path, body);
          }),
        ),
    );
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const notCopied = new Set(uncopied.map((u) => u.key));
  return {
    store,
    keys: keys.filter((key) => !notCopied.has(key)),
    folders: [],
    foreign,
    uncopied: uncopied.sort((a, b) => (a.key < b.key ? -1 : 1)),
    folder,
    close: () => rm(folder, { recursive: true, force: true }),
  };
}
