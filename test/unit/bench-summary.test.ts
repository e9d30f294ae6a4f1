import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchOptions, SCENARIOS } from '../../bench/options';
import { summarise } from '../../bench/stats';
import {
  type CostResult,
  costSummary,
  type FloodResult,
  floodSummary,
  type LatencyResult,
  latencySummary,
  summaryLine,
} from '../../bench/summary';

const facts = {
  measuredAt: '2026-12-03T10:00:00.000Z',
  platform: 'linux/x64',
  node: 'v24.0.0',
  cpus: 2,
  scenarios: ['latency', 'flood', 'cost'] as const,
};

const latency: LatencyResult = {
  count: 100,
  requestToEmail: summarise([900, 1000, 1100]),
  confirmToRemoved: summarise([300, 310, 320]),
  recoveriesPerSecond: 12.345,
  floor: { requestToEmail: summarise([400, 500, 600]), confirmToRemoved: summarise([150, 155, 160]) },
};

const flood: FloodResult = {
  floodRequests: 400,
  sources: 100,
  recoveries: 3,
  alone: {
    requestToEmail: summarise([500, 600, 700]),
    wholeRecovery: summarise([900, 1000, 1100]),
    seconds: 1.2,
    errors: {},
  },
  during: {
    requestToEmail: summarise([1000, 1200, 1750]),
    wholeRecovery: summarise([1500, 2000, 2500]),
    seconds: 3.4,
    errors: { 'recovery: POST /recoveries answered 500': 1 },
  },
  flood: { seconds: 8.2, statuses: { 202: 399, 500: 1 }, latency: summarise([100, 2000, 4000]) },
  errors: { 'flood: POST /recoveries answered 500': 1, 'recovery: POST /recoveries answered 500': 1 },
};

const cost: CostResult = {
  usage: {
    transitions: 9,
    invocations: 8,
    billedMs: 849,
    writeUnits: 30,
    readUnits: 25,
    emails: 2,
    apiRequests: 2,
    events: 8,
  },
  lines: {
    'Step Functions state transitions': 0.000225,
    'Lambda requests': 0,
    'Lambda duration (arm64, 256 MB)': 0,
    'DynamoDB on-demand writes': 0,
    'DynamoDB on-demand reads': 0,
    'SES emails': 0.0002,
    'HTTP API requests': 0,
    'EventBridge events': 0,
  },
  total: 0.000425,
  calls: { 'dynamodb.GetItem': 16, 'ses.SendEmail': 2 },
};

describe('the bench command line', () => {
  it('runs every scenario by default', () => {
    expect(parseBenchOptions([]).scenarios).toEqual(SCENARIOS);
    expect(parseBenchOptions([]).json).toBe(false);
  });

  it('runs only the named scenarios, in the bench order', () => {
    const options = parseBenchOptions(['--scenario', 'cost,latency', '--json', '--flood', '40']);
    expect(options.scenarios).toEqual(['latency', 'cost']);
    expect(options.json).toBe(true);
    expect(options.floodRequests).toBe(40);
  });

  it('refuses an unknown scenario, naming the valid ones', () => {
    expect(() => parseBenchOptions(['--scenario', 'latency,nope'])).toThrow(BenchUsageError);
    expect(() => parseBenchOptions(['--scenario', 'latency,nope'])).toThrow(
      "unknown scenario 'nope'; valid scenarios: latency, flood, load, export, bundles, cost",
    );
  });

  it.each([
    ['a --scenario without a list', ['--scenario']],
    ['a --scenario followed by a flag', ['--scenario', '--json']],
    ['an unknown argument', ['--scenarios', 'latency']],
    ['a count that is not a whole number', ['--recoveries', '2.5']],
  ])('refuses %s', (_, args) => {
    expect(() => parseBenchOptions(args)).toThrow(BenchUsageError);
  });

  it('exits 2 on an unknown scenario before it starts anything', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--scenario', 'nope', '--json'],
      {
        cwd: join(import.meta.dirname, '..', '..'),
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown scenario 'nope'; valid scenarios: latency, flood, load");
    expect(run.stdout).toBe('');
  });
});

describe('the JSON summary of a bench run', () => {
  const parts = {
    latency: latencySummary(latency, 3000),
    flood: floodSummary(flood),
    cost: costSummary(cost),
  };

  it('is one line of JSON with the figures issue 17 names', () => {
    const line = summaryLine(facts, parts);
    expect(line).not.toContain('\n');
    const summary = JSON.parse(line);
    expect(summary.latency).toMatchObject({ requestRatio: 2, confirmRatio: 2, recoveriesPerSecond: 12.3 });
    expect(summary.cost).toMatchObject({ callsPerRecovery: 18, usdPerRecovery: 0.000425 });
    expect(summary.flood).toMatchObject({
      legitAloneP95Ms: 700,
      legitDuringFloodP95Ms: 1750,
      ratio: 2.5,
      recoveryRatio: 2.27,
      errors: 2,
    });
  });

  it('leaves a scenario that did not run null, and its targets unjudged', () => {
    const summary = JSON.parse(summaryLine(facts, parts));
    expect(summary.load).toBeNull();
    expect(summary.bundles).toBeNull();
    expect(summary.targets['load.lost']).toEqual({ atMost: 0, value: null, met: null });
  });

  it('judges each target against the run', () => {
    const { targets } = JSON.parse(summaryLine(facts, parts));
    expect(targets['latency.requestRatio']).toEqual({ atMost: 1.5, value: 2, met: false });
    expect(targets['latency.recoveriesPerSecond']).toEqual({ atLeast: 20, value: 12.3, met: false });
    expect(targets['cost.callsPerRecovery']).toEqual({ atMost: 25, value: 18, met: true });
    expect(targets['cost.usdPerRecovery'].met).toBe(false);
    expect(targets['flood.errors']).toEqual({ atMost: 0, value: 2, met: false });
  });

  it('writes an empty sample as null, never as a number', () => {
    const empty = { ...flood, during: { ...flood.during, requestToEmail: summarise([]) } };
    const summary = JSON.parse(summaryLine(facts, { flood: floodSummary(empty) }));
    expect(summary.flood.legitDuringFloodP95Ms).toBeNull();
    expect(summary.flood.ratio).toBeNull();
    expect(summary.targets['flood.ratio'].met).toBeNull();
  });
});
