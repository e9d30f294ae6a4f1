import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../../functions/domain/audit-event-types';
import { TERMINAL_EVENT } from '../../functions/domain/recovery-state';

const schema = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'events.schema.json'), 'utf8'),
) as { properties?: Record<string, { enum?: string[] }>; $defs?: unknown };

/** The `type` enum wherever the schema keeps it. */
function typeEnum(node: unknown): string[] | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const record = node as Record<string, unknown>;
  const type = record.type as { enum?: string[] } | undefined;
  if (type && typeof type === 'object' && Array.isArray(type.enum)) return type.enum;
  for (const value of Object.values(record)) {
    const found = typeEnum(value);
    if (found) return found;
  }
  return undefined;
}

describe('the audit event types', () => {
  it('are the ones docs/events.schema.json publishes, and include every terminal event', () => {
    expect([...AUDIT_EVENT_TYPES].sort()).toEqual([...(typeEnum(schema) ?? [])].sort());
    for (const type of Object.values(TERMINAL_EVENT)) expect(AUDIT_EVENT_TYPES).toContain(type);
  });
});
