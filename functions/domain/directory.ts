// The user pool's people as the domain sees them: an account, and who is behind an access token.

export interface DirectoryUser {
  readonly username: string;
  readonly sub: string;
  readonly email?: string;
  readonly emailVerified: boolean;
  readonly phoneNumber?: string;
  readonly phoneVerified: boolean;
  readonly enabled: boolean;
  readonly status: string;
  readonly mfa: readonly string[];
  /** Cognito's PreferredMfaSetting, when the user has one. */
  readonly preferredMfa?: string;
  readonly createdAt?: string;
  readonly modifiedAt?: string;
  /** Cognito's standard `zoneinfo` and `locale` attributes, when the account has them. */
  readonly zoneinfo?: string;
  readonly locale?: string;
  /** The pool's custom attributes (`custom:*`) of the user. */
  readonly customAttributes: Readonly<Record<string, string>>;
}

/** The user behind a valid access token, as GetUser tells it (the token authorises the call, not IAM). */
export type SignedInAccount = Pick<
  DirectoryUser,
  'username' | 'sub' | 'email' | 'emailVerified' | 'phoneNumber' | 'phoneVerified' | 'mfa' | 'locale'
>;

/** One sign-in attempt as Cognito threat protection recorded it (AdminListUserAuthEvents). */
export interface SignInEvent {
  readonly at: string;
  readonly type: string;
  /** Pass, Fail or InProgress. */
  readonly response?: string;
  /** Low, Medium or High. */
  readonly riskLevel?: string;
  /** NoRisk, AccountTakeover or Block. */
  readonly riskDecision?: string;
  readonly ipAddress?: string;
  readonly city?: string;
  readonly country?: string;
  readonly device?: string;
}

/** A pool without threat protection keeps no auth events: Cognito answers UserPoolAddOnNotEnabledException. */
export type SignInEvents =
  | { readonly threatProtection: false }
  | { readonly threatProtection: true; readonly events: readonly SignInEvent[] };
