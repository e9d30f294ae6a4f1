import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStackOptions, type RunningLocalStack, startLocalStack } from '../local/stack';
import { benchAuditExport } from './audit-export';
import { measureBundles } from './bundles';
import { costOfOneRecovery } from './cost';
import { runLoad } from './load';
import { measureRecoveries } from './recovery-latency';
import { ms } from './stats';

const SCENARIOS = ['latency', 'load', 'export', 'bundles', 'cost'] as const;
type Scenario = (typeof SCENARIOS)[number];

const TARGETS = { ratio: 1.5, bundleKb: 250, initMs: 100, costUsd: 0.001 };

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a whole number >= 1`);
  return value;
}

async function withStack<T>(options: LocalStackOptions, work: (stack: RunningLocalStack) => Promise<T>) {
  const stateDir = mkdtempSync(join(tmpdir(), 'totp-recovery-bench-'));
  const stack = await startLocalStack({ port: 0, stateDir, ...options });
  try {
    return await work(stack);
  } finally {
    await stack.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench [-- --scenario latency,load,export,bundles,cost] [--recoveries 100] [--load 500]
 * [--fuzz 1000] [--write]`: measures the local stack and the bundles, prints a report, and with
 * `--write` puts it in docs/BENCHMARKS.md.
 */
