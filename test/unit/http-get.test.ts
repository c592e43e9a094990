import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HttpGetError, httpGet } from '../../lambdas/core/seoul-api/http-get.js';

/**
 * The hard deadline of one GET, on a clock the test controls: a server that takes the request and
 * never answers, and the test's own timers (undici's header and body timeouts included) moved by
 * hand. Before the deadline the GET is still waiting; at the deadline it fails, whatever the socket.
 */
describe('httpGet deadline', () => {
  let server: Server;
  let url: string;
  let requests = 0;

  before(async () => {
    server = createServer(() => {
      requests++; // and never answer
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('is still waiting just before its deadline and fails with a timeout at it', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const asked = requests;
    let outcome: unknown;
    const getting = httpGet(url, { timeoutMs: 5_000, maxBytes: 1_000 }).then(
      () => 'answered',
      (error: unknown) => error,
    );
    void getting.then((value) => {
      outcome = value;
    });
    while (requests === asked) await settle();
    t.mock.timers.tick(4_999);
    await settle();
    assert.equal(outcome, undefined, 'ended before its deadline');
    t.mock.timers.tick(1);
    const error = await getting;
    assert.ok(error instanceof HttpGetError, String(error));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.message, 'timed out after 5000 ms');
  });

  it("ends at once with the run's reason when the run is aborted, long before its deadline", async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const asked = requests;
    const run = new AbortController();
    const getting = httpGet(url, { timeoutMs: 60_000, maxBytes: 1_000, signal: run.signal });
    while (requests === asked) await settle();
    run.abort(new Error('run stopped'));
    await assert.rejects(getting, /run stopped/);
  });
});
