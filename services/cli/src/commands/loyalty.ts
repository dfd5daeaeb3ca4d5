import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { callAdmin, withTarget, type TargetOptions } from '../admin-calls';

// Talks to the loyalty API of the running platform; the types mirror its answers without loading the service.

interface Summary {
  to: string;
  members: number;
  membersPerTier: Record<string, number>;
  liability: { available: number; pending: number; total: number };
}

interface Outcome {
  liability: { available: number; pending: number; total: number };
  tiers: Record<string, number>;
  earned: number;
  reversed: number;
  expired: number;
  redeemed: number;
  adjusted: number;
  shortfall: { count: number; points: number };
}

interface Simulation {
  from: string | null;
  to: string;
  facts: number;
  commands: number;
  customers: number;
  live: Outcome;
  candidate: Outcome;
  difference: { liability: number; tiers: Record<string, number> };
  tierChanges: { customerId: string; live: string; candidate: string }[];
  tierChangeCount: number;
  schema: string | null;
}



const instant = (value: string, flag: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} must be an ISO-8601 instant such as 2011-12-10T00:00:00Z, got "${value}"`);
  return value;
};

const n = (value: number) => value.toLocaleString('en-GB');

export function registerLoyaltyCommands(program: Command): void {
  const loyalty = program.command('loyalty').description('loyalty reports and what-if replays (loyalty API of the running platform)');

  withTarget(loyalty.command('report'))
    .description('members per tier and points liability as of an instant')
    .option('--as-of <instant>', 'ISO-8601 instant (default now)')
    .action(async (options: TargetOptions & { asOf?: string }) => {
      const query = options.asOf ? `?to=${encodeURIComponent(instant(options.asOf, '--as-of'))}` : '';
      const summary = await callAdmin<Summary>(options, 'GET', `/v1/loyalty/summary${query}`);
      if (options.json) return console.log(JSON.stringify(summary, null, 2));
      console.log(`Loyalty as of ${summary.to}: ${n(summary.members)} members`);
      for (const [tier, members] of Object.entries(summary.membersPerTier)) console.log(`  ${tier.padEnd(10)} ${n(members).padStart(8)}`);
      const { available, pending, total } = summary.liability;
      console.log(`Liability: ${n(total)} points (${n(available)} available, ${n(pending)} pending)`);
    });

  withTarget(loyalty.command('simulate'))
    .description('replay history (facts, redemptions, adjustments) under the live and candidate rules into a scratch schema and print the difference; writes nothing live')
    .requiredOption('--rules <file>', 'candidate rules file (YAML, same format as the live one)')
    .option('--from <instant>', 'only facts from this instant')
    .option('--to <instant>', 'replay up to this instant (default now)')
    .option('--keep', 'keep the scratch schema (loyalty_sim_<id>) for queries and print its name')
    .action(async (options: TargetOptions & { rules: string; from?: string; to?: string; keep?: boolean }) => {
      let rules: string;
      try {
        rules = readFileSync(options.rules, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${options.rules}: ${(error as Error).message}`);
      }
      const body = { rules, ...(options.from ? { from: instant(options.from, '--from') } : {}), ...(options.to ? { to: instant(options.to, '--to') } : {}), ...(options.keep ? { keep: true } : {}) };
      const report = await callAdmin<Simulation>(options, 'POST', '/v1/loyalty/simulations', JSON.stringify(body));
      if (options.json) return console.log(JSON.stringify(report, null, 2));
      console.log(simulationText(report));
    });
}

function simulationText(report: Simulation): string {
  const tiers = [...new Set([...Object.keys(report.live.tiers), ...Object.keys(report.candidate.tiers)])];
  const signed = (value: number) => (value > 0 ? `+${n(value)}` : n(value));
  const row = (label: string, live: number, candidate: number) => `  ${label.padEnd(22)} ${n(live).padStart(14)} ${n(candidate).padStart(14)} ${signed(candidate - live).padStart(12)}`;
  const lines = [
    `Replayed ${n(report.facts)} facts and ${n(report.commands)} redemptions and adjustments of ${n(report.customers)} customers${report.from ? ` from ${report.from}` : ''} up to ${report.to}; nothing live was written.`,
    report.schema ? `Kept the scratch schema ${report.schema} (tables outcomes, ledger, shortfalls; column side = live | candidate); drop it with DROP SCHEMA ${report.schema} CASCADE.` : 'The scratch schema was dropped.',
    `  ${''.padEnd(22)} ${'LIVE'.padStart(14)} ${'CANDIDATE'.padStart(14)} ${'DIFFERENCE'.padStart(12)}`,
    row('liability (points)', report.live.liability.total, report.candidate.liability.total),
    row('  available', report.live.liability.available, report.candidate.liability.available),
    row('  pending', report.live.liability.pending, report.candidate.liability.pending),
    row('earned', report.live.earned, report.candidate.earned),
    row('reversed', report.live.reversed, report.candidate.reversed),
    row('expired', report.live.expired, report.candidate.expired),
    row('redeemed', report.live.redeemed, report.candidate.redeemed),
    row('adjusted', report.live.adjusted, report.candidate.adjusted),
    row('shortfalls (count)', report.live.shortfall.count, report.candidate.shortfall.count),
    row('shortfalls (points)', report.live.shortfall.points, report.candidate.shortfall.points),
    ...tiers.map((tier) => row(`members ${tier}`, report.live.tiers[tier] ?? 0, report.candidate.tiers[tier] ?? 0)),
    `${n(report.tierChangeCount)} customers would change tier${report.tierChangeCount > report.tierChanges.length ? ` (first ${report.tierChanges.length} shown)` : ''}:`,
    ...report.tierChanges.map((change) => `  ${change.customerId}: ${change.live} → ${change.candidate}`),
  ];
  return lines.join('\n');
}

