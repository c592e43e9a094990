/**
 * The lake's storage: a flat key space with the same keys in a local folder and in S3.
 * Writes replace what is there, which is what makes a redelivered batch overwrite its own files.
 */
export interface ObjectStore {
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Removes a key; a key that is already gone is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * The folder names right under a prefix ending in `/` (S3: a listing with delimiter `/`), sorted.
   * Lets a reader walk `year=…/month=…/day=…` without listing every key or guessing every day.
   */
  listFolders?(prefix: string): Promise<string[]>;
  /** Where the lake is, for messages: a folder path or an `s3://` URL. */
  readonly location: string;
}
