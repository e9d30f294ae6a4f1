import type { RecordedCall } from '../../local/iam/aws-calls';

/** A CloudFormation template, as synthesized. */
export interface TemplateJson {
  readonly Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** An identity-policy statement with every intrinsic resolved to local names. */
export interface ResolvedStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditional: boolean;
}

/**
 * What the template's intrinsics stand for in the local stack: `Ref` and `Fn::GetAtt` of a logical
 * id, the pseudo parameters, and names that differ (the deployed state machine is named after its
 * stack, the local one is not).
 */
export interface Bindings {
  readonly refs: Readonly<Record<string, string>>;
  /** `Fn::GetAtt` of a logical id: `id` for its `Arn`, `id.Attribute` for another attribute. */
  readonly arns: Readonly<Record<string, string>>;
  readonly pseudo: Readonly<Record<string, string>>;
  readonly renames?: Readonly<Record<string, string>>;
}

/** Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select` and `Fn::Split` to a string. */
export function resolveValue(value: unknown, bindings: Bindings): string {
  if (typeof value === 'string') return rename(value, bindings);
  if (!value || typeof value !== 'object') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const node = value as Record<string, unknown>;
  if ('Ref' in node) {
    const name = String(node.Ref);
    const bound = bindings.pseudo[name] ?? bindings.refs[name];
    if (bound === undefined) throw new Error(`no local binding for Ref ${name}`);
    return bound;
  }
  if ('Fn::GetAtt' in node) {
    const [id, attribute] = node['Fn::GetAtt'] as [string, string];
    const bound = bindings.arns[attribute === 'Arn' ? id : `${id}.${attribute}`];
    if (bound === undefined) throw new Error(`no local binding for Fn::GetAtt ${id}.${attribute}`);
    return bound;
  }
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return rename(parts.map((part) => resolveValue(part, bindings)).join(separator), bindings);
  }
  if ('Fn::Select' in node) {
    const [index, list] = node['Fn::Select'] as [number | string, unknown];
    const items = Array.isArray(list)
      ? list.map((item) => resolveValue(item, bindings))
      : resolveList(list, bindings);
    const picked = items[Number(index)];
    if (picked === undefined) throw new Error(`Fn::Select ${index} out of range`);
    return picked;
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function resolveList(value: unknown, bindings: Bindings): string[] {
  const node = value as Record<string, unknown>;
  if (node && typeof node === 'object' && 'Fn::Split' in node) {
    const [separator, source] = node['Fn::Split'] as [string, unknown];
    return resolveValue(source, bindings).split(separator);
  }
  throw new Error(`cannot resolve list ${JSON.stringify(value)}`);
}

function rename(text: string, bindings: Bindings): string {
  let out = text;
  for (const [from, to] of Object.entries(bindings.renames ?? {})) out = out.split(from).join(to);
  return out;
}

/** The inline statements of every AWS::IAM::Policy attached to the role `roleId`. */
export function statementsOfRole(
  template: TemplateJson,
  roleId: string,
  bindings: Bindings,
): ResolvedStatement[] {
  return Object.values(template.Resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        ((resource.Properties?.Roles as unknown[]) ?? []).some(
          (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
        ),
    )
    .flatMap((policy) => {
      const document = policy.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] };
      return (document.Statement ?? []).map(
        (statement): ResolvedStatement => ({
          effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
          actions: [statement.Action].flat().map(String),
          resources: [statement.Resource].flat().map((resource) => resolveValue(resource, bindings)),
          conditional: statement.Condition !== undefined,
        }),
      );
    });
}

/** The logical id of the role a Lambda function or state machine runs as. */
export function roleOf(template: TemplateJson, logicalId: string): string {
  const resource = template.Resources[logicalId];
  const role = (resource?.Properties?.Role ?? resource?.Properties?.RoleArn) as
    | { 'Fn::GetAtt'?: [string, string] }
    | undefined;
  const roleId = role?.['Fn::GetAtt']?.[0];
  if (!roleId) throw new Error(`${logicalId} has no role of this template`);
  return roleId;
}

/** IAM's wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

const matches = (statement: ResolvedStatement, action: string, resource: string) =>
  statement.actions.some((pattern) => wildcardMatch(pattern, action, true)) &&
  statement.resources.some((pattern) => wildcardMatch(pattern, resource));

/**
 * IAM's decision for one request against one role's identity policy: an explicit Deny wins, then an
 * unconditional Allow. A conditional Allow is not counted: the recorded calls carry no request
 * context to evaluate it with.
 */
export function isAllowed(
  statements: readonly ResolvedStatement[],
  action: string,
  resource: string,
): boolean {
  if (statements.some((s) => s.effect === 'Deny' && matches(s, action, resource))) return false;
  return statements.some((s) => s.effect === 'Allow' && !s.conditional && matches(s, action, resource));
}

/** A grant kept although the run never used it, and why. */
export interface KeptGrant {
  readonly principal: string | '*';
  readonly action: string;
  readonly resource?: string;
  readonly reason: string;
}

export interface IamCheck {
  /** Calls the principal's policy does not allow: the AccessDenied a deployment would meet. */
  readonly denied: readonly string[];
  /** Grants no recorded call used and no kept reason covers: privilege to take away. */
  readonly unused: readonly string[];
  /** Distinct (principal, action, resource) triples checked and allowed. */
  readonly verified: number;
}

/**
 * Checks every recorded call against its principal's statements in the template, and every granted
 * (action, resource) against the calls.
 */
export function checkCalls(options: {
  readonly template: TemplateJson;
  readonly bindings: Bindings;
  /** Principal name → logical id of the function or state machine. */
  readonly principals: Readonly<Record<string, string>>;
  readonly calls: readonly RecordedCall[];
  readonly kept: readonly KeptGrant[];
}): IamCheck {
  const statementsByPrincipal = new Map<string, ResolvedStatement[]>();
  for (const [principal, logicalId] of Object.entries(options.principals)) {
    statementsByPrincipal.set(
      principal,
      statementsOfRole(options.template, roleOf(options.template, logicalId), options.bindings),
    );
  }
  const distinct = new Map<string, RecordedCall>();
  for (const call of options.calls) distinct.set(`${call.principal} ${call.action} ${call.resource}`, call);
  const denied: string[] = [];
  let verified = 0;
  for (const call of distinct.values()) {
    const statements = statementsByPrincipal.get(call.principal);
    if (!statements) {
      denied.push(`${call.principal}: unknown principal (${call.operation})`);
    } else if (isAllowed(statements, call.action, call.resource)) {
      verified += 1;
    } else {
      denied.push(`${call.principal}: ${call.action} on ${call.resource} (${call.operation}) is not allowed`);
    }
  }
  const unused: string[] = [];
  for (const [principal, statements] of statementsByPrincipal) {
    for (const statement of statements) {
      if (statement.effect !== 'Allow') continue;
      for (const action of statement.actions) {
        for (const resource of statement.resources) {
          const used = [...distinct.values()].some(
            (call) =>
              call.principal === principal &&
              wildcardMatch(action, call.action, true) &&
              wildcardMatch(resource, call.resource),
          );
          const kept = options.kept.some(
            (k) =>
              (k.principal === '*' || k.principal === principal) &&
              wildcardMatch(k.action, action, true) &&
              (k.resource === undefined || wildcardMatch(k.resource, resource)),
          );
          if (!used && !kept) unused.push(`${principal}: ${action} on ${resource}`);
        }
      }
    }
  }
  return { denied: denied.sort(), unused: unused.sort(), verified };
}
