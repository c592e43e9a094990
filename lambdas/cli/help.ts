import { runMinutesText, SETTINGS } from '../core/settings.js';
import { LAKE_USAGE } from './replay/lake-options.js';

/**
 * The help text of every command, kept next to each other so they read alike. Each option a
 * command parses is listed in its text (a test checks it), and the demo lists only the variables
 * it reads.
 */

/** One environment variable as the help texts list it. */
interface EnvHelp {
  readonly name: string;
  readonly text: string;
}

const ENV = {
  key: {
    name: SETTINGS.apiKey.env,
    text: 'your key for the Seoul open data portal (never printed); unset: the public "sample" key (POI009 only)',
  },
  baseUrl: { name: SETTINGS.apiBaseUrl.env, text: `default ${SETTINGS.apiBaseUrl.default}` },
  lake: {
    name: SETTINGS.lakeDir.env,
    text: `the lake folder when --lake is not given (default ${SETTINGS.lakeDir.default})`,
  },
  brokers: {
    name: SETTINGS.kafkaBrokers.env,
    text: 'host:port,… of a Kafka cluster (unset: in-process queue)',
  },
  topic: { name: SETTINGS.kafkaTopic.env, text: `default ${SETTINGS.kafkaTopic.default}` },
  requestTimeout: {
    name: SETTINGS.requestTimeoutMs.env,
    text: `per-request limit, ${SETTINGS.requestTimeoutMs.min}–${SETTINGS.requestTimeoutMs.max} (default ${SETTINGS.requestTimeoutMs.default})`,
  },
  runTimeout: {
    name: SETTINGS.runTimeoutMs.env,
    text: `whole-run limit, REQUEST_TIMEOUT_MS–${SETTINGS.runTimeoutMs.max} (default ${SETTINGS.runTimeoutMs.default})`,
  },
  runInterval: {
    name: SETTINGS.runIntervalMinutes.env,
    text: `minutes between runs, a divisor of 60 (default ${SETTINGS.runIntervalMinutes.default})`,
  },
  maxAnswer: {
    name: SETTINGS.apiMaxAnswerBytes.env,
    text: `ceiling of one API answer (default ${SETTINGS.apiMaxAnswerBytes.default})`,
  },
  logLevel: {
    name: SETTINGS.logLevel.env,
    text: `${SETTINGS.logLevel.choices.join(' | ')} (default ${SETTINGS.logLevel.default}); logs go to stderr`,
  },
  logFormat: {
    name: SETTINGS.logFormat.env,
    text: 'text | json (default: text on a terminal, json otherwise)',
  },
} as const satisfies Record<string, EnvHelp>;

const envSection = (entries: readonly EnvHelp[]) =>
  ['Environment:', ...entries.map((e) => `  ${e.name.padEnd(20)} ${e.text}`)].join('\n');

const SIGNALS =
  'Ctrl-C (or SIGTERM) stops after finishing or abandoning the current run, saying which, and writes what it has; a second Ctrl-C exits at once.';

export const START_USAGE = `Usage: npm start -- [options]

Collects the real-time population of Seoul's 121 places into a lake folder: one run now, then one at
every ${runMinutesText(SETTINGS.runIntervalMinutes.default)} (KST; RUN_INTERVAL_MINUTES), each with live progress on a terminal and a summary at its end.
${SIGNALS}

Options:
  --once               collect one run and exit (exit 1 when the run failed: no place collected, some failed; else 0)
  --places CODES       comma-separated place codes, e.g. POI001,POI072 (default: all 121; see npm run places)
  --lake DIR           lake folder (default: LAKE_DIR or ./lake); created by the first run when it does
                       not exist but its parent does; a file or a folder of other things is refused
  --concurrency N      places fetched at the same time, ${SETTINGS.concurrency.min}–${SETTINGS.concurrency.max} (default: ${SETTINGS.concurrency.default})
  -h, --help           this text

${envSection([ENV.key, ENV.baseUrl, ENV.lake, ENV.brokers, ENV.topic, ENV.requestTimeout, ENV.runTimeout, ENV.runInterval, ENV.maxAnswer, ENV.logLevel, ENV.logFormat])}`;

export const DEMO_USAGE = `Usage: npm run demo -- [options]

Runs the whole pipeline against the built-in API simulator (no network, no key needed) into a lake
of its own, marked simulated, and writes the HTML report (DIR/report.html) after every run.
${SIGNALS}

Options:
  --days N             simulate the last N days of scheduled runs (72 a day, 1–90) on a simulated
                       clock, write the report and exit: history for the report's time axes in seconds
  --faults             inject the failures a year of collecting meets (about 5 % of requests: no data,
                       HTTP 500, ERROR-500, cut bodies, stale or wrong answers, live a rare timeout; 2 places a day
                       down for 2 hours; with --days one run a day left out), so the report's failure
                       charts and npm run check have something to show; marked in the lake and report
  --once               collect one run, write the report and exit
  --places CODES       comma-separated place codes (default: all 121; see npm run places)
  --lake DIR           lake folder (default: ./demo-lake; LAKE_DIR is ignored, the demo never writes a real lake);
                       created when it does not exist but its parent does
  --concurrency N      places fetched at the same time, ${SETTINGS.concurrency.min}–${SETTINGS.concurrency.max} (default: ${SETTINGS.concurrency.default}; 32 for --days)
  -h, --help           this text

${envSection([
  ENV.brokers,
  {
    name: SETTINGS.kafkaTopic.env,
    text: `the demo publishes to <topic>.simulated (default ${SETTINGS.kafkaTopic.default}.simulated)`,
  },
  ENV.requestTimeout,
  ENV.runTimeout,
  ENV.maxAnswer,
  ENV.logLevel,
  ENV.logFormat,
])}
SEOUL_API_KEY, SEOUL_API_BASE_URL and LAKE_DIR are ignored: the demo talks only to its simulator.`;

export const PLACES_USAGE = `Usage: npm run places -- [TEXT] [--category NAME] [--retired] [lake]
       npm run places -- --import FILE [--dry-run] [--retire-many] [lake]

Lists the places the collector asks for: the lake's place catalogue (catalogue/places.json), or
the 121 places built in when the lake has none. Code, category, Korean and English name.
  TEXT                 keep places whose code or name (Korean or English) contains TEXT
  --category NAME      keep one category, by its Korean or English name or a part of it
                       (관광특구 tourist zone, 고궁·문화유산 heritage, 인구밀집지역 populated area,
                        발달상권 commercial area, 공원 park)
  --retired            list the places no longer collected, with when they were retired

  --import FILE        make the city's published list (CSV: category,no,area_cd,area_nm,eng_nm, UTF-8
                       or EUC-KR) the catalogue, and say what was added, retired, returned and changed.
                       npm start and the AWS fetcher collect the new catalogue from their next run on.
  --dry-run            say what the import would change, write nothing
  --retire-many        allow an import that retires more than a quarter of the places collected now

Lake (where the catalogue is):
${LAKE_USAGE}
  -h, --help           this text`;
