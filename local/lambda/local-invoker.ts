import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { withEnvironment } from '../../functions/shared/environment';
import { type AwsCallRecorder, runAsFunction } from '../iam/aws-calls';

/** A Lambda handler as the Node.js runtime calls it. */
export type LambdaHandler = (event: unknown, context: LocalLambdaContext) => unknown;

/** The subset of the Lambda context object our handlers may read. */
export interface LocalLambdaContext {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  getRemainingTimeInMillis(): number;
}

/** How to find one function's code: the module file and the exported handler name. */
export interface LocalFunction {
  readonly entry: string;
  readonly handler?: string;
  readonly timeoutSeconds?: number;
}

/** An error as Lambda reports it to its caller: `name` is the `errorType`. */
export class LambdaFunctionError extends Error {
  constructor(errorType: string, message: string) {
    super(message);
    this.name = errorType;
  }
}

/**
 * Invokes handler modules in this process the way the Lambda service would: the payload and the
 * result cross a JSON boundary, a thrown error becomes `{ errorType: error.name }`, and an unknown
 * function answers as Lambda does (`Lambda.ResourceNotFoundException`).
 */
export function createLocalInvoker(options: {
  readonly functions: Readonly<Record<string, LocalFunction>>;
  readonly region: string;
  readonly accountId: string;
  readonly root: string;
  /** Records the AWS calls each function's code makes (the IAM check of the test run). */
  readonly recorder?: AwsCallRecorder;
  /** The stack's environment variables, which its functions' invocations run in. */
  readonly environment: NodeJS.ProcessEnv;
}) {
  const loaded = new Map<string, Promise<LambdaHandler>>();

  const load = (name: string, fn: LocalFunction): Promise<LambdaHandler> => {
    let handler = loaded.get(name);
    if (!handler) {
      const url = pathToFileURL(`${options.root}/${fn.entry}`).href;
      handler = import(url).then((module: Record<string, unknown>) => {
        const exported = module[fn.handler ?? 'handler'];
        if (typeof exported !== 'function') {
          throw new LambdaFunctionError(
            'Lambda.ServiceException',
            `${fn.entry} exports no function ${fn.handler ?? 'handler'}`,
          );
        }
        return exported as LambdaHandler;
      });
      loaded.set(name, handler);
    }
    return handler;
  };

  return async function invokeLambda(functionNameOrArn: string, payload: unknown): Promise<unknown> {
    const name = functionNameOrArn.startsWith('arn:')
      ? (functionNameOrArn.split(':')[6] ?? functionNameOrArn)
      : functionNameOrArn;
    const fn = options.functions[name];
    if (!fn) {
      throw new LambdaFunctionError('Lambda.ResourceNotFoundException', `Function not found: ${name}`);
    }
    const handler = await load(name, fn);
    const deadline = Date.now() + (fn.timeoutSeconds ?? 30) * 1000;
    const context: LocalLambdaContext = {
      awsRequestId: randomUUID(),
      functionName: name,
      invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`,
      memoryLimitInMB: '256',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const event = payload === undefined ? {} : JSON.parse(JSON.stringify(payload));
    let timer: NodeJS.Timeout | undefined;
    // Lambda stops a function at its timeout and reports Sandbox.Timedout to the caller.
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaFunctionError(
              'Sandbox.Timedout',
              `Task timed out after ${fn.timeoutSeconds ?? 30} seconds`,
            ),
          ),
        deadline - Date.now(),
      );
    });
    try {
      const running = runAsFunction(name, options.recorder, () =>
        withEnvironment(options.environment, () => Promise.resolve(handler(event, context))),
      );
      const result = await Promise.race([running, timedOut]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof LambdaFunctionError) throw error;
      if (error instanceof Error) throw new LambdaFunctionError(error.name, error.message);
      throw new LambdaFunctionError('Error', String(error));
    } finally {
      clearTimeout(timer);
    }
  };
}

export type LocalInvoker = ReturnType<typeof createLocalInvoker>;
