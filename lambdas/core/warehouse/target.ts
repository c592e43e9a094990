import { requiredSetting, SETTINGS } from '../settings.js';

/** The warehouse the functions talk to: its workgroup (required) and database (settings table). */
export function warehouseTarget(env: NodeJS.ProcessEnv): { workgroupName: string; database: string } {
  return {
    workgroupName: requiredSetting(SETTINGS.workgroupName, env),
    database: requiredSetting(SETTINGS.database, env),
  };
}

/**
 * The secret the SQL runner signs in with: ADMIN_SECRET_ARN, the namespace's admin credentials
 * that Redshift keeps in Secrets Manager (`ManageAdminPassword`). The runner creates the external
 * schema and the loader's user, which needs a superuser; the admin user is one.
 */
export function adminSecretArn(env: NodeJS.ProcessEnv): string {
  return requiredSetting(SETTINGS.adminSecretArn, env);
}
