import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lambdas/core/errors.js';
import { CONFIG_KEYS, DEFAULT_CONFIG, loadConfig } from '../../lib/config.js';
import { cdkJsonContext } from './support/synth.js';

/** Asserts that loading fails with a ConfigError whose message contains every given fragment. */
function assertRefused(context: Record<string, unknown>, ...fragments: string[]): void {
  assert.throws(
    () => loadConfig(context),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      for (const fragment of fragments) {
        assert.ok(error.message.includes(fragment), `"${error.message}" should mention ${fragment}`);
      }
      return true;
    },
  );
}

describe('configuration (issue point 1)', () => {
  it('has a default for every key, and cdk.json states exactly those defaults', () => {
    assert.deepEqual(loadConfig({}), DEFAULT_CONFIG);
    assert.deepEqual(loadConfig(cdkJsonContext()), DEFAULT_CONFIG);
    const ours = Object.keys(cdkJsonContext()).filter((key) => /^[a-z][a-zA-Z0-9]*$/.test(key));
    assert.deepEqual(ours.sort(), [...CONFIG_KEYS].sort());
  });

  it('defaults to Seoul, three AZs, one NAT, runs at :00/:20/:40, 8 RPU and data retained', () => {
    const config = loadConfig({});
    assert.equal(config.region, 'ap-northeast-2');
    assert.deepEqual(config.availabilityZones, ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c']);
    assert.equal(config.natGateways, 1);
    assert.equal(config.schedule, 'cron(0/20 * * * ? *)');
    assert.equal(config.redshiftBaseCapacity, 8);
    assert.equal(config.dataRemovalPolicy, 'retain');
    assert.equal(config.alarmEmail, undefined);
    assert.deepEqual(config.places, []);
  });

  it('derives the AZs from another region when none are given', () => {
    assert.deepEqual(loadConfig({ region: 'eu-west-1' }).availabilityZones, [
      'eu-west-1a',
      'eu-west-1b',
      'eu-west-1c',
    ]);
  });

  it('accepts values as `cdk synth -c key=value` gives them: text for numbers and comma lists', () => {
    const config = loadConfig({
      natGateways: '3',
      topicPartitions: '6',
      places: 'poi001, POI072',
      availabilityZones: 'ap-northeast-2a,ap-northeast-2c,ap-northeast-2d',
      failedPlacesAlarmShare: '0.5',
      redshiftUsageLimitRpuHours: '0',
    });
    assert.equal(config.natGateways, 3);
    assert.equal(config.topicPartitions, 6);
    assert.deepEqual(config.places, ['POI001', 'POI072']);
    assert.deepEqual(config.availabilityZones, ['ap-northeast-2a', 'ap-northeast-2c', 'ap-northeast-2d']);
    assert.equal(config.failedPlacesAlarmShare, 0.5);
    assert.equal(config.redshiftUsageLimit, undefined, '0 RPU-hours means no usage limit');
  });

  it('takes an alarm e-mail, an https API URL and a destroy policy when given', () => {
    const config = loadConfig({
      alarmEmail: 'ops@example.com',
      apiBaseUrl: 'https://proxy.example.com/seoul/',
      dataRemovalPolicy: 'destroy',
    });
    assert.equal(config.alarmEmail, 'ops@example.com');
    assert.equal(config.apiBaseUrl, 'https://proxy.example.com/seoul');
    assert.equal(config.dataRemovalPolicy, 'destroy');
  });

  describe('fails, naming the key, the value received and what is allowed, when', () => {
    it('the cadence does not divide an hour (the runs would drift from hour to hour)', () => {
      assertRefused({ runIntervalMinutes: 25 }, '"runIntervalMinutes"', 'divides 60', '25');
      assertRefused({ runIntervalMinutes: 90 }, '"runIntervalMinutes"', 'from 1 to 60');
      assert.equal(loadConfig({ runIntervalMinutes: 15 }).schedule, 'cron(0/15 * * * ? *)');
    });

    it('a key is unknown (a typo must not silently fall back to a default)', () => {
      assertRefused({ runIntervalMinute: 20 }, '"runIntervalMinute"', 'runIntervalMinutes');
    });

    it('the region is not a region name', () => {
      assertRefused({ region: 'Seoul' }, '"region"', '"Seoul"', 'ap-northeast-2');
    });

    it('there are not exactly three different AZs of the region', () => {
      assertRefused(
        { availabilityZones: ['ap-northeast-2a', 'ap-northeast-2b'] },
        '"availabilityZones"',
        'three',
      );
      assertRefused(
        { availabilityZones: 'ap-northeast-2a,ap-northeast-2a,ap-northeast-2b' },
        'three different',
      );
      assertRefused({ availabilityZones: 'us-east-1a,us-east-1b,us-east-1c' }, 'of region ap-northeast-2');
    });

    it('a schedule is not an EventBridge expression', () => {
      assertRefused(
        { loaderSchedule: 'every 20 minutes' },
        '"loaderSchedule"',
        '"every 20 minutes"',
        'cron(0/20 * * * ? *)',
      );
      assertRefused({ loaderSchedule: 'cron(0/20 * * * *)' }, '"loaderSchedule"');
      assertRefused({ loaderSchedule: 'cron(0/20 * * * * *)' }, '"?"');
      assertRefused({ loaderSchedule: 'rate(5 minute)' }, 'plural');
      assertRefused({ loaderSchedule: 'rate(1 hours)' }, '"loaderSchedule"', 'singular');
    });

    it('the crawler schedule is a rate (Glue takes only cron)', () => {
      assertRefused({ crawlerSchedule: 'rate(1 day)' }, '"crawlerSchedule"', 'cron');
    });

    it('a place code is unknown', () => {
      assertRefused({ places: ['POI001', 'POI999'] }, '"places"', 'POI999', 'Valid codes (121)');
    });

    it('places is neither a list nor a comma-separated string', () => {
      assertRefused({ places: 42 }, '"places"', '42', 'list of strings');
    });

    it('the topic name has characters Kafka refuses', () => {
      assertRefused({ topicName: 'seoul population' }, '"topicName"', '"seoul population"');
    });

    it('topic partitions are out of range or not whole', () => {
      assertRefused({ topicPartitions: 0 }, '"topicPartitions"', 'from 1 to 121');
      assertRefused({ topicPartitions: 2.5 }, '"topicPartitions"', '2.5');
      assertRefused({ topicPartitions: 'three' }, '"topicPartitions"', '"three"');
    });

    it('concurrency or timeouts are out of range', () => {
      assertRefused({ concurrency: 0 }, '"concurrency"', 'from 1 to 64');
      assertRefused({ requestTimeoutMs: 100 }, '"requestTimeoutMs"', 'from 1000');
      assertRefused({ runTimeoutMs: 900_000 }, '"runTimeoutMs"', '780000');
      assertRefused({ requestTimeoutMs: 30_000, runTimeoutMs: 20_000 }, '"runTimeoutMs"', 'from 30000');
    });

    it('the Redshift base capacity is not 4 or a multiple of 8 up to 512', () => {
      assertRefused({ redshiftBaseCapacity: 12 }, '"redshiftBaseCapacity"', '12', 'multiple of 8');
      assertRefused({ redshiftBaseCapacity: 1024 }, '"redshiftBaseCapacity"', 'from 4 to 512');
    });

    it('the usage limit period or breach action is unknown', () => {
      assertRefused({ redshiftUsageLimitPeriod: 'yearly' }, '"redshiftUsageLimitPeriod"', '"monthly"');
      assertRefused(
        { redshiftUsageLimitBreachAction: 'stop' },
        '"redshiftUsageLimitBreachAction"',
        '"deactivate"',
      );
      assertRefused({ redshiftUsageLimitRpuHours: -1 }, '"redshiftUsageLimitRpuHours"', '-1');
    });

    it('the alarm e-mail is not an address', () => {
      assertRefused({ alarmEmail: 'ops at example' }, '"alarmEmail"', '"ops at example"');
    });

    it('NAT gateways are 0 (the fetcher and the MSK trigger need a way out) or more than the AZs', () => {
      assertRefused({ natGateways: 0 }, '"natGateways"', 'from 1 to 3');
      assertRefused({ natGateways: 4 }, '"natGateways"', 'from 1 to 3');
    });

    it('the data removal policy is anything but retain or destroy', () => {
      assertRefused({ dataRemovalPolicy: 'delete' }, '"dataRemovalPolicy"', '"retain"', '"destroy"');
    });

    it('writer batch size or window are out of the MSK trigger limits', () => {
      assertRefused({ writerBatchSize: 0 }, '"writerBatchSize"', 'from 1 to 10000');
      assertRefused({ writerBatchWindowSeconds: 301 }, '"writerBatchWindowSeconds"', 'from 0 to 300');
    });

    it('the failed-places share is not in (0, 1]', () => {
      assertRefused({ failedPlacesAlarmShare: 0 }, '"failedPlacesAlarmShare"', 'greater than 0');
      assertRefused({ failedPlacesAlarmShare: 1.5 }, '"failedPlacesAlarmShare"', 'at most 1');
    });

    it('the API base URL is not http(s)', () => {
      assertRefused({ apiBaseUrl: 'ftp://openapi.seoul.go.kr' }, '"apiBaseUrl"', 'http(s)');
    });

    it('the Glue database name is not lower-case', () => {
      assertRefused({ glueDatabaseName: 'Seoul-Population' }, '"glueDatabaseName"', '"Seoul-Population"');
    });

    it('the stack prefix cannot start a stack name', () => {
      assertRefused({ stackPrefix: '1seoul' }, '"stackPrefix"', '"1seoul"');
    });

    it('the log level is unknown', () => {
      assertRefused({ logLevel: 'verbose' }, '"logLevel"', '"debug"');
    });
  });

  it("ignores CDK's own context keys (feature flags, CLI settings)", () => {
    assert.doesNotThrow(() =>
      loadConfig({
        '@aws-cdk/core:target-partitions': ['aws'],
        'aws:cdk:bundling-stacks': [],
        'acknowledged-issue-numbers': [],
      }),
    );
  });
});
