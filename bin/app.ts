#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../lambdas/core/errors.js';
import { loadConfig, type PipelineConfig } from '../lib/config.js';
import { buildPipeline } from '../lib/pipeline.js';

const app = new App();

// The stacks are built from the validated cdk.json context (and `-c key=value`); a bad value stops
// here with one line naming the key, the value received and what is allowed.
let config: PipelineConfig;
try {
  config = loadConfig(app.node.getAllContext());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`Configuration error: ${error.message}`);
  process.exit(1);
}
buildPipeline(app, config);

// cdk-nag's AwsSolutions rules run at every synth and deploy: a finding that is not acknowledged
// (with its reason, next to the resource) stops synthesis with the validation report.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
