import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../domain/business-metrics';
import { observabilitySettings } from './config';
import { withInvocationScope } from './invocation-scope';

const settings = observabilitySettings();

// In Lambda, Powertools writes to its own stdout Console (Lambda's patched console would wrap the
// JSON). The local stack runs every function in one process and keeps what they print in its log
// file by capturing the global console, so there the tools write through it.
function throughGlobalConsole<T>(tool: T): T {
  if (settings.localConsole) (tool as unknown as { console: Console }).console = console;
  return tool;
}

const rootLogger = throughGlobalConsole(new Logger({ serviceName: SERVICE_NAME }));

/** X-Ray, around every SDK client (functions/clients/); off locally, where no trace daemon runs. */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, enabled: settings.tracing });

interface Invocation {
  readonly logger: Logger;
}
// Locally many invocations of one function run at once in one process: each gets its own logger.
const invocations = new AsyncLocalStorage<Invocation>();

/** The logger of the running invocation (its correlation id on every line), or the process's. */
export const currentLogger = (): Logger => invocations.getStore()?.logger ?? rootLogger;

/**
 * Runs one invocation with a logger of its own: service, cold start, function and request context,
 * and the given correlation keys on every line.
 */
export function withInvocation<R>(
  keys: Readonly<Record<string, string | undefined>>,
  context: Context | undefined,
  run: () => Promise<R>,
): Promise<R> {
  const persistentKeys = Object.fromEntries(
    Object.entries(keys).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  const logger = throughGlobalConsole(rootLogger.createChild({ persistentKeys }));
  if (context?.functionName) logger.addContext(context);
  const started = performance.now();
  return invocations.run({ logger }, async () => {
    try {
      return await withInvocationScope(run);
    } finally {
      // One line per invocation, so every function that handled a request shows in its story.
      logger.info('invocation ended', { durationMs: Math.round(performance.now() - started) });
    }
  });
}

/** Ties the rest of the invocation's lines to a recovery once its id is known (POST /recoveries). */
export const correlate = (requestId: string) => currentLogger().appendKeys({ correlationId: requestId });

/**
 * Publishes one business metric as its own EMF blob, with its own dimensions (besides `service`), so
 * alarms can match the exact set. Never a secret in a dimension.
 */
export function publishMetric(
  name: string,
  value: number,
  unit: 'Count' | 'Milliseconds',
  dimensions: Readonly<Record<string, string>> = {},
): void {
  const metrics = throughGlobalConsole(
    new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  );
  for (const [dimension, dimensionValue] of Object.entries(dimensions))
    metrics.addDimension(dimension, dimensionValue);
  metrics.addMetric(name, unit === 'Count' ? MetricUnit.Count : MetricUnit.Milliseconds, value);
  metrics.publishStoredMetrics();
}
