import type { StorageStats } from '@rapport/core';
import type { Command } from 'commander';
import { z } from 'zod';
import { count, json, table } from '../format.js';
import type { CliIO } from '../io.js';
import { parseCommandInput, storeLocationOptions, storeOptionsShape } from '../options.js';
import { storeLocation, withStore } from '../store.js';

/** `rapport stats` output (also its `--json` form). */
export interface StatsReport extends StorageStats {
  /** The SQLite file's path, or the Postgres URL with its password masked. */
  db: string;
  tenant: string;
}

/** The human-readable stats. */
export function renderStats(report: StatsReport): string {
  let out = `Tenant ${report.tenant} in ${report.db}\n`;
  out += `${table(
    [
      ['customers', count(report.customers)],
      ['identities', count(report.identities)],
      ['interactions', count(report.interactions)],
      ['conversations', count(report.conversations)],
      ['merges', count(report.merges)],
    ],
    { right: [1] },
  )}\n`;
  out += '\nInteractions per channel\n';
  out += report.byChannel.length
    ? `${table(
        report.byChannel.map((c) => [c.channel, count(c.interactions)]),
        { right: [1] },
      )}\n`
    : '  none\n';
  out += '\nBusiest accounts\n';
  out += report.busiestAccounts.length
    ? `${table(
        report.busiestAccounts.map((a) => [a.channel, a.account, count(a.interactions)]),
        { right: [2] },
      )}\n`
    : '  none\n';
  return out;
}

const statsInputSchema = z.object(storeOptionsShape);

/** Adds `rapport stats` to the program. */
export function registerStats(program: Command, io: CliIO): void {
  storeLocationOptions(
    program.command('stats').description('counts, interactions per channel and the busiest accounts'),
  )
    .option('--tenant <id>', 'tenant to read', 'default')
    .option('--json', 'print JSON')
    .action(async (raw: Record<string, unknown>, command: Command) => {
      const input = parseCommandInput(command, statsInputSchema, raw);
      const location = storeLocation({ ...input, cwd: io.cwd });
      const stats = await withStore({ ...input, cwd: io.cwd, mustExist: true }, (rapport) => rapport.stats());
      const report: StatsReport = { db: location.display, tenant: input.tenant, ...stats };
      io.stdout(input.json ? json(report) : renderStats(report));
    });
}
