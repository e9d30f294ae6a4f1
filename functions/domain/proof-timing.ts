/**
 * How long password proofs (AdminInitiateAuth) took lately, so that the answer for an unknown user,
 * who costs no proof, takes about as long as the answer for a known one with a wrong password.
 */
export interface ProofTiming {
  /** Runs a password proof and remembers how long it took. */
  measure<T>(proof: () => Promise<T>): Promise<T>;
  /** Waits as long as one of the recent proofs took, picked at random. */
  imitate(): Promise<void>;
}

/** Proofs remembered: enough to follow Cognito's latency as it drifts, few enough to forget a spike. */
export const PROOFS_REMEMBERED = 32;
/**
 * What an unknown user waits before this process has timed any proof (a cold start): about what an
 * AdminInitiateAuth with a password takes in AWS.
 */
export const FIRST_PROOF_GUESS_MS = 150;

export function createProofTiming(clock: {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}): ProofTiming {
  const recent: number[] = [];
  return {
    async measure(proof) {
      const started = clock.now();
      const result = await proof();
      recent.push(clock.now() - started);
      if (recent.length > PROOFS_REMEMBERED) recent.shift();
      return result;
    },
    async imitate() {
      // One real duration, not an average: the waits spread as the proofs do.
      const picked = recent[Math.floor(clock.random() * recent.length)];
      await clock.sleep(picked ?? FIRST_PROOF_GUESS_MS);
    },
  };
}
