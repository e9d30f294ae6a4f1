import type { StackInfo } from '../../local/stack-info';
import type { httpClient } from './http-client';
import { stackClients } from './stack-clients';
import { signInWithTotp, type TestUser } from './users';

/** An access token of a staff member: a seeded one by name (sam, sara: support; audrey: auditor) or a test user. */
export async function staffToken(stack: StackInfo, person: TestUser | string): Promise<string> {
  const user =
    typeof person === 'string'
      ? (stack.users.find((u) => u.username === person) as TestUser | undefined)
      : person;
  if (!user) throw new Error(`no seeded user ${String(person)}`);
  const { cognito } = stackClients(stack);
  // Staff sign in with the staff client, in the staff pool (the user pool unless separate).
  const staffSide = { ...stack, userPoolId: stack.staffUserPoolId, userPoolClientId: stack.staffClientId };
  return (await signInWithTotp(cognito, staffSide, { ...user })).AccessToken as string;
}

/** Approves or denies through the support API, with a token when given and the checklist items ticked. */
export function decide(
  api: ReturnType<typeof httpClient>,
  requestId: string,
  verb: 'approve' | 'deny',
  token?: string,
  reason = 'verified by phone call',
  checklist?: readonly string[],
) {
  return api.post(
    `/support/approvals/${requestId}/${verb}`,
    { reason, ...(checklist ? { checklist } : {}) },
    token ? { authorization: `Bearer ${token}` } : {},
  );
}

/** The pending approval of one request as the support list shows it. */
export async function pendingApproval(api: ReturnType<typeof httpClient>, token: string, requestId: string) {
  const listed = await api.get('/support/approvals?status=PENDING&limit=100', {
    authorization: `Bearer ${token}`,
  });
  if (listed.status !== 200) throw new Error(`support list answered ${listed.status}`);
  return (listed.json as { items: Record<string, unknown>[] }).items.find((i) => i.requestId === requestId);
}
