import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { format } from 'node:util';

/**
 * Keeps everything written through `console` in this process in a file, as CloudWatch Logs keeps
 * what a Lambda function prints: the functions' JSON lines and EMF metric blobs as they are (and
 * only there), anything else with a timestamp and level (and on the terminal too). Tests scan it for
 * secrets and read a request's lines by its correlation id. Returns a function that undoes it.
 */
export function captureConsole(file: string): () => void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, '');
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => [method, console[method]] as const);
  for (const [method, original] of originals) {
    console[method] = (...args: unknown[]) => {
      const text = format(...args);
      // The functions' JSON lines and EMF blobs go to the file only, as to CloudWatch Logs; anything
      // else (the stack's own messages) is also shown.
      if (text.startsWith('{') && !text.includes('\n')) {
        appendFileSync(file, `${text}\n`);
        return;
      }
      appendFileSync(file, `${new Date().toISOString()} ${method.toUpperCase()} ${text}\n`);
      original.apply(console, args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
