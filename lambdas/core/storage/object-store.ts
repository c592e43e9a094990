import type { ForeignEntry } from './lake-keys.js';

export interface GetOptions {
  /** Refuse (StorageError) an object larger than this many bytes, without reading it. */
  readonly maxBytes?: number;
}

/**
 * The lake's storage: a flat key space with the same keys in a local folder and in S3.
 * Writes replace what is there, which is what makes a redelivered batch overwrite its own files.
 */
export interface ObjectStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string, options?: GetOptions): Promise<Buffer>;
  /** Removes a key; a key that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under a prefix, sorted: ordinary objects only (see {@link listForeign}). */
  list(prefix: string): Promise<string[]>;
  /**
   * The folder names right under a prefix ending in `/` (S3: a listing with delimiter `/`), sorted.
   * Lets a reader walk `year=…/month=…/day=…` without listing every key or guessing every day.
   */
  listFolders?(prefix: string): Promise<string[]>;
  /**
   * What under a prefix is not an ordinary object and is never read or followed (a link, a folder
   * named like a file, a key with `..` parts): the tools name these instead of silently skipping them.
   */
  listForeign?(prefix: string): Promise<ForeignEntry[]>;
  /** Where the lake is, for messages: a folder path or an `s3://` URL. */
  readonly location: string;
}
