import { AsyncLocalStorage } from 'node:async_hooks';

// In Lambda a process serves one function of one stack, configured by its environment variables.
// Locally several stacks may run in one process (tests, the benchmark): each invocation runs in its
// stack's environment, so its configuration and SDK clients are that stack's.
const scope = new AsyncLocalStorage<NodeJS.ProcessEnv>();

/** The environment the running code belongs to: the process's in Lambda, its stack's locally. */
export const currentEnvironment = (): NodeJS.ProcessEnv => scope.getStore() ?? process.env;

/** Runs `run` (one invocation) in a stack's environment. */
export const withEnvironment = <R>(env: NodeJS.ProcessEnv, run: () => R): R => scope.run(env, run);

/**
 * What a handler builds from its configuration (adapters, clients), once per environment: in Lambda
 * once per process, at import, so a bad configuration fails the cold start as before; locally once
 * per stack, at its first invocation.
 */
export function perEnvironment<T>(build: () => T): () => T {
  const built = new WeakMap<NodeJS.ProcessEnv, T>();
  const get = () => {
    const env = currentEnvironment();
    if (!built.has(env)) built.set(env, build());
    return built.get(env) as T;
  };
  // AWS_LAMBDA_FUNCTION_NAME is set by the Lambda runtime (and never by the local stack).
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) get();
  return get;
}
