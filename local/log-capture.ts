import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

/**
 * Copies everything written through `console` in this process to a file, as CloudWatch Logs keeps
 * what a Lambda function prints; tests scan it for secrets. Returns a function that undoes it.
 */
export function captureConsole(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, '');
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    console[method] = (...args: unknown[]) => {
      appendFileSync(file, `${new Date().toISOString()} ${method.toUpperCase()} ${format(...args)}\n`);
      original.apply(console, args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
