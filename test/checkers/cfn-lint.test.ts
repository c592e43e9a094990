import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { temporaryDir } from '../infra/support/synth.js';
import { cfnLint, IGNORED_CHECKS, lintAllTemplates } from './cfn-lint.js';

describe('cfn-lint on every synthesized template', () => {
  it('reports nothing (errors or warnings) beyond the documented ignored checks', () => {
    const { templates, findings } = lintAllTemplates();
    assert.equal(templates.length, 4);
    assert.deepEqual(
      findings.map((f) => `${f.level} ${f.rule} ${f.path}: ${f.message}`),
      [],
    );
  });

  it('is live: a template with a mistake is reported', () => {
    const broken = join(temporaryDir('seoul-cfn-lint-'), 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        Resources: {
          Queue: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 'two weeks' } },
        },
      }),
    );
    const findings = cfnLint([broken], 'ap-northeast-2');
    assert.ok(
      findings.some((f) => f.level === 'Error'),
      JSON.stringify(findings),
    );
  });

  it('ignores only checks with a written reason', () => {
    for (const [check, reason] of Object.entries(IGNORED_CHECKS)) {
      assert.match(check, /^[EWI]\d{4}$/);
      assert.ok(reason.length > 60, check);
    }
  });
});
