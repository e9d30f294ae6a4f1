import { ms } from './stats';
import {
  type BundleRow,
  type CostResult,
  type ExportRow,
  type FloodResult,
  type LatencyResult,
  type LoadResult,
  TARGETS,
} from './summary';

// The human-readable report: one Markdown section per scenario, as docs/BENCHMARKS.md keeps them.

const counts = (entries: Record<string, number>, separator = ', ') =>
  Object.entries(entries)
    .map(([kind, n]) => `${n} x ${kind}`)
    .join(separator);

export function latencySection(result: LatencyResult, stackStartMs: number): string {
  const row = (name: string, s: { p50: number; p95: number; p99: number }, floor: { p50: number }) =>
    `| ${name} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(floor.p50)} | ${(s.p50 / floor.p50).toFixed(2)} |`;
  return [
    `### Automated path: ${result.count} concurrent recoveries`,
    '',
    `- Local stack start (services up, seeded, stack.json written): ${ms(stackStartMs)}`,
    `- Recoveries per second (first request to last request COMPLETED; target >= ${TARGETS.recoveriesPerSecond}): ${result.recoveriesPerSecond.toFixed(1)}`,
    '',
    `| phase | p50 | p95 | p99 | floor p50 | ratio p50/floor (target <= ${TARGETS.latencyRatio}) |`,
    '|---|---|---|---|---|---|',
    row('request -> code email accepted by SES', result.requestToEmail, result.floor.requestToEmail),
    row('confirm -> TOTP removed and verified', result.confirmToRemoved, result.floor.confirmToRemoved),
  ].join('\n');
}

export function floodSection(result: FloodResult): string {
  const row = (name: string, alone: { p50: number; p95: number }, during: { p50: number; p95: number }) =>
    `| ${name} | ${ms(alone.p50)} | ${ms(alone.p95)} | ${ms(during.p50)} | ${ms(during.p95)} | ${(during.p95 / alone.p95).toFixed(2)} |`;
  const errors = Object.values(result.errors).reduce((sum, n) => sum + n, 0);
  return [
    `### Flood: ${result.floodRequests} anonymous requests for unknown users during ${result.recoveries} real recoveries`,
    '',
    `The flood came from ${result.sources} loopback addresses, all at once; its answers: ${counts(result.flood.statuses)} (p50 ${ms(result.flood.latency.p50)}, p95 ${ms(result.flood.latency.p95)}; the last after ${result.flood.seconds.toFixed(1)} s). The recoveries during it took ${result.during.seconds.toFixed(1)} s.`,
    '',
    `| recoveries | alone p50 | alone p95 | during the flood p50 | during the flood p95 | ratio p95 (target <= ${TARGETS.floodRatio}) |`,
    '|---|---|---|---|---|---|',
    row('request -> code email accepted by SES', result.alone.requestToEmail, result.during.requestToEmail),
    row('request -> COMPLETED (whole recovery)', result.alone.wholeRecovery, result.during.wholeRecovery),
    '',
    `- Errors (any answer other than the expected one, or a recovery that did not complete; target 0): **${errors}**${errors > 0 ? ` (${counts(result.errors, '; ')})` : ''}`,
  ].join('\n');
}

export function loadSection(load: LoadResult): string {
  const mb = (value: number) => `${value.toFixed(0)} MB`;
  return [
    `### Load: ${load.requests} concurrent requests`,
    '',
    `Mix: ${Object.entries(load.mix)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ')}. Answers: ${counts(load.statuses)}.`,
    '',
    `- 5xx answers: **${load.serverErrors}**`,
    `- Accepted requests: ${load.accepted}; without a terminal audit record after the run: **${load.lost}**`,
    `- Whole run (requests, codes, confirmations, every terminal record): ${load.elapsedSeconds.toFixed(1)} s`,
    `- Errors the functions logged: ${counts(load.loggedErrors, '; ') || 'none'}`,
    `- Memory: API/workflow host process RSS ${mb(load.memoryBefore.nodeRssMb)} before -> ${mb(load.memoryAfter.nodeRssMb)} after; DynamoDB Local JVM ${mb(load.memoryBefore.jvmRssMb)} -> ${mb(load.memoryAfter.jvmRssMb)}`,
    '',
    '| route | n | p50 | p95 | p99 |',
    '|---|---|---|---|---|',
    ...Object.entries(load.routes).map(
      ([route, s]) => `| \`${route}\` | ${s.n} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} |`,
    ),
  ].join('\n');
}

export function exportSection(rows: readonly ExportRow[]): string {
  return [
    '### Audit export: 10,000 events (the code behind `GET /audit/export` and `totp-recovery audit export`)',
    '',
    '| format | lines | time | file | peak heap growth |',
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.format} | ${r.lines} | ${r.seconds.toFixed(1)} s | ${r.fileMb.toFixed(1)} MB | ${r.peakHeapGrowthMb.toFixed(1)} MB |`,
    ),
  ].join('\n');
}

export function bundlesSection(rows: readonly BundleRow[]): string {
  return [
    '### Lambda bundles (esbuild, minified ESM, Node.js 24, as the CDK stack builds them)',
    '',
    `| function | size, SDK bundled (as shipped; target <= ${TARGETS.bundleKb} KB) | module init, median of 5 (target <= ${TARGETS.initMs} ms) | size with the runtime's SDK | init with the runtime's SDK |`,
    '|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.sizeKb.toFixed(0)} KB${r.sizeKb > TARGETS.bundleKb ? ' (over)' : ''} | ${r.initMs.toFixed(0)} ms${r.initMs > TARGETS.initMs ? ' (over)' : ''} | ${r.runtimeSdkKb.toFixed(0)} KB | ${r.runtimeSdkInitMs.toFixed(0)} ms |`,
    ),
  ].join('\n');
}

export function costSection(cost: CostResult): string {
  const usd = (value: number) => `$${value.toFixed(7)}`;
  const calls = Object.values(cost.calls).reduce((sum, n) => sum + n, 0);
  return [
    `### Cost of one completed low-risk recovery at list prices (target <= $${TARGETS.usdPerRecovery})`,
    '',
    `What the run did: ${cost.usage.transitions} state transitions, ${cost.usage.invocations} Lambda invocations (${cost.usage.billedMs} ms billed in total), ${cost.usage.writeUnits} DynamoDB write units, ${cost.usage.readUnits} read units, ${cost.usage.emails} emails, ${cost.usage.apiRequests} API requests, ${cost.usage.events} EventBridge events.`,
    '',
    '| item | cost |',
    '|---|---|',
    ...Object.entries(cost.lines).map(([item, value]) => `| ${item} | ${usd(value)} |`),
    `| **total** | **${usd(cost.total)}** |`,
    '',
    `AWS calls counted (**${calls}**; target <= ${TARGETS.callsPerRecovery}): ${Object.entries(cost.calls)
      .map(([callName, n]) => `${callName} ${n}`)
      .join(', ')}.`,
  ].join('\n');
}
