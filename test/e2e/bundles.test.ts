import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { PROJECT_ROOT, ProjectFunction } from '../../lib/project-function.js';
import { temporaryDir } from '../infra/support/synth.js';
import { type CfnResource, resourceById } from '../infra/support/template-queries.js';
import { readParquet } from '../support/duckdb.js';

/**
 * `cdk synth` exactly as a user runs it, through the CDK CLI and bin/app.ts (cdk-nag included),
 * but with no AWS credentials, no AWS configuration and no home directory to find any in: the
 * one synthesis of this suite that runs esbuild for real. Its bundles are then loaded below.
 */
function cliSynth(): { outdir: string; output: string[]; seconds: number } {
  const outdir = temporaryDir('seoul-cli-synth-');
  const home = temporaryDir('seoul-empty-home-');
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  const started = Date.now();
  const result = spawnSync(
    join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '--no-notices', '--output', outdir],
    {
      cwd: PROJECT_ROOT,
      env: { ...env, HOME: home, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      encoding: 'utf8',
    },
  );
  const output = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  assert.equal(result.status, 0, output.join('\n'));
  return { outdir, output, seconds: (Date.now() - started) / 1000 };
}

const cli = cliSynth();
const assembly = new CloudAssembly(cli.outdir);
const templates = {
  data: Template.fromJSON(assembly.getStackByName('SeoulPopulation-Data').template),
  pipeline: Template.fromJSON(assembly.getStackByName('SeoulPopulation-Pipeline').template),
};

describe('`cdk synth` without AWS credentials', () => {
  it('succeeds and prints only progress lines', () => {
    console.log(`cdk synth took ${cli.seconds.toFixed(1)} s`);
    const unexpected = cli.output.filter(
      (line) =>
        !/^(Bundling asset \S+\.\.\.|Successfully synthesized to \S+|Supply a stack id .*)$/.test(line),
    );
    assert.deepEqual(unexpected, []);
  });
});

const FUNCTIONS = [
  { template: 'data', prefix: 'StreamTopicFunction', sql: false },
  { template: 'pipeline', prefix: 'IngestFetcher', sql: false },
  { template: 'pipeline', prefix: 'WriterFunction', sql: false },
  { template: 'pipeline', prefix: 'WarehouseSqlRunner', sql: true },
  { template: 'pipeline', prefix: 'WarehouseLoader', sql: true },
] as const;

