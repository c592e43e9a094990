import type { App } from 'aws-cdk-lib';
import type { PipelineConfig } from './config.js';
import { DataStack } from './stacks/data-stack.js';
import { PipelineStack } from './stacks/pipeline-stack.js';

export interface PipelineStacks {
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
}

/**
 * Builds both stacks of a deployment. The region is fixed and the account is left to deploy time
 * (the credentials in use), so `cdk synth` needs no AWS account and makes no lookup.
 */
export function buildPipeline(app: App, config: PipelineConfig): PipelineStacks {
  const env = { region: config.region };
  const tags = { project: 'seoul-population' };
  const data = new DataStack(app, `${config.stackPrefix}-Data`, {
    env,
    tags,
    config,
    description:
      'Seoul real-time population pipeline: stateful resources (network, lake, catalog, stream, warehouse storage)',
  });
  const pipeline = new PipelineStack(app, `${config.stackPrefix}-Pipeline`, {
    env,
    tags,
    config,
    data,
    description:
      'Seoul real-time population pipeline: functions, schedules, warehouse compute, dashboard and alarms',
  });
  pipeline.addStackDependency(data);
  return { data, pipeline };
}
