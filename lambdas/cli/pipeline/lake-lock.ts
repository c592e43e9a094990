import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, lstat, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PipelineError } from '../../core/errors.js';
import { LAKE_LOCK } from '../lake-files.js';

/**
 * One writer per lake folder: `start`, `demo`, `replay` and `check --fix` hold this file at the
 * lake's top while they run. Read-only commands (`check`, `query`, `report`, `replay --dry-run`)
 * never take it. A second writer refuses at once (exit 1) and names the holder; it never waits.
 */

/** Who holds a lake: enough to tell a live holder from a dead one, and to tell a person who it is. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly startedAt: string;
  /** The command, as a person typed it: `start`, `demo`, `replay`, `check --fix`. */
  readonly command: string;
  /** Linux: the kernel's boot id and the process's start time in clock ticks since boot. A PID
   * reused after a reboot or by another process has another pair, so it never passes for the holder. */
  readonly bootId?: string;
  readonly processStart?: string;
  /** Tells this lock from an earlier one of the same PID. */
  readonly token: string;
}

/** The lake is held by a live writer: exit 1, with who holds it. */
export class LakeBusyError extends PipelineError {
  constructor(
    message: string,
    readonly holder?: LockHolder,
  ) {
    super('LAKE_BUSY', message);
  }
}

export interface LakeLock {
  readonly holder: LockHolder;
  /** A dead holder whose lock was taken over (killed with -9, or the machine restarted). */
  readonly tookOverFrom?: LockHolder;
  /** Removes the lock if it is still this process's. Safe to call twice. */
  release(): Promise<void>;
}

/** The live holder of a lake's lock, if any: for messages of read-only commands. */
export async function liveHolder(lake: string): Promise<LockHolder | undefined> {
  const holder = await readHolder(join(lake, LAKE_LOCK));
  return holder && holder !== 'unreadable' && isAlive(holder) ? holder : undefined;
}

/**
 * Takes the lake's lock for `command`, or throws {@link LakeBusyError} naming the live holder.
 *
 * The lock file appears whole or not at all: it is written under a temporary name, then hard-linked
 * to `_writer.lock` (link fails if the name exists, atomically, and never follows a link). A holder
 * that is gone (no such PID on this host, or the PID now belongs to another process or another
 * boot) is taken over: under a second, short-lived lock (`_writer.lock.takeover`, linked the same
 * way) the stale file is read again and, only if it is still that holder's, a new one is renamed
 * over it.
 * A holder on another host cannot be checked from here: the lake is refused until that file is
 * removed by a person who knows the process is gone.
 */
export async function acquireLakeLock(lake: string, command: string): Promise<LakeLock> {
  const path = join(lake, LAKE_LOCK);
  const holder = thisProcess(command);
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await linkNew(path, holder)) return held(path, holder, undefined);
    const current = await readHolder(path);
    if (current === undefined) continue; // released meanwhile: try again
    if (current === 'unreadable')
      throw new LakeBusyError(
        `${path} exists but is not a lock this program wrote; if no command is using the lake ${lake}, remove that file`,
      );
    if (current.host !== holder.host)
      throw new LakeBusyError(
        `the lake ${lake} is in use by ${describeHolder(current)}, on another host; one writer per lake. If that process is gone, remove ${path}`,
        current,
      );
    if (isAlive(current))
      throw new LakeBusyError(
        `the lake ${lake} is in use by ${describeHolder(current)}; one writer per lake: wait for it to end, or stop it (Ctrl-C)`,
        current,
      );
    if (await takeOver(path, current, holder)) return held(path, holder, current);
  }
  throw new LakeBusyError(`the lake ${lake} changed hands while this command tried to take it; run it again`);
}

/**
 * The lock of a lake folder for a command that changes it, or none: for an S3 lake (the writer
 * there is the Lambda; see docs/local-use.md#one-writer-per-lake) and for a folder that does not
 * exist (nothing in it to change; the command says so itself).
 */
export async function holdLakeFolder(location: { kind: string; path?: string }, command: string) {
  if (location.kind !== 'folder' || location.path === undefined) return undefined;
  const info = await lstat(location.path).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  return acquireLakeLock(location.path, command);
}

/** `npm start (pid 4242 on host h, since 2026-07-16T05:20:00Z)` */
export function describeHolder(holder: LockHolder): string {
  return `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})`;
}

function thisProcess(command: string): LockHolder {
  const identity = procIdentity(process.pid);
  return {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command,
    ...identity,
    token: randomBytes(8).toString('hex'),
  };
}

/** Writes the holder under a temporary name and links it to `path`: false if `path` exists. */
async function linkNew(path: string, holder: LockHolder): Promise<boolean> {
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
  try {
    await link(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** The holder in a lock file; undefined when there is none; 'unreadable' when it is not one. */
async function readHolder(path: string): Promise<LockHolder | 'unreadable' | undefined> {
  try {
    const info = await lstat(path);
    if (!info.isFile() || info.size > 4096) return 'unreadable';
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<LockHolder>;
    if (
      !Number.isInteger(value.pid) ||
      typeof value.host !== 'string' ||
      typeof value.token !== 'string' ||
      typeof value.startedAt !== 'string' ||
      typeof value.command !== 'string'
    )
      return 'unreadable';
    return value as LockHolder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return 'unreadable';
  }
}

/** Whether the holder (on this host) still runs: its PID exists and is the same process. */
function isAlive(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = procIdentity(holder.pid);
  if (holder.bootId && now.bootId && holder.bootId !== now.bootId) return false;
  if (holder.processStart && now.processStart && holder.processStart !== now.processStart) return false;
  return true;
}

/** Linux's boot id and a process's start time (field 22 of /proc/PID/stat); empty elsewhere. */
function procIdentity(pid: number): { bootId?: string; processStart?: string } {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const processStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return processStart ? { bootId, processStart } : { bootId };
  } catch {
    return {};
  }
}

/**
 * Replaces a dead holder's lock with this one, under the takeover lock so that two processes
 * finding the same dead holder cannot both win. False when someone else changed the lock first.
 */
async function takeOver(path: string, dead: LockHolder, holder: LockHolder): Promise<boolean> {
  const guard = `${path}.takeover`;
  if (!(await linkNew(guard, holder))) {
    const other = await readHolder(guard);
    // A takeover guard of a process that died in the middle of its takeover is removed.
    if (other !== undefined && other !== 'unreadable' && !isAlive(other))
      await unlink(guard).catch(() => undefined);
    return false;
  }
  try {
    const still = await readHolder(path);
    if (still === undefined || still === 'unreadable' || still.token !== dead.token) return false;
    // Renamed over the stale file: the name never goes missing, so no taker outside the guard
    // can slip in between.
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
    await rename(temporary, path);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

function held(path: string, holder: LockHolder, tookOverFrom: LockHolder | undefined): LakeLock {
  let released = false;
  // A second Ctrl-C exits at once, without the command's finally blocks: the lock goes with it.
  const onExit = () => {
    try {
      const current = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
      if (current.token === holder.token) unlinkSync(path);
    } catch {
      // gone already, or not ours
    }
  };
  process.once('exit', onExit);
  return {
    holder,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    release: async () => {
      if (released) return;
      released = true;
      process.removeListener('exit', onExit);
      const current = await readHolder(path);
      if (current !== undefined && current !== 'unreadable' && current.token === holder.token)
        await unlink(path).catch(() => undefined);
    },
  };
}
