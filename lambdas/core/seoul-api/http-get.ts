import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { type Dispatcher, request } from 'undici';

/** What one GET brought back: the status and the body as bytes, decoded from its content encoding. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: Buffer;
}

export interface HttpGetOptions {
  /** Everything, from connecting to the last body byte, ends by then. */
  readonly timeoutMs: number;
  /** A body larger than this (before or after decompression) ends the request. */
  readonly maxBytes: number;
  /** The run's signal: aborting it ends the request at once with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
  /** undici's dispatcher; tests may pass their own. @default the global one */
  readonly dispatcher?: Dispatcher;
}

/** Why a GET brought nothing usable back. `kind` decides whether trying again can help. */
export class HttpGetError extends Error {
  constructor(
    readonly kind: 'timeout' | 'too-large' | 'network' | 'encoding',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpGetError';
  }
}

export type HttpGet = (url: string, options: HttpGetOptions) => Promise<HttpAnswer>;

/**
 * A GET whose every path ends by its deadline, whatever the server sends. Node 20's built-in
 * fetch can stall for good on a body that lies about its `Content-Encoding`, and then neither its
 * own abort signal nor a run deadline frees the caller. Here undici's `request` (no automatic
 * decompression) gets header and body timeouts, an abort signal that destroys the socket, and a
 * hard deadline that settles the promise even if the socket ignored all of them. The body is read
 * as a stream and refused past `maxBytes`, so one huge answer cannot exhaust the memory; a declared
 * gzip/deflate/br encoding is decoded here, with the same ceiling on the decoded size.
 */
export const httpGet: HttpGet = async (url, options) => {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new HttpGetError('timeout', `timed out after ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  // The hard deadline: whatever undici does with the socket, this promise rejects on abort.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    return await Promise.race([fetchBody(url, options, signal), aborted]);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw asHttpGetError(error, options.timeoutMs);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
};

async function fetchBody(url: string, options: HttpGetOptions, signal: AbortSignal): Promise<HttpAnswer> {
  const response = await request(url, {
    method: 'GET',
    headers: { ...options.headers },
    signal,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    response.body.destroy();
    throw tooLarge(options.maxBytes, `declares ${declared} bytes`);
  }
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decoder = decoderFor(encoding);
  if (decoder === undefined) {
    response.body.destroy();
    // Named only when it looks like an encoding's name: a reason never quotes what a server chose.
    const named = /^[a-z0-9-]{1,24}$/.test(encoding) ? ` ${JSON.stringify(encoding)}` : '';
    throw new HttpGetError('encoding', `unsupported Content-Encoding${named}`);
  }
  const raw = limited(response.body, options.maxBytes, 'is');
  const body = await collect(decoder ? limited(raw.pipe(decoder()), options.maxBytes, 'decodes to') : raw);
  return { status: response.statusCode, body };
}

type DecoderFactory = () => NodeJS.ReadWriteStream;

function decoderFor(encoding: string): DecoderFactory | null | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip;
    case 'deflate':
      return createInflate;
    case 'br':
      return createBrotliDecompress;
    default:
      return undefined;
  }
}

/** Passes bytes through until more than `maxBytes` went by, then fails the stream. */
function limited(source: NodeJS.ReadableStream, maxBytes: number, verb: string): Readable {
  let seen = 0;
  const output = Readable.from(
    (async function* () {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        seen += chunk.length;
        if (seen > maxBytes) throw tooLarge(maxBytes, `${verb} more than that`);
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  output.on('error', () => (source as Readable).destroy?.());
  return output;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number, detail: string): HttpGetError {
  return new HttpGetError('too-large', `answer larger than the ${maxBytes}-byte ceiling (it ${detail})`);
}

function asHttpGetError(error: unknown, timeoutMs: number): HttpGetError {
  if (error instanceof HttpGetError) return error;
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT')
    return new HttpGetError('timeout', `timed out after ${timeoutMs} ms`, { cause: error });
  if (code.startsWith('Z_') || /incorrect header check|unexpected end of file|invalid/i.test(String(code)))
    return new HttpGetError('encoding', `body does not match its Content-Encoding: ${messageOf(error)}`, {
      cause: error,
    });
  return new HttpGetError('network', `network error: ${messageOf(error)}`, { cause: error });
}

function messageOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 4; depth++) {
    const code = (current as { code?: string }).code;
    parts.push(code && !current.message.includes(code) ? `${current.message} (${code})` : current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.length > 0 ? [...new Set(parts)].join(': ') : String(error);
}
