import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { temporaryDir } from '../infra/support/synth.js';

/** The CDK app as `cdk synth` starts it, with a bad configuration (test/infra/config.test.ts checks the rules in process). */
describe('bin/app.ts with a bad configuration', () => {
  it('stops `cdk synth` (bin/app.ts) with one line naming the bad value, before building anything', () => {
    const outdir = temporaryDir('seoul-bad-config-');
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bin', 'app.ts')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ topicPartitions: 500 }), CDK_OUTDIR: outdir },
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr.trim(),
      'Configuration error: cdk.json context "topicPartitions" must be a whole number from 1 to 121, got 500',
    );
  });
});
