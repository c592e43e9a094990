import { StorageError } from '../errors.js';

/**
 * The one rule every lake key follows, in a folder and in S3 alike: `/`-separated parts, none of
 * them empty, `.` or `..`, and no NUL or backslash. A key that breaks it can never name a place
 * outside the lake (a folder path resolving `..`, a copy of an S3 key to a local disk), so both
 * stores refuse to build one and never list one as an ordinary key.
 */
export function unsafeKeyReason(key: string): string | undefined {
  if (key === '') return 'an empty key';
  if (/[\0\\]/.test(key)) return 'a key holding NUL or a backslash';
  for (const part of key.split('/')) {
    if (part === '') return 'a key with an empty part (// or a leading or trailing /)';
    if (part === '.' || part === '..') return `a key with a "${part}" part`;
  }
  return undefined;
}

/** Throws a {@link StorageError} naming the key when it breaks the rule of {@link unsafeKeyReason}. */
export function assertSafeKey(key: string): void {
  const reason = unsafeKeyReason(key);
  if (reason) throw new StorageError(`refused ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
}

/**
 * A name taken from data (a run id, a topic) that becomes one part of a key: letters, digits,
 * `.`, `_` and `-`, not starting with a dot, at most 200 characters. Never a path of its own.
 */
export const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

/** Something in a lake that is not an ordinary file: listed apart, never read, written or followed. */
export interface ForeignEntry {
  readonly key: string;
  /** What it is, for a person: "a symbolic link (not followed)", "a folder where a file is expected". */
  readonly what: string;
}
