import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../infra/support/synth.js';
import { awsCliProblems, words } from '../support/doc-commands.js';
import type { Journey } from './support/journey.js';
import { shellQuote } from './support/sandbox.js';

/**
 * The deployment commands need an AWS account: none runs here. What can be checked is that they
 * name what the app defines, so a reader who copies them deploys this app: the stacks of `cdk
 * deploy`/`destroy`, the region of `cdk bootstrap` and of every `aws` call, the outputs read with
 * `out STACK OUTPUT`; and that bash parses each line. The oracle is the app itself, synthesized.
 */

export const journeys: Journey[] = [
  {
    name: 'the deployment commands name this app’s stacks, region and outputs (they run only on AWS)',
    covers: [
      /^npx cdk (bootstrap|deploy|destroy) /,
      /^out\(\) \{ aws cloudformation describe-stacks /,
      /^read -rs SEOUL_KEY && aws secretsmanager put-secret-value /,
      /^aws (lambda invoke|s3 ls) /,
      /^aws (kafka (delete-cluster|describe-cluster-v2)|cloudformation update-termination-protection) /,
    ],
    async run(context) {
      const { config, stacks, data, pipeline } = synthesize();
      const templates: Record<string, typeof data> = {
        [stacks.data.stackName]: data,
        [stacks.pipeline.stackName]: pipeline,
      };
      for (const command of context.commands) {
        const text = command.normalized;
        // Parsed, never run: single quotes keep the outer shell from expanding $(…).
        const syntax = await context.sandbox.run(`bash -n -c ${shellQuote(command.text)}`);
        assert.equal(syntax.status, 0, `bash parses ${text}: ${syntax.stderr}`);

        const bootstrap = /^npx cdk bootstrap aws:\/\/<ACCOUNT_ID>\/(\S+)$/.exec(text);
        if (bootstrap) assert.equal(bootstrap[1], config.region, 'bootstrap the region the app deploys to');
        const stack = /^npx cdk (?:deploy|destroy) (\S+)(?: -c \S+=\S+)*$/.exec(text);
        if (stack)
          assert.ok(
            templates[stack[1] as string],
            `${stack[1]} is one of ${Object.keys(templates).join(', ')}`,
          );
        for (const [, region] of text.matchAll(/--region (\S+)/g)) assert.equal(region, config.region);
        // What AWS CLI v2 needs to run it as written: the region, and a text --payload declared as such.
        for (const start of text.matchAll(/(?:^|&& |\{ |\$\()aws /g)) {
          const from = (start.index ?? 0) + start[0].length - 4;
          const argv = words(text.slice(from).split(/ && |; |\)|\|/)[0] as string);
          assert.deepEqual(awsCliProblems(argv), [], `AWS CLI v2 runs ${text}`);
        }
        for (const [, name, output] of text.matchAll(/\$\(out (\S+) (\S+)\)/g)) {
          const template = templates[name as string];
          assert.ok(template, `out ${name}: a stack of the app`);
          assert.ok(
            Object.keys(template.toJSON().Outputs ?? {}).includes(output as string),
            `${name} has an output ${output}`,
          );
        }
        assert.ok(bootstrap || stack || /\baws\b/.test(text), `a deployment command: ${text}`);
        context.vouch(command, 'it needs an AWS account; checked against the synthesized app instead');
      }
    },
  },
  {
    name: 'a person lists the app’s stacks with no AWS account: npx cdk ls',
    covers: [/^npx cdk ls$/],
    async run(context) {
      const { stacks } = synthesize();
      for (const command of context.commands) {
        const result = await context.run(command, {
          env: { HOME: mkdtempSync(join(tmpdir(), 'journey-home-')), CDK_DISABLE_CLI_TELEMETRY: 'true' },
        });
        assert.equal(result.status, 0, result.screen);
        assert.deepEqual(
          result.stdout
            .split('\n')
            .filter((line) => line.trim() !== '')
            .sort(),
          [stacks.data.stackName, stacks.pipeline.stackName].sort(),
        );
      }
    },
  },
];
