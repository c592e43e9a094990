import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import { failures, holds, type ProofResult, runProof, synthesizedApp } from './proof.js';
import { RECORD_DIR, readRecord } from './record.js';
import { constructLabels, markdownTable, TABLE_END, TABLE_START, tableRows } from './report.js';

/**
 * The access proof (issue 19, item 5), run after the integration tests have recorded every AWS
 * call and Kafka request the functions made (`npm run test:integration`, then
 * `npm run test:access`): each recorded call, each service path and each forbidden call is
 * simulated with iam-simulate against the synthesized templates. The table of every decision is
 * written to test-artifacts/access-proof.md and must be the one in docs/proven-here.md
 * (`ACCESS_PROOF_WRITE_DOCS=1 npm run test:access` rewrites it there).
 */
const DOCS = join(PROJECT_ROOT, 'docs', 'proven-here.md');
const ARTIFACT = join(PROJECT_ROOT, 'test-artifacts', 'access-proof.md');

describe('access proof: every AWS call the code makes, proven allowed', () => {
  const record = readRecord();
  const { app, templates, wiring } = synthesizedApp();
  let result: ProofResult;

  before(async () => {
    result = await runProof(templates, wiring, record);
    const all = [...result.recorded, ...result.paths, ...result.forbidden];
    const count = (pattern: RegExp) => all.filter((d) => pattern.test(d.decision)).length;
    console.log(
      `access proof: ${record.length} distinct calls recorded → ${result.recorded.length} simulations; ` +
        `${result.paths.length} service-path and ${result.forbidden.length} forbidden simulations; ` +
        `${count(/^Allowed$/)} Allowed, ${count(/Denied$/)} Denied, ${failures(result).length} wrong`,
    );
  });

  it('holds calls of every project function and of the MSK trigger', () => {
    assert.ok(record.length > 0, `no record in ${RECORD_DIR}: run npm run test:integration first`);
    for (const { handler } of wiring) {
      assert.ok(
        record.some((call) => call.principal.as === 'function' && call.principal.handler === handler),
        `no call of lambdas/${handler}/ was recorded: its handler must run inside recordAs() in an integration test`,
      );
    }
    assert.ok(record.some((call) => call.principal.as === 'event-source-mapping'));
    assert.ok(record.some((call) => call.kind === 'kafka' && call.api === 'PRODUCE'));
  });

  it('has a simulation for every recorded call', () => {
    assert.deepEqual(result.problems, []);
  });

  it('allows every recorded call', () => {
    assert.ok(result.recorded.length > 0);
    assert.deepEqual(
      failures({ ...result, paths: [], forbidden: [] }),
      [],
      'every recorded call must be allowed by the role and the resource policy',
    );
  });

  it('allows every service path and denies every forbidden call', () => {
    assert.ok(holds(result), failures(result).join('\n'));
  });

  it('is the table of docs/proven-here.md', () => {
    const table = markdownTable(
      tableRows([...result.recorded, ...result.paths, ...result.forbidden], constructLabels(app)),
    );
    mkdirSync(join(PROJECT_ROOT, 'test-artifacts'), { recursive: true });
    writeFileSync(ARTIFACT, `${table}\n`);
    assert.ok(existsSync(DOCS), 'docs/proven-here.md');
    const docs = readFileSync(DOCS, 'utf8');
    const start = docs.indexOf(TABLE_START);
    const end = docs.indexOf(TABLE_END);
    assert.ok(
      start >= 0 && end > start,
      `docs/proven-here.md holds the table between ${TABLE_START} and ${TABLE_END}`,
    );
    const current = docs.slice(start + TABLE_START.length, end).trim();
    if (process.env.ACCESS_PROOF_WRITE_DOCS === '1' && current !== table) {
      writeFileSync(DOCS, `${docs.slice(0, start + TABLE_START.length)}\n${table}\n${docs.slice(end)}`);
      return;
    }
    assert.equal(
      current,
      table,
      `the access table changed (see ${ARTIFACT}); review it, then ACCESS_PROOF_WRITE_DOCS=1 npm run test:access`,
    );
  });
});
