/** One email as the local SES emulator stored it. */
export interface StoredEmail {
  readonly messageId: string;
  readonly destination: { readonly to: readonly string[] };
  readonly from: string;
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly at: number;
}

/** Reads the local mailbox (aws-ses-v2-local's `/store`), as a person would read their inbox. */
export function mailbox(sesUrl: string) {
  const all = async (): Promise<StoredEmail[]> => {
    const response = await fetch(`${sesUrl}/store`);
    return ((await response.json()) as { emails: StoredEmail[] }).emails;
  };
  const to = async (address: string) =>
    (await all()).filter((email) => email.destination.to.includes(address));
  return {
    all,
    to,
    /** Waits for the `count`-th email to `address` whose subject matches. */
    async waitFor(address: string, subject: RegExp, count = 1, timeoutMs = 15_000): Promise<StoredEmail> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const matching = (await to(address)).filter((email) => subject.test(email.subject));
        const found = matching[count - 1];
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no email #${count} to ${address} matching ${subject} within ${timeoutMs} ms`);
    },
  };
}

/** The code as the email shows it (`1234 5678`). */
export function codeFrom(email: StoredEmail): string {
  const match = /\b(\d{4} \d{4})\b/.exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error('the email carries no code');
  return match[1];
}

/** The cancel token from the "this was not me" link (it travels in the URL fragment). */
export function cancelTokenFrom(email: StoredEmail): string {
  const match = /#token=([A-Za-z0-9_-]+)/.exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error('the email carries no cancel link');
  return match[1];
}
