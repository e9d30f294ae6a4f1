import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'SECURITY.md'), 'utf8');

/** Every `test/...ts` "name", "name" reference of the conformance report. */
function references(): { file: string; name: string }[] {
  const found: { file: string; name: string }[] = [];
  for (const match of doc.matchAll(/`(test\/[\w/.-]+\.test\.ts)`((?:\s*,?\s*"[^"]+")+)/g)) {
    for (const name of (match[2] ?? '').matchAll(/"([^"]+)"/g))
      found.push({ file: match[1] as string, name: name[1] as string });
  }
  return found;
}

describe('docs/SECURITY.md', () => {
  it('names tests that exist, by file and test name', () => {
    const refs = references();
    expect(refs.length).toBeGreaterThan(40);
    const missing = refs.filter(({ file, name }) => {
      const path = join(root, file);
      return !existsSync(path) || !readFileSync(path, 'utf8').includes(name);
    });
    expect(missing).toEqual([]);
  });
});
