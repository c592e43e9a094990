import { partitionPath } from '../lake/partitions.js';
import type { PartitionValues } from '../schema.js';
import { SqlTemplateError } from './errors.js';

/**
 * Validators for the few values that must be written into SQL text instead of bound as Data API
 * parameters: Redshift takes bind parameters only where a query takes a value, not inside DDL
 * (`CREATE EXTERNAL SCHEMA … DATABASE '…' IAM_ROLE '…'`) or in `COPY … FROM '…' IAM_ROLE '…'`.
 * Each pattern admits only the characters that the value can legitimately hold — never a quote,
 * backslash, semicolon or whitespace — so a filled-in value cannot end the literal it sits in.
 */

function check(name: string, value: string | undefined, pattern: RegExp, allowed: string): string {
  if (value === undefined || !pattern.test(value)) {
    throw new SqlTemplateError(`${name} must be ${allowed}, got ${JSON.stringify(value ?? null)}`);
  }
  return value;
}

/** An IAM role ARN in any partition, e.g. `arn:aws:iam::123456789012:role/service-role/Spectrum`. */
export function iamRoleArn(name: string, value: string | undefined): string {
  return check(
    name,
    value,
    /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/,
    'an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)',
  );
}

/** A Glue database name as Spectrum reads it: letters, digits, `_` and `-`, at most 255. */
export function glueDatabaseName(name: string, value: string | undefined): string {
  return check(name, value, /^[A-Za-z0-9_-]{1,255}$/, "a Glue database name (letters, digits, '_' or '-')");
}

/** An S3 bucket name (general purpose bucket rules). */
export function bucketName(name: string, value: string | undefined): string {
  return check(
    name,
    value,
    /^(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    'an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)',
  );
}

/**
 * A key prefix of the lake inside its bucket, normalized to end with `/` (or empty). Only the
 * characters S3 calls safe for key names are admitted.
 */
export function lakePrefix(name: string, value: string | undefined): string {
  const normalized = (value ?? '').replace(/^\/+/, '');
  if (normalized === '') return '';
  const withSlash = normalized.endsWith('/') ? normalized : `${normalized}/`;
  return check(
    name,
    withSlash,
    /^([A-Za-z0-9!_.*()=-]+\/)+$/,
    "a key prefix of letters, digits and !_.*()=- separated by '/'",
  );
}

/**
 * The database user Redshift Serverless maps an IAM role to, `IAMR:<role name>`. The CDK app gives
 * the loader's role a lower-case name; IAM role names never hold a quote or whitespace.
 */
export function iamRoleDatabaseUser(name: string, value: string | undefined): string {
  return check(
    name,
    value,
    /^IAMR:[a-z0-9+=,.@_-]{1,64}$/,
    'IAMR:<lower-case IAM role name> (the database user of an IAM role)',
  );
}

/** A Redshift (or DuckDB) identifier we create ourselves: lower-case, unquoted. */
export function sqlIdentifier(name: string, value: string | undefined): string {
  return check(name, value, /^[a-z_][a-z0-9_]{0,126}$/, 'a lower-case SQL identifier');
}

/** `year=2026/month=07/day=16/hour=23/minute=20`, every value zero-padded digits. */
export function partitionPathOf(values: PartitionValues): string {
  return check(
    'partition',
    partitionPath(values),
    /^year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/minute=\d{2}$/,
    'year=YYYY/month=MM/day=DD/hour=HH/minute=mm',
  );
}