async function main() {
  const args = process.argv.slice(2);
  const scenarioArg = args.indexOf('--scenario');
  const scenarios = (
    scenarioArg >= 0 ? String(args[scenarioArg + 1]).split(',') : [...SCENARIOS]
  ) as Scenario[];
  const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(',')}; known: ${SCENARIOS.join(',')}`);
  const recoveries = option(args, '--recoveries', 100);
  const loadRequests = option(args, '--load', 500);
  const sections: string[] = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, in one \`npm run bench\` run.`,
  ];

  if (scenarios.includes('latency') || scenarios.includes('load')) {
    const startedAt = performance.now();
    await withStack({}, async (stack) => {
      const startupMs = performance.now() - startedAt;
      if (scenarios.includes('latency')) {
        const result = await measureRecoveries(stack.info, recoveries);
        const row = (name: string, s: { p50: number; p95: number; p99: number }, floor: { p50: number }) =>
          `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(floor.p50)} | ${(s.p50 / floor.p50).toFixed(2)} |`;
        sections.push(
          [
            `### Automated path: ${recoveries} concurrent recoveries`,
            '',
            `- Local stack start (services up, seeded, stack.json written): ${ms(startupMs)}`,
            `- Recoveries per second (first request to last request COMPLETED): ${result.recoveriesPerSecond.toFixed(1)}`,
            '',
            `| phase | p50 | p95 | p99 | floor p50 | ratio p50/floor (target <= ${TARGETS.ratio}) |`,
            '|---|---|---|---|---|---|',
            row('request -> code email accepted by SES', result.requestToEmail, result.floor.requestToEmail),
            row(
              'confirm -> TOTP removed and verified',
              result.confirmToRemoved,
              result.floor.confirmToRemoved,
            ),
          ].join('\n'),
        );
      }
      if (scenarios.includes('load')) {
        const load = await runLoad(stack.info, loadRequests);
        const mb = (value: number) => `${value.toFixed(0)} MB`;
        sections.push(
          [
            `### Load: ${load.requests} concurrent requests`,
            '',
            `Mix: ${Object.entries(load.mix)
              .map(([kind, n]) => `${n} ${kind}`)
              .join(', ')}. Answers: ${Object.entries(load.statuses)
              .map(([status, n]) => `${n} x ${status}`)
              .join(', ')}.`,
            '',
            `- 5xx answers: **${load.serverErrors}**`,
            `- Accepted requests: ${load.accepted}; without a terminal audit record after the run: **${load.lost}**`,
            `- Whole run (requests, codes, confirmations, every terminal record): ${load.elapsedSeconds.toFixed(1)} s`,
            `- Errors the functions logged: ${
              Object.entries(load.loggedErrors)
                .map(([kind, n]) => `${n} x ${kind}`)
                .join('; ') || 'none'
            }`,
            `- Memory: API/workflow host process RSS ${mb(load.memoryBefore.nodeRssMb)} before -> ${mb(load.memoryAfter.nodeRssMb)} after; DynamoDB Local JVM ${mb(load.memoryBefore.jvmRssMb)} -> ${mb(load.memoryAfter.jvmRssMb)}`,
            '',
            '| route | n | p50 | p95 | p99 |',
            '|---|---|---|---|---|',
            ...Object.entries(load.routes).map(
              ([route, s]) => `| \`${route}\` | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} |`,
            ),
          ].join('\n'),
        );
        if (load.serverErrors > 0 || load.lost > 0) process.exitCode = 1;
      }
    });
  }

  if (scenarios.includes('export')) {
    await withStack({}, async (stack) => {
      const exportDir = mkdtempSync(join(tmpdir(), 'totp-recovery-export-'));
      try {
        const rows = await benchAuditExport(stack.info, exportDir);
        sections.push(
          [
            '### Audit export: 10,000 events (the code behind `GET /audit/export` and `totp-recovery audit export`)',
            '',
            '| format | lines | time | file | peak heap growth |',
            '|---|---|---|---|---|',
            ...rows.map(
              (r) =>
                `| ${r.format} | ${r.lines} | ${r.seconds.toFixed(1)} s | ${r.fileMb.toFixed(1)} MB | ${r.peakHeapGrowthMb.toFixed(1)} MB |`,
            ),
          ].join('\n'),
        );
      } finally {
        rmSync(exportDir, { recursive: true, force: true });
      }
    });
  }

  if (scenarios.includes('bundles')) {
    const rows = await measureBundles();
    sections.push(
      [
        '### Lambda bundles (esbuild, minified ESM, Node.js 24, as the CDK stack builds them)',
        '',
        `| function | size, SDK bundled (as shipped; target <= ${TARGETS.bundleKb} KB) | module init, median of 5 (target <= ${TARGETS.initMs} ms) | size with the runtime's SDK | init with the runtime's SDK |`,
        '|---|---|---|---|---|',
        ...rows.map(
          (r) =>
            `| ${r.name} | ${r.sizeKb.toFixed(0)} KB${r.sizeKb > TARGETS.bundleKb ? ' (over)' : ''} | ${r.initMs.toFixed(0)} ms${r.initMs > TARGETS.initMs ? ' (over)' : ''} | ${r.runtimeSdkKb.toFixed(0)} KB | ${r.runtimeSdkInitMs.toFixed(0)} ms |`,
        ),
      ].join('\n'),
    );
  }

  if (scenarios.includes('cost') && scenarios.length > 1) {
    // The handlers' SDK clients live once per process, bound to the first stack's endpoints: the
    // metered stack runs in a process of its own.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--scenario', 'cost', '--section-only'],
      {
        cwd: join(import.meta.dirname, '..'),
        encoding: 'utf8',
      },
    );
    if (child.status !== 0) throw new Error(`the cost scenario failed:\n${child.stderr}`);
    sections.push(child.stdout.trim());
  } else if (scenarios.includes('cost')) {
    await withStack({ faultInjection: true }, async (stack) => {
      if (!stack.faults) throw new Error('the metered stack has no call counter');
      const cost = await costOfOneRecovery(stack.info, stack.faults);
      const usd = (value: number) => `$${value.toFixed(7)}`;
      sections.push(
        [
          `### Cost of one completed low-risk recovery at list prices (target <= $${TARGETS.costUsd})`,
          '',
          `What the run did: ${cost.usage.transitions} state transitions, ${cost.usage.invocations} Lambda invocations (${cost.usage.billedMs} ms billed in total), ${cost.usage.writeUnits} DynamoDB write units, ${cost.usage.readUnits} read units, ${cost.usage.emails} emails, ${cost.usage.apiRequests} API requests, ${cost.usage.events} EventBridge events.`,
          '',
          '| item | cost |',
          '|---|---|',
          ...Object.entries(cost.lines).map(([item, value]) => `| ${item} | ${usd(value)} |`),
          `| **total** | **${usd(cost.total)}** |`,
          '',
          `AWS calls counted: ${Object.entries(cost.calls)
            .map(([callName, n]) => `${callName} ${n}`)
            .join(', ')}.`,
        ].join('\n'),
      );
    });
  }

  const fuzzRuns = args.includes('--fuzz') ? option(args, '--fuzz', 1000) : 0;
  if (fuzzRuns > 0) {
    const run = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'test/security/fuzz.test.ts'], {
      env: { ...process.env, FUZZ_RUNS: String(fuzzRuns) },
      encoding: 'utf8',
    });
    sections.push(
      `### Fuzzing: ${fuzzRuns} cases per property: ${run.status === 0 ? 'no failure' : 'FAILED (see the output above)'}`,
    );
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      process.exitCode = 1;
    }
  }

  if (args.includes('--section-only')) {
    process.stdout.write(`${sections.slice(1).join('\n\n')}\n`);
    return;
  }
  const report = sections.join('\n\n');
  console.log(`\n${report}\n`);
  if (args.includes('--write')) {
    const file = join(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');
    const marker = '<!-- latest-run -->';
    const [head] = readFileSync(file, 'utf8').split(marker);
    writeFileSync(file, `${head}${marker}\n${report}\n`);
    console.log(`written to ${file}`);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
