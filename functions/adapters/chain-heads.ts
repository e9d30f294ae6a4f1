import { invocationMap } from '../shared/invocation-scope';

/**
 * A request's audit chain head, kept in its request item (`REQ#<id>` / `META`: `chainSeq`,
 * `chainHead`, `chainEnded`) and moved by every append in the same transaction as the event, under
 * the condition that it is still the head the event links to.
 */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly ended: boolean;
}

/** The request item's attributes that hold the head. */
export const HEAD_FIELDS = { seq: 'chainSeq', hash: 'chainHead', ended: 'chainEnded' } as const;

/** The head a request item holds; undefined for an item written before heads (or no item). */
export function headOf(item: Readonly<Record<string, unknown>> | undefined): ChainHead | undefined {
  const seq = item?.[HEAD_FIELDS.seq];
  const hash = item?.[HEAD_FIELDS.hash];
  if (typeof seq !== 'number' || typeof hash !== 'string') return undefined;
  return { seq, hash, ended: item?.[HEAD_FIELDS.ended] === true };
}

/**
 * The heads the current invocation last read or wrote, by request id: a step that has just read its
 * request (or written it) appends without reading the head again. Only a hint: every append is
 * conditional on the stored head, so a stale entry costs one failed write and a read, never a fork.
 * Outside an invocation (no scope) nothing is kept and every append reads the head.
 */
export function createChainHeads() {
  const heads = () => invocationMap<ChainHead>('chainHeads');
  return {
    get: (requestId: string) => heads()?.get(requestId),
    set: (requestId: string, head: ChainHead) => void heads()?.set(requestId, head),
    forget: (requestId: string) => void heads()?.delete(requestId),
  };
}

export type ChainHeads = ReturnType<typeof createChainHeads>;
