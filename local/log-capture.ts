import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

/**
 * Copies everything written through `console` in this process to a file, as CloudWatch Logs keeps
 * what a Lambda function prints: the functions' JSON lines and EMF metric blobs as they are, anything
 * else with a timestamp and level. Tests scan it for secrets and read a request's lines by its
 * correlation id. Returns a function that undoes it.
 */
export function captureConsole(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, '');
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    console[method] = (...args: unknown[]) => {
      const text = format(...args);
      const line =
        text.startsWith('{') && !text.includes('\n')
          ? text
          : `${new Date().toISOString()} ${method.toUpperCase()} ${text}`;
      appendFileSync(file, `${line}\n`);
      original.apply(console, args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
