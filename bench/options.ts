/** The scenarios of `npm run bench`, in the order they run. */
export const SCENARIOS = ['latency', 'flood', 'load', 'export', 'bundles', 'cost'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly scenarios: readonly Scenario[];
  /** Concurrent recoveries of the `latency` scenario. */
  readonly recoveries: number;
  /** Concurrent requests of the `load` scenario. */
  readonly loadRequests: number;
  /** Anonymous requests of the `flood` scenario. */
  readonly floodRequests: number;
  /** Cases per property of the fuzzing suite; 0 leaves it out. */
  readonly fuzzRuns: number;
  /** Print the summary as one JSON object on the last line of stdout. */
  readonly json: boolean;
  /** Put the report in docs/BENCHMARKS.md. */
  readonly write: boolean;
  /** Print the sections without the header (the cost scenario's child process). */
  readonly sectionOnly: boolean;
}

/** A command line the bench cannot run; `npm run bench` exits 2 with its message. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

// Defaults; `--fuzz` 0 leaves the fuzzing suite out.
const COUNTS = { '--recoveries': 100, '--load': 500, '--flood': 400, '--fuzz': 0 } as const;
const FLAGS = ['--json', '--write', '--section-only'] as const;

function wholeNumber(name: string, raw: string | undefined): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < 1)
    throw new BenchUsageError(`${name} takes a whole number >= 1`);
  return value;
}

function scenarioList(raw: string | undefined): Scenario[] {
  const valid = `valid scenarios: ${SCENARIOS.join(', ')}`;
  if (raw === undefined || raw.startsWith('--'))
    throw new BenchUsageError(`--scenario takes a comma-separated list; ${valid}`);
  const names = raw.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new BenchUsageError(`unknown scenario ${unknown.map((n) => `'${n}'`).join(', ')}; ${valid}`);
  // Run order is the bench's, whatever order the names came in.
  return SCENARIOS.filter((scenario) => names.includes(scenario));
}

/** Reads `npm run bench` arguments; throws BenchUsageError for anything it does not know. */
export function parseBenchOptions(args: readonly string[]): BenchOptions {
  let scenarios: Scenario[] = [...SCENARIOS];
  const counts: Record<keyof typeof COUNTS, number | undefined> = {
    '--recoveries': undefined,
    '--load': undefined,
    '--flood': undefined,
    '--fuzz': undefined,
  };
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--scenario') {
      scenarios = scenarioList(args[i + 1]);
      i += 1;
    } else if (arg in COUNTS) {
      counts[arg as keyof typeof COUNTS] = wholeNumber(arg, args[i + 1]);
      i += 1;
    } else if ((FLAGS as readonly string[]).includes(arg)) {
      flags.add(arg);
    } else {
      throw new BenchUsageError(
        `unknown argument '${arg}'; known: --scenario <${SCENARIOS.join(',')}>, ${Object.keys(COUNTS)
          .map((name) => `${name} N`)
          .join(', ')}, ${FLAGS.filter((flag) => flag !== '--section-only').join(', ')}`,
      );
    }
  }
  return {
    scenarios,
    recoveries: counts['--recoveries'] ?? COUNTS['--recoveries'],
    loadRequests: counts['--load'] ?? COUNTS['--load'],
    floodRequests: counts['--flood'] ?? COUNTS['--flood'],
    fuzzRuns: counts['--fuzz'] ?? COUNTS['--fuzz'],
    json: flags.has('--json'),
    write: flags.has('--write'),
    sectionOnly: flags.has('--section-only'),
  };
}
