#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../lib/config.js';
import { buildPipeline } from '../lib/pipeline.js';

// Builds the stacks from the validated cdk.json context; a bad value stops here with a message
// that names the key, the value received and what is allowed.
const app = new App();
buildPipeline(app, loadConfig(app.node.getAllContext()));
// cdk-nag's AwsSolutions rules run at every synth and deploy: a finding that is not acknowledged
// (with its reason, next to the resource) stops synthesis with the validation report.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
