import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../lib/project-function.js';
import {
  awsCliProblems,
  CDK_SUBCOMMANDS,
  cdkContext,
  cdkSubcommand,
  commandsIn,
  documentedCommands,
  shellSnippets,
  words,
} from '../support/doc-commands.js';
import { cdkJsonContext } from './support/synth.js';

const problemsOf = (line: string) => commandsIn(line, 'aws').map((c) => awsCliProblems(words(c)));

describe('the checker of documented commands', () => {
  it('finds aws commands wherever a shell line runs one', () => {
    const markdown = [
      '```sh',
      'out() { aws cloudformation describe-stacks --region r --stack-name "$1"; }',
      'read -rs K && aws secretsmanager put-secret-value --region r \\',
      '  --secret-id "$(out S ApiKeySecretName)" --secret-string "$K" && unset K',
      'aws s3 ls "s3://$(aws cloudformation list-exports --region r)/x/" | tail -3  # a comment: aws nothing',
      '```',
      '```sql',
      'SELECT 1; -- aws lambda invoke',
      '```',
      'Run `aws ec2 describe-availability-zones --region r` and `npm test`.',
    ].join('\n');
    const found = shellSnippets(markdown).flatMap((s) =>
      commandsIn(s.text, 'aws').map((c) => words(c).slice(0, 3)),
    );
    assert.deepEqual(found, [
      ['aws', 'cloudformation', 'describe-stacks'],
      ['aws', 'secretsmanager', 'put-secret-value'],
      ['aws', 's3', 'ls'],
      ['aws', 'cloudformation', 'list-exports'],
      ['aws', 'ec2', 'describe-availability-zones'],
    ]);
  });

  it('refuses a service call without its region, in every spelling', () => {
    for (const line of [
      'aws s3 ls s3://bucket/',
      'aws lambda invoke --function-name f out.json',
      'aws kafka delete-cluster --cluster-arn "$(out S MskClusterArn)"',
      'aws sts get-caller-identity --region ""',
      'aws sts get-caller-identity --region',
    ]) {
      assert.deepEqual(problemsOf(line), [['no --region']], line);
    }
    for (const line of [
      'aws sts get-caller-identity --region ap-northeast-2',
      'aws sts get-caller-identity --region=ap-northeast-2',
      'aws --version',
    ]) {
      assert.deepEqual(problemsOf(line), [[]], line);
    }
  });

  it('refuses a text --payload without --cli-binary-format raw-in-base64-out, in every spelling', () => {
    for (const line of [
      "aws lambda invoke --region r --function-name f --payload '{}' o.json",
      'aws lambda invoke --region r --function-name f --payload "{\\"time\\":\\"$(date -u)\\"}" o.json',
      "aws lambda invoke --region r --cli-binary-format base64 --function-name f --payload '{}' o.json",
      "aws lambda invoke --region r --function-name f --payload='{}' o.json",
    ]) {
      assert.deepEqual(problemsOf(line), [['--payload without --cli-binary-format raw-in-base64-out']], line);
    }
    for (const line of [
      "aws lambda invoke --region r --cli-binary-format raw-in-base64-out --function-name f --payload '{}' o.json",
      "aws lambda invoke --region r --cli-binary-format=raw-in-base64-out --payload '{}' --function-name f o.json",
      'aws lambda invoke --region r --function-name f --payload fileb://event.json o.json',
    ]) {
      assert.deepEqual(problemsOf(line), [[]], line);
    }
  });

  it('joins continuation lines, so a flag on a later line counts', () => {
    const markdown = [
      '```sh',
      'aws lambda invoke --region r \\',
      "  --payload '{}' \\",
      '  o.json',
      '```',
    ].join('\n');
    const [snippet] = shellSnippets(markdown);
    assert.deepEqual(problemsOf(snippet?.text ?? ''), [
      ['--payload without --cli-binary-format raw-in-base64-out'],
    ]);
  });
});

describe('aws commands in README.md and docs/*.md', () => {
  const commands = documentedCommands(PROJECT_ROOT, 'aws');

  it('are found (the deploy guide has a dozen)', () => {
    assert.ok(commands.length >= 10, `found ${commands.length}`);
  });

  it('each names its region, and each --payload comes with --cli-binary-format raw-in-base64-out (AWS CLI v2)', () => {
    const bad = commands
      .map((c) => ({ where: `${c.file}:${c.line}`, text: c.text, problems: awsCliProblems(c.argv) }))
      .filter((c) => c.problems.length > 0);
    assert.deepEqual(bad, []);
  });
});

// Those that need no account (`npx cdk ls`) run as written in the journeys (test/journeys/aws.journey.ts).
describe('npx cdk commands in README.md and docs/*.md', () => {
  const commands = documentedCommands(PROJECT_ROOT, 'npx cdk');
  /** Words the docs use as placeholders for the reader's own values. */
  const placeholder = (value: string) => value === 'value' || /[<>]/.test(value);

  it('each has a known subcommand, and each -c key=value is a setting this app accepts', () => {
    assert.ok(commands.length >= 5, `found ${commands.length}`);
    for (const command of commands) {
      const where = `${command.file}:${command.line}: ${command.text}`;
      const sub = cdkSubcommand(command.argv);
      assert.ok(sub && CDK_SUBCOMMANDS[sub], `${where}: subcommand ${sub} is not classified`);
      const context = Object.fromEntries(
        Object.entries(cdkContext(command.argv)).filter(
          ([key, value]) => key !== 'key' && !placeholder(value),
        ),
      );
      assert.doesNotThrow(() => loadConfig({ ...cdkJsonContext(), ...context }), where);
    }
  });
});
