import type { benchAuditExport } from './audit-export';
import type { measureBundles } from './bundles';
import type { costOfOneRecovery } from './cost';
import type { runFlood } from './flood';
import type { runLoad } from './load';
import type { Scenario } from './options';
import type { measureRecoveries } from './recovery-latency';
import type { summarise } from './stats';

/** The targets of issue 17 and of the earlier benchmarks, as the report and the summary judge them. */
export const TARGETS = {
  latencyRatio: 1.5,
  recoveriesPerSecond: 20,
  callsPerRecovery: 25,
  usdPerRecovery: 0.0003,
  floodRatio: 2,
  bundleKb: 250,
  initMs: 100,
} as const;

type Percentiles = ReturnType<typeof summarise>;
export type LatencyResult = Awaited<ReturnType<typeof measureRecoveries>>;
export type FloodResult = Awaited<ReturnType<typeof runFlood>>;
export type LoadResult = Awaited<ReturnType<typeof runLoad>>;
export type ExportRow = Awaited<ReturnType<typeof benchAuditExport>>[number];
export type BundleRow = Awaited<ReturnType<typeof measureBundles>>[number];
export type CostResult = Awaited<ReturnType<typeof costOfOneRecovery>>;

/** A number fit for JSON: rounded to `digits` decimals; NaN and infinities (an empty sample) become null. */
function figure(value: number, digits = 0): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

const percentilesMs = (s: Percentiles) => ({ p50: figure(s.p50), p95: figure(s.p95), p99: figure(s.p99) });
const ratio = (numerator: number, denominator: number) => figure(numerator / denominator, 2);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, n) => sum + n, 0);

export function latencySummary(result: LatencyResult, stackStartMs: number) {
  return {
    recoveries: result.count,
    requestRatio: ratio(result.requestToEmail.p50, result.floor.requestToEmail.p50),
    confirmRatio: ratio(result.confirmToRemoved.p50, result.floor.confirmToRemoved.p50),
    recoveriesPerSecond: figure(result.recoveriesPerSecond, 1),
    requestToEmailMs: percentilesMs(result.requestToEmail),
    confirmToRemovedMs: percentilesMs(result.confirmToRemoved),
    floorRequestToEmailP50Ms: figure(result.floor.requestToEmail.p50),
    floorConfirmToRemovedP50Ms: figure(result.floor.confirmToRemoved.p50),
    stackStartMs: figure(stackStartMs),
  };
}

export function floodSummary(result: FloodResult) {
  return {
    floodRequests: result.floodRequests,
    sources: result.sources,
    recoveries: result.recoveries,
    legitAloneP95Ms: figure(result.alone.requestToEmail.p95),
    legitDuringFloodP95Ms: figure(result.during.requestToEmail.p95),
    ratio: ratio(result.during.requestToEmail.p95, result.alone.requestToEmail.p95),
    recoveryAloneP95Ms: figure(result.alone.wholeRecovery.p95),
    recoveryDuringFloodP95Ms: figure(result.during.wholeRecovery.p95),
    recoveryRatio: ratio(result.during.wholeRecovery.p95, result.alone.wholeRecovery.p95),
    legitAloneP50Ms: figure(result.alone.requestToEmail.p50),
    legitDuringFloodP50Ms: figure(result.during.requestToEmail.p50),
    floodSeconds: figure(result.flood.seconds, 1),
    duringSeconds: figure(result.during.seconds, 1),
    floodAnswerMs: percentilesMs(result.flood.latency),
    floodStatuses: result.flood.statuses,
    errors: total(result.errors),
    errorKinds: result.errors,
  };
}

export function loadSummary(result: LoadResult) {
  return {
    requests: result.requests,
    statuses: result.statuses,
    serverErrors: result.serverErrors,
    accepted: result.accepted,
    lost: result.lost,
    loggedErrors: total(result.loggedErrors),
    elapsedSeconds: figure(result.elapsedSeconds, 1),
    routesMs: Object.fromEntries(
      Object.entries(result.routes).map(([route, s]) => [route, { n: s.n, ...percentilesMs(s) }]),
    ),
    hostRssMb: { before: figure(result.memoryBefore.nodeRssMb), after: figure(result.memoryAfter.nodeRssMb) },
    dynamodbLocalRssMb: {
      before: figure(result.memoryBefore.jvmRssMb),
      after: figure(result.memoryAfter.jvmRssMb),
    },
  };
}

