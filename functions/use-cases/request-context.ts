import type { RequestStore, Workflow } from '../domain/ports';
import type { RecoveryRequest } from '../domain/recovery';
import { RecoveryNotFoundError } from '../shared/errors';
import { log } from '../shared/log';

/** Reads the request a workflow step works on; a missing one is a bug in the workflow, reported by name. */
export async function requestOf(
  store: Pick<RequestStore, 'getRequest'>,
  requestId: string,
): Promise<RecoveryRequest> {
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

/**
 * After a decision was recorded, wakes the waiting workflow task so it acts at once. The decision
 * does not depend on it: when the wake-up fails, the task reads the decision when its timer ends. So
 * a failure is logged (with its reason), never thrown at the person who decided.
 */
export async function wakeWorkflow(
  requestId: string,
  deps: { readonly store: Pick<RequestStore, 'getRequest'>; readonly workflow: Workflow },
  /** The request as the decider read it before deciding: its wait token saves a read when it still works. */
  readBefore?: { readonly waitToken?: string },
): Promise<'woken' | 'nothing-waiting' | 'failed'> {
  try {
    if (readBefore?.waitToken && (await deps.workflow.wake(readBefore.waitToken))) return 'woken';
    // No token then, or that task had closed: a wait that began since stored a token of its own.
    const request = await deps.store.getRequest(requestId);
    if (!request?.waitToken || request.waitToken === readBefore?.waitToken) return 'nothing-waiting';
    return (await deps.workflow.wake(request.waitToken)) ? 'woken' : 'nothing-waiting';
  } catch (error) {
    log.error(
      'wake-up failed: the decision stands and is read when the wait ends',
      {
        correlationId: requestId,
        reason: 'WAKE_UP_FAILED',
      },
      error,
    );
    return 'failed';
  }
}
