import { createRequire } from 'node:module';

type Json = Record<string, unknown>;
type State = Json & { Type?: string; Next?: string; End?: boolean; Default?: string };

// asl-validator ships CommonJS only.
const validateAsl = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

/** The errors a Task must retry: Lambda's own transient failures and the product's renamed ones. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Sandbox.Timedout',
  'TransientDependencyError',
];

/** The function that ends a request: a Task calling it is a terminal step and needs no Catch. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, as in the ASL file
const FINISH_FUNCTION = '${FinishRecoveryFunctionArn}';

/**
 * Everything wrong with a definition, as AWS would check it (asl-validator, with the substitution
 * placeholders standing for ARNs) and as this product requires: every state reachable, every Task
 * with a timeout and a Retry for transient errors, and every Task but the terminal steps with a
 * Catch for States.ALL that leads to a terminal step.
 */
export function lintDefinition(definition: Json): string[] {
  const problems: string[] = [];
  const validation = validateAsl(structuredClone(definition), { checkPaths: true, checkArn: false });
  if (!validation.isValid) problems.push(...validation.errorsText('\n').split('\n'));

  const states = (definition.States ?? {}) as Record<string, State>;
  const targets = (state: State): string[] => [
    ...(state.Next ? [state.Next] : []),
    ...(state.Default ? [state.Default] : []),
    ...((state.Choices as { Next?: string }[] | undefined) ?? []).flatMap((c) => (c.Next ? [c.Next] : [])),
    ...((state.Catch as { Next?: string }[] | undefined) ?? []).flatMap((c) => (c.Next ? [c.Next] : [])),
  ];

  const reachable = new Set<string>();
  const queue = [String(definition.StartAt)];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (reachable.has(name) || !states[name]) continue;
    reachable.add(name);
    queue.push(...targets(states[name] as State));
  }
  for (const name of Object.keys(states)) {
    if (!reachable.has(name)) problems.push(`${name}: not reachable from ${String(definition.StartAt)}`);
  }

  const isTerminalStep = (state: State | undefined) =>
    state?.Type === 'Task' && JSON.stringify(state.Parameters ?? {}).includes(FINISH_FUNCTION);
  /** Whether every path from `name` ends at a terminal step or a Succeed/Fail state. */
  const endsWell = (name: string, seen = new Set<string>()): boolean => {
    const state = states[name];
    if (!state || seen.has(name)) return false;
    if (isTerminalStep(state) || state.Type === 'Succeed' || state.Type === 'Fail') return true;
    seen.add(name);
    return targets(state).some((next) => endsWell(next, new Set(seen)));
  };

  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Task') continue;
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
      problems.push(
        `${name}: a Task without TimeoutSeconds or TimeoutSecondsPath (the default is 99999999 s)`,
      );
    }
    const retried = ((state.Retry as { ErrorEquals?: string[] }[] | undefined) ?? []).flatMap(
      (r) => r.ErrorEquals ?? [],
    );
    const missing = retried.includes('States.ALL')
      ? []
      : TRANSIENT_ERRORS.filter((e) => !retried.includes(e));
    if (missing.length > 0) problems.push(`${name}: no Retry for ${missing.join(', ')}`);
    if (isTerminalStep(state)) continue;
    const catchAll = ((state.Catch as { ErrorEquals?: string[]; Next?: string }[] | undefined) ?? []).find(
      (c) => c.ErrorEquals?.includes('States.ALL'),
    );
    if (!catchAll?.Next) problems.push(`${name}: no Catch for States.ALL`);
    else if (!endsWell(catchAll.Next))
      problems.push(`${name}: its States.ALL Catch does not lead to a terminal step`);
  }
  return problems;
}
