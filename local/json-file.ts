import { readFileSync } from 'node:fs';

/**
 * Reads a local settings file and checks it; a bad file stops `npm start` with the file, the field
 * and what is wrong (`<label> <path>: <problem>; <problem>`).
 */
export function readCheckedJson(
  path: string,
  label: string,
  problemsOf: (raw: unknown) => readonly string[],
): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${label} ${path}: not readable JSON (${(error as Error).message})`);
  }
  const problems = problemsOf(raw);
  if (problems.length > 0) throw new Error(`${label} ${path}: ${problems.join('; ')}`);
  return raw;
}
