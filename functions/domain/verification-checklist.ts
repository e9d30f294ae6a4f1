import * as z from 'zod';

/**
 * What support checks before deciding, in the operator's words (CDK prop `verificationChecklist`,
 * locally local/local-config.ts). Each decision records the items the person ticked; nothing else may
 * be ticked. Empty: no checklist.
 */
export const verificationChecklistSchema = z
  .array(z.string().trim().min(1).max(200))
  .max(20)
  .refine((items) => new Set(items).size === items.length, 'items must differ');

/** The items ticked that the checklist does not hold (none: the ticks are valid). */
export function unknownChecklistItems(checklist: readonly string[], ticked: readonly string[]): string[] {
  return ticked.filter((item) => !checklist.includes(item));
}
