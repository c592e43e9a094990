/**
 * Waiting with an end. A client library may wait on a peer that stopped answering without closing
 * its connection (a paused Kafka broker, a network that drops packets) for as long as its own
 * timeouts and retries add up to; these helpers end the wait when the caller's time is up.
 */

/**
 * A signal that aborts after `ms` with `reason()`; its timer never keeps the process alive.
 * A negative or zero `ms` gives a signal already aborted.
 */
export function deadlineSignal(ms: number, reason: () => Error): AbortSignal {
  const controller = new AbortController();
  if (ms <= 0) controller.abort(reason());
  else setTimeout(() => controller.abort(reason()), ms).unref();
  return controller.signal;
}

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as it aborts. `work` itself
 * goes on: the caller abandons it (and its eventual rejection is observed, never unhandled).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or less if the signal aborts first (then rejects with its reason). */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return untilAborted(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

/**
 * Settles as `work` does, or rejects with `reason()` after `ms` (or with the signal's reason if it
 * aborts first). The timer is cleared as soon as `work` settles: cheap to call in a polling loop.
 */
export async function within<T>(
  work: Promise<T>,
  ms: number,
  reason: () => Error,
  signal?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), ms);
  timer.unref();
  try {
    return await untilAborted(
      work,
      signal ? AbortSignal.any([signal, controller.signal]) : controller.signal,
    );
  } finally {
    clearTimeout(timer);
  }
}
