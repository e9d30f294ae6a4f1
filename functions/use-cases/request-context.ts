import type { RecoveryRequest, RecoveryStore } from '../adapters/recovery-store';
import { RecoveryNotFoundError } from '../shared/errors';

/** Reads the request a workflow step works on; a missing one is a bug in the workflow, reported by name. */
export async function requestOf(store: RecoveryStore, requestId: string): Promise<RecoveryRequest> {
  const request = await store.getRequest(requestId);
  if (!request) throw new RecoveryNotFoundError(`request ${requestId} does not exist`);
  return request;
}

/** The identity fields every audit record about a request carries. */
export const auditSubject = (request: { requestId: string; username: string; sub: string }) => ({
  requestId: request.requestId,
  username: request.username,
  userSub: request.sub,
});