export function exportSummary(rows: readonly ExportRow[]) {
  return Object.fromEntries(
    rows.map((r) => [
      r.format,
      {
        lines: r.lines,
        seconds: figure(r.seconds, 2),
        fileMb: figure(r.fileMb, 1),
        peakHeapGrowthMb: figure(r.peakHeapGrowthMb, 1),
      },
    ]),
  );
}

export function bundlesSummary(rows: readonly BundleRow[]) {
  return {
    maxSizeKb: figure(Math.max(...rows.map((r) => r.sizeKb))),
    maxInitMs: figure(Math.max(...rows.map((r) => r.initMs))),
    functions: Object.fromEntries(
      rows.map((r) => [
        r.name,
        {
          sizeKb: figure(r.sizeKb),
          initMs: figure(r.initMs),
          runtimeSdkKb: figure(r.runtimeSdkKb),
          runtimeSdkInitMs: figure(r.runtimeSdkInitMs),
        },
      ]),
    ),
  };
}

export function costSummary(result: CostResult) {
  return {
    callsPerRecovery: total(result.calls),
    usdPerRecovery: figure(result.total, 7),
    usage: result.usage,
    usdByItem: Object.fromEntries(Object.entries(result.lines).map(([item, usd]) => [item, figure(usd, 7)])),
    calls: result.calls,
  };
}

/** What each scenario contributes to the summary; a scenario not run is null. */
export interface ScenarioSummaries {
  latency: ReturnType<typeof latencySummary> | null;
  flood: ReturnType<typeof floodSummary> | null;
  load: ReturnType<typeof loadSummary> | null;
  export: ReturnType<typeof exportSummary> | null;
  bundles: ReturnType<typeof bundlesSummary> | null;
  cost: ReturnType<typeof costSummary> | null;
  fuzz: { casesPerProperty: number; passed: boolean } | null;
}

export interface RunFacts {
  readonly measuredAt: string;
  readonly platform: string;
  readonly node: string;
  readonly cpus: number;
  readonly scenarios: readonly Scenario[];
}

type Judgement = { value: number | null; met: boolean | null } & ({ atMost: number } | { atLeast: number });

function atMost(limit: number, value: number | null | undefined): Judgement {
  return { atMost: limit, value: value ?? null, met: value == null ? null : value <= limit };
}
function atLeast(limit: number, value: number | null | undefined): Judgement {
  return { atLeast: limit, value: value ?? null, met: value == null ? null : value >= limit };
}

/** Every target against this run's figure; `met` is null when its scenario did not run. */
export function judgeTargets(s: ScenarioSummaries): Record<string, Judgement> {
  return {
    'latency.requestRatio': atMost(TARGETS.latencyRatio, s.latency?.requestRatio),
    'latency.confirmRatio': atMost(TARGETS.latencyRatio, s.latency?.confirmRatio),
    'latency.recoveriesPerSecond': atLeast(TARGETS.recoveriesPerSecond, s.latency?.recoveriesPerSecond),
    'cost.callsPerRecovery': atMost(TARGETS.callsPerRecovery, s.cost?.callsPerRecovery),
    'cost.usdPerRecovery': atMost(TARGETS.usdPerRecovery, s.cost?.usdPerRecovery),
    'flood.ratio': atMost(TARGETS.floodRatio, s.flood?.ratio),
    'flood.errors': atMost(0, s.flood?.errors),
    'load.serverErrors': atMost(0, s.load?.serverErrors),
    'load.lost': atMost(0, s.load?.lost),
    'bundles.maxSizeKb': atMost(TARGETS.bundleKb, s.bundles?.maxSizeKb),
    'bundles.maxInitMs': atMost(TARGETS.initMs, s.bundles?.maxInitMs),
  };
}

/**
 * The machine-readable summary `npm run bench -- --json` prints as its last line: the run's facts,
 * one object per scenario (null when it did not run) and the targets judged.
 */
export function benchSummary(facts: RunFacts, parts: Partial<ScenarioSummaries>) {
  const scenarios: ScenarioSummaries = {
    latency: parts.latency ?? null,
    flood: parts.flood ?? null,
    load: parts.load ?? null,
    export: parts.export ?? null,
    bundles: parts.bundles ?? null,
    cost: parts.cost ?? null,
    fuzz: parts.fuzz ?? null,
  };
  return { ...facts, ...scenarios, targets: judgeTargets(scenarios) };
}

/** The summary as one line of JSON (no line breaks, so a reader can take stdout's last line). */
export function summaryLine(facts: RunFacts, parts: Partial<ScenarioSummaries>): string {
  return JSON.stringify(benchSummary(facts, parts));
}
