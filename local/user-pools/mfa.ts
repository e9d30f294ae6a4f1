/**
 * The MFA model this emulator follows, per user:
 *
 * - the software token (the authenticator: secret + verified flag), set by AssociateSoftwareToken /
 *   VerifySoftwareToken and removed only by AdminDeleteSoftwareToken;
 * - the TOTP preference (enabled, preferred), set by (Admin)SetUserMFAPreference. Verifying a token
 *   enables it ("Marks the user's software token MFA status as verified", VerifySoftwareToken API
 *   reference), so a freshly enrolled user is challenged.
 *
 * Which one sign-in honours depends on the pool:
 * - OFF: no MFA challenge ever.
 * - OPTIONAL: SOFTWARE_TOKEN_MFA when the token is verified and the preference enabled.
 * - ON: SOFTWARE_TOKEN_MFA whenever a verified token exists; MFA_SETUP when none does.
 *   "You can't turn off TOTP MFA for any of your users when MFA is required in your user pool;
 *   you can only set the type that your user prefers" (SoftwareTokenMfaSettingsType API reference):
 *   (Admin)SetUserMFAPreference with Enabled=false answers 200 and changes nothing. That is the trap
 *   this product exists for; AdminGetUser keeps reporting SOFTWARE_TOKEN_MFA truthfully.
 */
import type { MfaMode, User } from './state';

export type MfaChallenge = 'SOFTWARE_TOKEN_MFA' | 'MFA_SETUP' | undefined;

export const hasVerifiedToken = (user: User) => user.softwareToken?.verified === true;

/** The MFA factors AdminGetUser lists in UserMFASettingList. */
export function mfaSettingList(user: User): string[] {
  return hasVerifiedToken(user) && user.totpPreference.enabled ? ['SOFTWARE_TOKEN_MFA'] : [];
}

export function preferredMfa(user: User): string | undefined {
  return hasVerifiedToken(user) && user.totpPreference.enabled && user.totpPreference.preferred
    ? 'SOFTWARE_TOKEN_MFA'
    : undefined;
}

/** The challenge a correct password leads to. */
export function challengeAfterPassword(mode: MfaMode, user: User): MfaChallenge {
  if (mode === 'OFF') return undefined;
  if (mode === 'ON') return hasVerifiedToken(user) ? 'SOFTWARE_TOKEN_MFA' : 'MFA_SETUP';
  return hasVerifiedToken(user) && user.totpPreference.enabled ? 'SOFTWARE_TOKEN_MFA' : undefined;
}

/** Applies an MFA preference as Cognito does; disabling is ignored in MFA-required pools. */
export function applyTotpPreference(
  mode: MfaMode,
  user: User,
  settings: { Enabled?: boolean; PreferredMfa?: boolean } | undefined,
): 'applied' | 'not-verified' {
  if (!settings) return 'applied';
  if (settings.Enabled === true && !hasVerifiedToken(user)) return 'not-verified';
  if (settings.Enabled === false && mode === 'ON') return 'applied';
  if (settings.Enabled !== undefined) user.totpPreference.enabled = settings.Enabled;
  if (settings.PreferredMfa !== undefined)
    user.totpPreference.preferred = settings.PreferredMfa && user.totpPreference.enabled;
  return 'applied';
}
