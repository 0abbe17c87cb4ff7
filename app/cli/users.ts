/**
 * `hotline user passwd|reset|disable|enable|unlock|list`: managing accounts from the
 * server's shell, e.g. when the last admin is locked out or has lost their phone.
 */

import { disableTotp, listUsers, setActive, setPassword, unlockUser, userIdByName } from '../../auth/index.js';
import type { Db } from '../../db/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { generatePassword } from '../seed.js';
import { type Command, UsageError } from './command.js';
import { readPassword } from './core-commands.js';

async function withUser(positionals: string[], fn: (db: Db, id: number, name: string) => Promise<string>) {
  if (positionals.length !== 1) throw new UsageError('Give exactly one USERNAME.');
  const name = positionals[0] as string;
  const rt = await openRuntime(loadConfig());
  try {
    console.log(await fn(rt.db, await userIdByName(rt.db, name), name));
  } finally {
    await rt.close();
  }
}

const PASSWORD_FROM = `  The password is read from HOTLINE_PASSWORD, from standard input with --password-stdin,
  or asked for on the terminal.`;

export const userCommands: Command[] = [
  {
    path: ['user', 'passwd'],
    summary: 'Set a user’s password (checked against the policy); their sessions end',
    usage: `hotline user passwd [--password-stdin] USERNAME\n${PASSWORD_FROM}`,
    options: { 'password-stdin': { type: 'boolean', default: false } },
    allowPositionals: true,
    async run({ values, positionals }) {
      if (positionals.length !== 1) throw new UsageError('Give exactly one USERNAME.');
      const password = await readPassword(values['password-stdin'] === true);
      await withUser(positionals, async (db, id, name) => {
        await setPassword(db, id, password, { mustChange: false });
        return `password of ${name} set; their sessions ended`;
      });
    },
  },
  {
    path: ['user', 'reset'],
    summary: 'Reset a user’s password to a generated one (printed once) they must change at their next login; unlocks them',
    usage: 'hotline user reset USERNAME',
    allowPositionals: true,
    async run({ positionals }) {
      await withUser(positionals, async (db, id, name) => {
        const password = generatePassword();
        await setPassword(db, id, password, { mustChange: true });
        return `temporary password of ${name}: ${password}\n(shown only this once; they must change it at their next login)`;
      });
    },
  },
  {
    path: ['user', 'disable'],
    summary: 'Disable a user: their sessions end and they cannot log in',
    usage: 'hotline user disable USERNAME',
    allowPositionals: true,
    async run({ positionals }) {
      await withUser(positionals, async (db, id, name) => {
        await setActive(db, id, false);
        return `${name} disabled`;
      });
    },
  },
  {
    path: ['user', 'enable'],
    summary: 'Enable a disabled user',
    usage: 'hotline user enable USERNAME',
    allowPositionals: true,
    async run({ positionals }) {
      await withUser(positionals, async (db, id, name) => {
        await setActive(db, id, true);
        return `${name} enabled`;
      });
    },
  },
  {
    path: ['user', 'unlock'],
    summary: 'Unlock an account locked after wrong passwords',
    usage: 'hotline user unlock USERNAME',
    allowPositionals: true,
    async run({ positionals }) {
      await withUser(positionals, async (db, id, name) => {
        await unlockUser(db, id);
        return `${name} unlocked`;
      });
    },
  },
  {
    path: ['user', 'reset-2fa'],
    summary: 'Remove a user’s two-factor login (lost phone and recovery codes); they enrol again',
    usage: 'hotline user reset-2fa USERNAME',
    allowPositionals: true,
    async run({ positionals }) {
      await withUser(positionals, async (db, id, name) => {
        await disableTotp(db, id);
        return `two-factor login of ${name} removed`;
      });
    },
  },
  {
    path: ['user', 'list'],
    summary: 'List users with their role and state',
    usage: 'hotline user list',
    async run() {
      const rt = await openRuntime(loadConfig());
      try {
        for (const u of await listUsers(rt.db)) {
          const state = [
            u.active ? 'active' : 'disabled',
            u.lockedUntil ? `locked until ${u.lockedUntil}` : '',
            u.mustChangePassword ? 'must change password' : '',
            u.twoFactor ? '2FA' : '',
            u.demo ? 'demo' : '',
          ].filter(Boolean);
          console.log(`${u.username.padEnd(20)} ${u.role.padEnd(11)} ${state.join(', ')}`);
        }
      } finally {
        await rt.close();
      }
    },
  },
];
