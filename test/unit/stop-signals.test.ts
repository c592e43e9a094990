import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { installStopSignals, type SignalSource } from '../../lambdas/cli/stop-signals.js';

function harness(window = 500) {
  const source = new EventEmitter();
  let now = 1_000;
  const said: string[] = [];
  const exits: number[] = [];
  const staysAlive: number[] = [];
  const stop = installStopSignals({
    source: source as unknown as SignalSource,
    now: () => now,
    say: (text) => said.push(text),
    exit: (status) => exits.push(status),
    sameSignalWithinMs: window,
    stayAliveFor: (ms) => staysAlive.push(ms),
  });
  const send = (signal: 'SIGINT' | 'SIGTERM', atMs: number) => {
    now = 1_000 + atMs;
    source.emit(signal, signal);
  };
  return { source, stop, said, exits, send, staysAlive };
}

describe('stop signals', () => {
  it('first signal aborts the stop signal with its name and says a second one exits at once', () => {
    const { stop, said, exits, send } = harness();
    assert.equal(stop.signal.aborted, false);
    send('SIGINT', 0);
    assert.equal(stop.signal.aborted, true);
    assert.equal(stop.signal.reason, 'SIGINT');
    assert.deepEqual(said, ['SIGINT received: stopping (Ctrl-C again to exit at once)']);
    assert.deepEqual(exits, []);
  });

  it('copies of one Ctrl-C (terminal and npm both deliver it) do not count as the second signal', () => {
    const { said, exits, send, staysAlive } = harness(500);
    send('SIGINT', 0);
    send('SIGINT', 3);
    send('SIGINT', 500);
    assert.deepEqual(exits, []);
    assert.equal(said.length, 1);
    // and the process lives through the window, so a late copy finds the listener still there
    assert.deepEqual(staysAlive, [500]);
  });

  it('a second signal after the window exits at once with 128 + its number', () => {
    const { exits, said, send } = harness(500);
    send('SIGINT', 0);
    send('SIGINT', 501);
    assert.deepEqual(exits, [130]);
    assert.match(said.at(-1) ?? '', /SIGINT received again: exiting at once/);
    const term = harness(500);
    term.send('SIGTERM', 0);
    term.send('SIGTERM', 2_000);
    assert.deepEqual(term.exits, [143]);
  });

  it('keeps listening after the first signal, so Node never falls back to its default kill', () => {
    const { source, stop, send } = harness();
    send('SIGINT', 0);
    assert.equal(source.listenerCount('SIGINT'), 1);
    assert.equal(source.listenerCount('SIGTERM'), 1);
    stop.dispose();
    assert.equal(source.listenerCount('SIGINT'), 0);
  });
});
