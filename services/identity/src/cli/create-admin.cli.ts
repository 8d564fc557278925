import { ConfigError, env, loadConfig } from '@switchboard/service-kit';
import { parseArgs } from 'node:util';
import { ZodError, z } from 'zod';
import { createOrPromoteAdmin } from '../employees/employee.service';
import { createIdentityDataSource, migrateIdentitySchema } from '../identity.data-source';

/**
 * Creates an admin, or promotes (and unlocks) an existing employee to admin:
 *
 *   node -r ./scripts/register.js services/identity/src/cli/create-admin.cli.ts \
 *     --email ann@example.com --name "Ann" [--password ...]
 *
 * The password may come from ADMIN_PASSWORD instead, so it need not appear in the shell history or `ps`.
 * Needs DATABASE_URL. Prints the result as JSON; exits 1 with a message on bad input.
 */

const USAGE = 'Usage: create-admin.cli.ts --email <email> [--name <name>] [--password <password> | env ADMIN_PASSWORD]';

const cliEnvSchema = z.object({ DATABASE_URL: env.url(), ADMIN_PASSWORD: z.string().optional() });

class UsageError extends Error {}

const OPTIONS = { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } } as const;

function parseCommandLine(argv: string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>> {
  try {
    return parseArgs({ args: argv, options: OPTIONS });
  } catch (error) {
    // parseArgs explains unknown options and missing values well; only the usage line is added.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function readArguments(argv: string[]): { email: string; name?: string; password?: string } {
  const { email, name, password } = parseCommandLine(argv).values;
  if (!email) throw new UsageError('--email is required');
  return { email, ...(name === undefined ? {} : { name }), ...(password === undefined ? {} : { password }) };
}

async function run(): Promise<void> {
  const args = readArguments(process.argv.slice(2));
  const config = loadConfig('identity create-admin', cliEnvSchema);
  const password = args.password ?? config.ADMIN_PASSWORD;
  const dataSource = createIdentityDataSource(config.DATABASE_URL, { poolSize: 1 });
  await dataSource.initialize();
  try {
    await migrateIdentitySchema(dataSource);
    const result = await createOrPromoteAdmin({
      db: dataSource,
      input: { email: args.email, ...(args.name === undefined ? {} : { name: args.name }), ...(password === undefined ? {} : { password }) },
    });
    console.log(JSON.stringify(result));
  } finally {
    await dataSource.destroy();
  }
}

run().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
  else if (error instanceof ZodError) console.error(`Invalid admin:\n${z.prettifyError(error)}`);
  else if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exitCode = 1;
});
