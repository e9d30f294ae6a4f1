import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { definitionPath } from '../../statemachine/definition';
import { lintDefinition } from '../../statemachine/lint';

const definition = () => JSON.parse(readFileSync(definitionPath, 'utf8')) as Record<string, unknown>;
const statesOf = (d: Record<string, unknown>) => d.States as Record<string, Record<string, unknown>>;

describe('the workflow definition', () => {
  it('passes the ASL validator and the product lint: reachable states, timeouts, retries, catches to an end', () => {
    expect(lintDefinition(definition())).toEqual([]);
  });

  it('fails on a broken copy: an unreachable state, a Task without timeout, retry or catch, a bad path', () => {
    const broken = definition();
    const states = statesOf(broken);
    states.Orphan = { Type: 'Pass', End: true };
    delete (states.RemoveTotp as Record<string, unknown>).TimeoutSeconds;
    delete (states.SignOutUser as Record<string, unknown>).Catch;
    (states.Advance as Record<string, unknown>).Retry = [];
    (states.LookUpUser as Record<string, unknown>).ResultPath = 'not a path';
    const problems = lintDefinition(broken).join('\n');
    expect(problems).toMatch(/Orphan: not reachable/);
    expect(problems).toMatch(/RemoveTotp: a Task without TimeoutSeconds/);
    expect(problems).toMatch(/SignOutUser: no Catch for States.ALL/);
    expect(problems).toMatch(/Advance: no Retry for Lambda.ServiceException/);
    expect(problems).toMatch(/ResultPath|path/i);
  });

  it('fails when a catch leads nowhere that ends the request', () => {
    const broken = definition();
    const states = statesOf(broken);
    states.Nowhere = { Type: 'Pass', Next: 'Nowhere2' };
    states.Nowhere2 = { Type: 'Pass', Next: 'Nowhere' };
    ((states.Advance as { Catch: { Next: string }[] }).Catch[0] as { Next: string }).Next = 'Nowhere';
    expect(lintDefinition(broken).join('\n')).toMatch(
      /Advance: its States.ALL Catch does not lead to a terminal step/,
    );
  });
});
