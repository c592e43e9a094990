import { ConfigError } from '../errors.js';

/** The warehouse the functions talk to: WORKGROUP_NAME (required) and DATABASE (default `dev`). */
export function warehouseTarget(env: NodeJS.ProcessEnv): { workgroupName: string; database: string } {
  const workgroupName = env.WORKGROUP_NAME?.trim();
  if (!workgroupName) {
    throw new ConfigError('WORKGROUP_NAME is not set: the Redshift Serverless workgroup to run SQL on');
  }
  return { workgroupName, database: env.DATABASE?.trim() || 'dev' };
}

/**
 * The secret the SQL runner signs in with: ADMIN_SECRET_ARN, the namespace's admin credentials
 * that Redshift keeps in Secrets Manager (`ManageAdminPassword`). The runner creates the external
 * schema and the loader's user, which needs a superuser; the admin user is one.
 */
export function adminSecretArn(env: NodeJS.ProcessEnv): string {
  const arn = env.ADMIN_SECRET_ARN?.trim();
  if (!arn || !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(arn)) {
    throw new ConfigError(
      `ADMIN_SECRET_ARN must be the ARN of the namespace's admin secret (arn:aws:secretsmanager:…:secret:…), got ${JSON.stringify(arn ?? null)}`,
    );
  }
  return arn;
}
