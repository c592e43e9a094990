#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../lib/config.js';
import { buildPipeline } from '../lib/pipeline.js';

// Builds the stacks from the validated cdk.json context; a bad value stops here with a message
// that names the key, the value received and what is allowed.
const app = new App();
buildPipeline(app, loadConfig(app.node.getAllContext()));
app.synth();
