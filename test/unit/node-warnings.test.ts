import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { hideHarmlessWarnings } from '../../lambdas/cli/node-warnings.js';

describe("the CLI's process warnings", () => {
  const warning = (name: string, message: string) => Object.assign(new Error(message), { name });

  it("hides kafkajs' negative-timer warning, prints every other one as Node does, and replaces Node's own printer", () => {
    const proc = Object.assign(new EventEmitter(), { pid: 4242 });
    let nodesOwn = 0;
    proc.on('warning', () => {
      nodesOwn += 1;
    });
    const written: string[] = [];
    hideHarmlessWarnings(proc as unknown as NodeJS.Process, (text) => written.push(text));
    proc.emit('warning', warning('TimeoutNegativeWarning', '-1796528150010 is a negative number.'));
    proc.emit('warning', warning('DeprecationWarning', 'Buffer() is deprecated'));
    proc.emit('warning', warning('MaxListenersExceededWarning', 'Possible EventEmitter memory leak'));
    assert.equal(nodesOwn, 0, "Node's printer is gone");
    assert.deepEqual(written, [
      '(node:4242) DeprecationWarning: Buffer() is deprecated\n',
      '(node:4242) MaxListenersExceededWarning: Possible EventEmitter memory leak\n',
    ]);
  });
});
