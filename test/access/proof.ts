import type { App } from 'aws-cdk-lib';
import { type Synthesized, synthesize } from '../infra/support/synth.js';
import { deployCallRequests } from './deploy-calls.js';
import { forbiddenRequests } from './forbidden.js';
import type { RecordedCall } from './record.js';
import { requestsFromRecord } from './recorded-requests.js';
import { servicePathRequests } from './service-paths.js';
import { type Decision, decideAll, distinct } from './simulate.js';
import { AccessModel, type FunctionWiring, functionWiring, type NamedTemplate } from './template-model.js';

/**
 * The access proof: every recorded call, every service path and every forbidden call, simulated
 * against one set of templates. It holds when every decision is what it must be and no recorded
 * call is left without a simulation.
 */
export interface ProofResult {
  readonly recorded: Decision[];
  readonly paths: Decision[];
  readonly forbidden: Decision[];
  /** Recorded calls the proof could not turn into a simulation: each one fails it. */
  readonly problems: string[];
}

export function holds(result: ProofResult): boolean {
  return (
    result.problems.length === 0 &&
    [...result.recorded, ...result.paths, ...result.forbidden].every((d) => d.ok)
  );
}

export function failures(result: ProofResult): string[] {
  return [
    ...result.problems.map((p) => `no simulation: ${p}`),
    ...[...result.recorded, ...result.paths, ...result.forbidden]
      .filter((d) => !d.ok)
      .map(
        (d) =>
          `${d.request.principal} ${d.request.action} ${d.request.resource}: ${d.decision}, expected ${d.request.expect} (${d.request.source})`,
      ),
  ];
}

export async function runProof(
  templates: readonly NamedTemplate[],
  wiring: readonly FunctionWiring[],
  record: readonly RecordedCall[],
): Promise<ProofResult> {
  const model = new AccessModel(templates, wiring);
  const fromRecord = requestsFromRecord(model, record);
  // What the deploy itself calls through CDK's AwsCustomResource, read from the templates, is
  // proven with the service paths.
  const deployCalls = deployCallRequests(model);
  return {
    recorded: await decideAll(model, distinct(fromRecord.requests)),
    paths: await decideAll(model, distinct([...servicePathRequests(model), ...deployCalls.requests])),
    forbidden: await decideAll(model, distinct(forbiddenRequests(model))),
    problems: [...fromRecord.problems, ...deployCalls.problems],
  };
}

/** The app as `cdk synth` builds it, with its templates as plain JSON (each test may change a copy). */
export function synthesizedApp(): {
  synth: Synthesized;
  app: App;
  templates: NamedTemplate[];
  wiring: FunctionWiring[];
} {
  const synth = synthesize();
  const templates = [synth.stacks.data, synth.stacks.pipeline].map((stack) => ({
    name: stack.stackName,
    json: structuredClone(synth.assembly.getStackByName(stack.stackName).template),
  }));
  return { synth, app: synth.app, templates, wiring: functionWiring(synth.app) };
}