/** The staged asset folder of a function: `asset.<hash>` where the S3 key is `<hash>.zip`. */
function assetDir(outdir: string, fn: CfnResource): string {
  const key = evaluateKey((fn.Properties.Code as { S3Key: unknown }).S3Key);
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

function evaluateKey(key: unknown): string {
  assert.equal(typeof key, 'string', 'the asset key is a literal');
  return key as string;
}

// Every file under sql/, with the migrations' subfolder: the SQL runner reads both.
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
const sqlFiles = filesUnder(join(PROJECT_ROOT, 'sql'));

describe('function bundles (esbuild, ESM, AWS SDK inside)', () => {
  for (const { template, prefix, sql } of FUNCTIONS) {
    describe(prefix, () => {
      const [, fn] = resourceById(templates[template], 'AWS::Lambda::Function', prefix);
      const dir = assetDir(cli.outdir, fn);

      it('is one ESM file whose handler loads in Node.js', async () => {
        assert.ok(existsSync(join(dir, 'index.mjs')), `${dir}/index.mjs`);
        const module = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler?: unknown };
        assert.equal(typeof module.handler, 'function');
      });

      it('carries the AWS SDK inside instead of relying on the runtime copy', () => {
        // The bundle is staged outside the repository, so the import above could not have found an
        // external @aws-sdk package; this also catches lazy imports and requires of one. (The SDK's
        // own error messages quote `[require("@aws-sdk/…")]`, hence the look-behind.)
        const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
        for (const external of [
          /\bfrom\s*["']@aws-sdk\//,
          /\bimport\s*\(\s*["']@aws-sdk\//,
          /(?<![[\w])(?:__)?require\(\s*["']@aws-sdk\//,
        ]) {
          const found = external.exec(code);
          assert.equal(found, null, `external SDK import: ${found?.[0]}`);
        }
      });

      it('holds no code of the AGPL-3.0 IAM simulator, a development-only dependency', () => {
        // The source map lists every module esbuild put into the bundle.
        const sources = (
          JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }
        ).sources;
        assert.ok(sources.length > 10, 'the source map lists the bundled modules');
        assert.deepEqual(
          sources.filter((source) => /@cloud-copilot|iam-simulate/.test(source)),
          [],
        );
        assert.doesNotMatch(readFileSync(join(dir, 'index.mjs'), 'utf8'), /@cloud-copilot|iam-simulate/);
      });

      it(sql ? 'has the sql/ files next to index.mjs, byte for byte' : 'has no sql/ folder', () => {
        if (!sql) {
          assert.ok(!existsSync(join(dir, 'sql')));
          return;
        }
        assert.deepEqual(filesUnder(join(dir, 'sql')), sqlFiles);
        assert.ok(sqlFiles.includes('migrations/journal.json'), 'the migration journal travels too');
        for (const file of sqlFiles) {
          assert.ok(
            readFileSync(join(dir, 'sql', file)).equals(readFileSync(join(PROJECT_ROOT, 'sql', file))),
            `sql/${file} is copied unchanged`,
          );
        }
      });
    });
  }

  it('encodes Parquet with parquetjs-lite inside an ESM bundle (DuckDB reads it back)', async () => {
    const app = new App({ outdir: join(cli.outdir, 'probe') });
    const stack = new Stack(app, 'Probe', { env: { region: 'ap-northeast-2' } });
    new ProjectFunction(stack, 'ParquetProbe', {
      handlerFolder: 'probe',
      entry: join(PROJECT_ROOT, 'test', 'infra', 'support', 'parquet-probe.ts'),
      description: 'probe',
      logLevel: 'info',
    });
    const assembly = app.synth();
    const template = assembly.getStackByName('Probe').template as { Resources: Record<string, CfnResource> };
    const fn = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function',
    ) as CfnResource;
    const dir = assetDir(join(cli.outdir, 'probe'), fn);
    const { handler } = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as {
      handler: () => Promise<string>;
    };
    const file = join(dir, 'probe.parquet');
    writeFileSync(file, Buffer.from(await handler(), 'base64'));
    const rows = await readParquet(file);
    assert.deepEqual(rows, [
      {
        collected_at: new Date('2026-07-16T14:20:00Z'),
        run_id: '20260716T1420Z-abcdef',
        area_code: 'POI072',
        status: 'failed',
        reason: 'ERROR-500 after 3 attempts',
        attempts: 3,
        duration_ms: 4321,
      },
    ]);
  });
});

describe('the IAM simulator stays a development dependency', () => {
  it('is a devDependency only, and nothing under bin/, lib/ or lambdas/ imports it', () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    assert.ok(manifest.devDependencies['@cloud-copilot/iam-simulate']);
    assert.deepEqual(
      Object.keys(manifest.dependencies).filter((name) => name.startsWith('@cloud-copilot/')),
      [],
    );
    const shipped = ['bin', 'lib', 'lambdas'].flatMap((folder) =>
      (readdirSync(join(PROJECT_ROOT, folder), { recursive: true }) as string[])
        .filter((file) => /\.(ts|js|mjs)$/.test(file))
        .map((file) => join(PROJECT_ROOT, folder, file)),
    );
    assert.ok(shipped.length > 50);
    assert.deepEqual(
      shipped.filter((file) => /@cloud-copilot/.test(readFileSync(file, 'utf8'))),
      [],
    );
  });
});
