import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The workflow's ASL file: the single source of truth, run as-is locally and deployed as-is by CDK. */
export const definitionPath = join(import.meta.dirname, 'recovery.asl.json');

/** Names the definition expects in DefinitionSubstitutions, in the order they first appear. */
export function substitutionNames(text = readFileSync(definitionPath, 'utf8')): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((match) => match[1] as string))];
}

/** Applies DefinitionSubstitutions as CloudFormation does; a missing value is an error, not a silent blank. */
export function loadDefinition(substitutions: Readonly<Record<string, string>>): string {
  const text = readFileSync(definitionPath, 'utf8');
  const missing = substitutionNames(text).filter((name) => !(name in substitutions));
  if (missing.length > 0) throw new Error(`definition substitutions missing: ${missing.join(', ')}`);
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => substitutions[name] as string);
}
