import '../local/polyfills';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/stack';
import { measureRecoveries } from './recovery-latency';
import { ms } from './stats';

/** `npm run bench [-- --recoveries N] [-- --write]`: measures the local stack and prints a report. */
async function main() {
  const args = process.argv.slice(2);
  const countArg = args.indexOf('--recoveries');
  const count = countArg >= 0 ? Number(args[countArg + 1]) : 100;
  if (!Number.isInteger(count) || count < 1) throw new Error('--recoveries takes a whole number >= 1');

  const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-bench-'));
  const startedAt = performance.now();
  // Every simulated user has its own account and source address, so the default limits hold.
  const stack = await startLocalStack({ port: 0, stateDir });
  const startupMs = performance.now() - startedAt;
  try {
    const result = await measureRecoveries(stack.info, count);
    const row = (name: string, s: { p50: number; p95: number; p99: number }, floor: { p50: number }) =>
      `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(floor.p50)} | ${(s.p50 / floor.p50).toFixed(2)} |`;
    const report = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, ${count} concurrent recoveries.`,
      '',
      `- Local stack start (services up, seeded, stack.json written): ${ms(startupMs)}`,
      `- Recoveries per second (first request to last request COMPLETED): ${result.recoveriesPerSecond.toFixed(1)}`,
      '',
      '| phase | p50 | p95 | p99 | floor p50 | ratio p50/floor |',
      '|---|---|---|---|---|---|',
      row('request -> code email accepted by SES', result.requestToEmail, result.floor.requestToEmail),
      row('confirm -> TOTP removed and verified', result.confirmToRemoved, result.floor.confirmToRemoved),
    ].join('\n');
    console.log(`\n${report}\n`);
    if (args.includes('--write')) {
      const file = join(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');
      const text = readFileSync(file, 'utf8');
      const marker = '<!-- latest-run -->';
      const [head] = text.split(marker);
      writeFileSync(file, `${head}${marker}\n${report}\n`);
      console.log(`written to ${file}`);
    }
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
