import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStackOptions, type RunningLocalStack, startLocalStack } from '../local/stack';
import { benchAuditExport } from './audit-export';
import { measureBundles } from './bundles';
import { costOfOneRecovery } from './cost';
import { runFlood } from './flood';
import { runLoad } from './load';
import { type BenchOptions, BenchUsageError, parseBenchOptions, type Scenario } from './options';
import { measureRecoveries } from './recovery-latency';
import {
  bundlesSection,
  costSection,
  exportSection,
  floodSection,
  latencySection,
  loadSection,
} from './report';
import {
  bundlesSummary,
  costSummary,
  exportSummary,
  floodSummary,
  latencySummary,
  loadSummary,
  type ScenarioSummaries,
  summaryLine,
} from './summary';

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
 * `npm run bench [-- --scenario latency,flood,load,export,bundles,cost] [--recoveries 100]
 * [--flood 400] [--load 500] [--fuzz 1000] [--write] [--json]`: measures the local stack and the
 * bundles, prints a report, with `--write` puts it in docs/BENCHMARKS.md, and with `--json` ends
 * stdout with one line of JSON (bench/summary.ts).
 */
async function main(options: BenchOptions) {
  const runs = (scenario: Scenario) => options.scenarios.includes(scenario);
  const sections: string[] = [];
  const summaries: Partial<ScenarioSummaries> = {};

  // The handlers' SDK clients live once per process, bound to the first stack's endpoints: every
  // scenario that goes through the handlers shares this stack (the cost scenario has a process of its own).
  if (runs('latency') || runs('flood') || runs('load')) {
    const startedAt = performance.now();
    await withStack({}, async (stack) => {
      const stackStartMs = performance.now() - startedAt;
      if (runs('latency')) {
        const result = await measureRecoveries(stack.info, options.recoveries);
        sections.push(latencySection(result, stackStartMs));
        summaries.latency = latencySummary(result, stackStartMs);
      }
      if (runs('flood')) {
        const result = await runFlood(stack.info, options.floodRequests);
        sections.push(floodSection(result));
        summaries.flood = floodSummary(result);
        if (summaries.flood.errors > 0) process.exitCode = 1;
      }
      if (runs('load')) {
        const result = await runLoad(stack.info, options.loadRequests);
        sections.push(loadSection(result));
        summaries.load = loadSummary(result);
        if (result.serverErrors > 0 || result.lost > 0) process.exitCode = 1;
      }
    });
  }

  if (runs('export')) {
    await withStack({}, async (stack) => {
      const exportDir = mkdtempSync(join(tmpdir(), 'totp-recovery-export-'));
      try {
        const rows = await benchAuditExport(stack.info, exportDir);
        sections.push(exportSection(rows));
        summaries.export = exportSummary(rows);
      } finally {
        rmSync(exportDir, { recursive: true, force: true });
      }
    });
  }

  if (runs('bundles')) {
    const rows = await measureBundles();
    sections.push(bundlesSection(rows));
    summaries.bundles = bundlesSummary(rows);
  }

  if (runs('cost') && options.scenarios.length > 1) {
    // The metered stack needs the handlers' clients bound to its fault proxies: a process of its own,
    // which prints its section and then its summary line.
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--scenario', 'cost', '--section-only', '--json'],
      { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`the cost scenario failed:\n${child.stderr}`);
    const lines = child.stdout.trimEnd().split('\n');
    summaries.cost = (JSON.parse(lines.pop() ?? '') as ScenarioSummaries).cost;
    sections.push(lines.join('\n').trim());
  } else if (runs('cost')) {
    await withStack({ faultInjection: true }, async (stack) => {
      if (!stack.faults) throw new Error('the metered stack has no call counter');
      const cost = await costOfOneRecovery(stack.info, stack.faults);
      sections.push(costSection(cost));
      summaries.cost = costSummary(cost);
    });
  }

  if (options.fuzzRuns > 0) {
    const run = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', 'test/security/fuzz.test.ts'], {
      env: { ...process.env, FUZZ_RUNS: String(options.fuzzRuns) },
      encoding: 'utf8',
    });
    sections.push(
      `### Fuzzing: ${options.fuzzRuns} cases per property: ${run.status === 0 ? 'no failure' : 'FAILED (see the output above)'}`,
    );
    summaries.fuzz = { casesPerProperty: options.fuzzRuns, passed: run.status === 0 };
    if (run.status !== 0) {
      console.error(run.stdout, run.stderr);
      process.exitCode = 1;
    }
  }

  const measuredAt = new Date();
  if (options.sectionOnly) {
    process.stdout.write(`${sections.join('\n\n')}\n`);
  } else {
    const report = [
      `Measured ${measuredAt.toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, in one \`npm run bench\` run.`,
      ...sections,
    ].join('\n\n');
    console.log(`\n${report}\n`);
    if (options.write) {
      const file = join(import.meta.dirname, '..', 'docs', 'BENCHMARKS.md');
      const marker = '<!-- latest-run -->';
      const [head] = readFileSync(file, 'utf8').split(marker);
      writeFileSync(file, `${head}${marker}\n${report}\n`);
      console.log(`written to ${file}`);
    }
  }
  if (options.json) {
    const facts = {
      measuredAt: measuredAt.toISOString(),
      platform: `${process.platform}/${process.arch}`,
      node: process.version,
      cpus: availableParallelism(),
      scenarios: options.scenarios,
    };
    // Last, and nothing after it: a reader takes stdout's last line.
    process.stdout.write(`${summaryLine(facts, summaries)}\n`);
  }
}

let options: BenchOptions;
try {
  options = parseBenchOptions(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof BenchUsageError)) throw error;
  console.error(`bench: ${error.message}`);
  process.exit(2);
}
main(options).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
