import { SETTINGS, type Setting } from '../../lambdas/core/settings.js';
import { CONFIG_KEYS, DEFAULT_CONFIG } from '../config.js';
import { CDK_KEY_DOCS } from './cdk-context.js';
import { code, generatedNotice, table } from './markdown.js';

/**
 * docs/configuration.md: every setting of the settings table, then every `cdk.json` key that no
 * setting carries. Nothing here is typed by hand except the CDK-only keys' words, which
 * test/unit/generated-docs.test.ts holds to what `loadConfig` refuses.
 */

type AnySetting = Setting<unknown>;

function shownDefault(setting: AnySetting): string {
  if (setting.shownDefault !== undefined) return setting.shownDefault;
  return typeof setting.default === 'string' ? code(setting.default) : String(setting.default);
}

type SettingsTable = Readonly<Record<string, AnySetting>>;
const rowsOf = (table: SettingsTable) => Object.values(table) as AnySetting[];

/** The `cdk.json` keys that a row of the settings table carries. */
export function settingContextKeys(table: SettingsTable = SETTINGS): string[] {
  return rowsOf(table).flatMap((setting) => (setting.context ? [setting.context] : []));
}

/**
 * The CDK-only keys, in `CONFIG_KEYS` order. Throws when a key is documented twice or not at all,
 * so a new key cannot reach the docs without its words.
 */
function cdkOnlyKeys(table: SettingsTable): string[] {
  const shared = new Set(settingContextKeys(table));
  const undocumented = CONFIG_KEYS.filter((key) => !shared.has(key) && !(key in CDK_KEY_DOCS));
  const twice = CONFIG_KEYS.filter((key) => shared.has(key) && key in CDK_KEY_DOCS);
  const unknown = Object.keys(CDK_KEY_DOCS).filter(
    (key) => !(CONFIG_KEYS as readonly string[]).includes(key),
  );
  if (undocumented.length + twice.length + unknown.length > 0) {
    throw new Error(
      `cdk.json keys must be documented once, in lambdas/core/settings.ts or lib/docs/cdk-context.ts: ` +
        `undocumented ${JSON.stringify(undocumented)}, in both ${JSON.stringify(twice)}, ` +
        `not a key ${JSON.stringify(unknown)}`,
    );
  }
  return CONFIG_KEYS.filter((key) => !shared.has(key));
}

/** The page, from a settings table (the project's; a test passes one with a row added). */
export function configurationDoc(settingsTable: SettingsTable = SETTINGS): string {
  const settings = rowsOf(settingsTable);
  const settingRows = settings
    .filter((setting) => !setting.wiring)
    .map((setting) => [
      code(setting.env),
      setting.option ? code(setting.option) : '',
      setting.context ? code(setting.context) : '',
      shownDefault(setting),
      setting.allowed,
      setting.meaning,
    ]);
  const wiringRows = settings
    .filter((setting) => setting.wiring)
    .map((setting) => [code(setting.env), shownDefault(setting), setting.allowed, setting.meaning]);
  const cdkRows = cdkOnlyKeys(settingsTable).map((key) => {
    const doc = CDK_KEY_DOCS[key];
    if (!doc) throw new Error(`no words for cdk.json key ${key}`);
    return [code(key), doc.shownDefault(DEFAULT_CONFIG), doc.allowed, doc.meaning];
  });
  return `${[
    generatedNotice(['lambdas/core/settings.ts', 'lib/docs/cdk-context.ts']),
    '',
    '# Configuration',
    '',
    'Every setting is declared once, with its default and what it accepts; the command line, the',
    "functions' environment readers and the CDK app read it from there, and a value outside what it",
    'accepts is refused with a message that names where it came from, what is allowed and what was',
    'received.',
    '',
    '## Settings',
    '',
    'Each is an environment variable (the command line, the Lambda functions), and some are also a',
    'command-line option of `npm start` / `npm run demo` or a `cdk.json` key (or `npx cdk deploy -c',
    'key=value`). The options that are not settings (`--once`, `--places`, `--lake`, `--days`) are in',
    '[local-use.md](local-use.md#options-of-npm-start-and-npm-run-demo).',
    '',
    table(['variable', 'option', 'cdk.json key', 'default', 'allowed', 'meaning'], settingRows),
    '',
    '## Wiring',
    '',
    'The CDK app sets these on each function, from the same table, to connect it to the resources',
    'it uses; nobody types them, and a function that needs one and finds it unset fails at once',
    'naming it.',
    '',
    table(['variable', 'default', 'allowed', 'meaning'], wiringRows),
    '',
    '## CDK context (`cdk.json`)',
    '',
    'The deployment also reads these keys, from `cdk.json` or `npx cdk deploy -c key=value`. Every',
    'value is validated before anything is built; a bad one stops synthesis with one line that names',
    'the key, the value received and what is allowed. An unknown key is refused too (a typo never',
    `falls back to a default). The keys of the settings above (${settingContextKeys(settingsTable).map(code).join(', ')})`,
    'are read the same way.',
    '',
    table(['key', 'default', 'allowed', 'meaning'], cdkRows),
  ].join('\n')}\n`;
}
