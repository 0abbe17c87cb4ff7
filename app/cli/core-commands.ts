import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { createUser } from '../../auth/index.js';
import { ROLES } from '../../core/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { seed } from '../seed.js';
import { serve } from '../serve.js';
import { type Command, readStdin, UsageError } from './command.js';

const SERVE_ROLES = ['all', 'api'] as const;

export const coreCommands: Command[] = [
  {
    path: ['serve'],
    summary: 'Start the product (what `npm start` runs)',
    usage: `hotline serve [--role all|api] [--demo] [--admin-password-file PATH]
  A database without users gets one user "admin": its password is read from
  --admin-password-file or HOTLINE_ADMIN_PASSWORD, else generated and printed once;
  it must be changed at the first login. --demo (or SEED_DEMO=yes) instead seeds the
  demo district with one user per role and the published password (for trying it out).`,
    options: {
      role: { type: 'string', default: 'all' },
      demo: { type: 'boolean', default: false },
      'admin-password-file': { type: 'string' },
    },
    async run({ values }) {
      const role = String(values.role);
      if (!(SERVE_ROLES as readonly string[]).includes(role)) {
        throw new UsageError(`--role ${role} is not available: use one of ${SERVE_ROLES.join(', ')}.`);
      }
      const file = values['admin-password-file'];
      let adminPassword = process.env.HOTLINE_ADMIN_PASSWORD || undefined;
      if (typeof file === 'string') {
        try {
          adminPassword = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          throw new UsageError(`--admin-password-file ${file} cannot be read: ${(err as Error).message}`);
        }
      }
      if (values.demo === true && adminPassword !== undefined) {
        throw new UsageError('--demo seeds the demo users with the published password: give no admin password with it.');
      }
      await serve(loadConfig(), { demo: values.demo === true, adminPassword });
      return -1; // keep running until a signal
    },
  },
  {
    path: ['migrate'],
    summary: 'Apply database migrations and exit',
    usage: 'hotline migrate',
    async run() {
      const rt = await openRuntime(loadConfig());
      const all = await rt.db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
      console.log(rt.applied.length ? `applied ${rt.applied.join(', ')}` : 'the database was up to date');
      console.log(`${all.rowCount} migrations in the database, the last ${all.rows.at(-1)?.name ?? '(none)'}`);
      await rt.close();
    },
  },
  {
    path: ['seed'],
    summary: 'Seed the default category catalogue; with --demo also the demo district and one user per role',
    usage: 'hotline seed [--demo]',
    options: { demo: { type: 'boolean', default: false } },
    async run({ values }) {
      const rt = await openRuntime(loadConfig());
      try {
        const report = await seed(rt.db, { demo: values.demo === true });
        console.log(
          `seeded ${report.categories} categories, ${report.units} organisation units, users: ${report.users.join(', ') || 'none new'}`,
        );
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['user', 'add'],
    summary: 'Create a user',
    usage: `hotline user add --role ${ROLES.join('|')} [--unit ORG_UNIT_CODE] [--name DISPLAY_NAME] [--password-stdin] [--keep-password] USERNAME
  The password is read from HOTLINE_PASSWORD, from standard input with --password-stdin,
  or asked for on the terminal. The user must change it at the first login (it was chosen
  by someone else), unless --keep-password (an account the operator will use themselves).`,
    options: {
      role: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'keep-password': { type: 'boolean', default: false },
    },
    allowPositionals: true,
    async run({ values, positionals }) {
      if (positionals.length !== 1) throw new UsageError('Give exactly one USERNAME.');
      if (typeof values.role !== 'string') throw new UsageError(`--role is required: one of ${ROLES.join(', ')}.`);
      const password = await readPassword(values['password-stdin'] === true);
      const rt = await openRuntime(loadConfig());
      try {
        const user = await createUser(
          rt.db,
          {
            username: positionals[0] as string,
            password,
            role: values.role,
            displayName: values.name as string | undefined,
            orgUnitCode: values.unit as string | undefined,
          },
          { policy: true, mustChangePassword: values['keep-password'] !== true },
        );
        console.log(
          `created user ${user.username} (id ${user.id}, role ${user.role})${user.mustChangePassword ? '; the password must be changed at the first login' : ''}`,
        );
      } finally {
        await rt.close();
      }
    },
  },
];

export async function readPassword(fromStdin: boolean): Promise<string> {
  if (process.env.HOTLINE_PASSWORD) return process.env.HOTLINE_PASSWORD;
  if (fromStdin) return (await readStdin()).replace(/\r?\n$/, '');
  if (!process.stdin.isTTY) throw new UsageError('No password: set HOTLINE_PASSWORD or pipe it with --password-stdin.');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question('Password: ');
  } finally {
    rl.close();
  }
}
