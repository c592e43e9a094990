import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { loadConfig, type PipelineConfig } from '../../../lib/config.js';
import { buildPipeline, type PipelineStacks } from '../../../lib/pipeline.js';
import { PROJECT_ROOT } from '../../../lib/project-function.js';

/** A fresh temporary folder, removed when the test process exits. */
export function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The context `cdk synth` gets from cdk.json: the defaults and the feature flags. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface SynthOptions {
  /** Context on top of cdk.json's, as `cdk synth -c key=value` would give. */
  readonly context?: Record<string, unknown>;
  /**
   * Run esbuild for the five functions. Off by default: assertions do not look into the code, and
   * CDK then stages a placeholder instead of bundling (as `cdk synth` does for unselected stacks).
   */
  readonly bundle?: boolean;
  /** Called with the app before synthesis, e.g. to add validation plugins. */
  readonly beforeSynth?: (app: App) => void;
}

export interface Synthesized {
  readonly app: App;
  readonly config: PipelineConfig;
  readonly stacks: PipelineStacks;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  readonly data: Template;
  readonly pipeline: Template;
}

/** Builds the app exactly as bin/app.ts does, from cdk.json context plus overrides, and synthesizes it. */
export function synthesize(options: SynthOptions = {}): Synthesized {
  const outdir = temporaryDir('seoul-cdk-');
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context, outdir });
  const config = loadConfig(app.node.getAllContext());
  const stacks = buildPipeline(app, config);
  options.beforeSynth?.(app);
  const assembly = app.synth();
  return {
    app,
    config,
    stacks,
    assembly,
    outdir,
    data: Template.fromJSON(assembly.getStackByName(stacks.data.stackName).template),
    pipeline: Template.fromJSON(assembly.getStackByName(stacks.pipeline.stackName).template),
  };
}
