import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Body, CallContext, EmulatorContext, Operation } from './context';
import { CognitoError, invalidParameter, notAuthorized, requireStrings } from './errors';
import { applyTotpPreference, challengeAfterPassword, mfaSettingList } from './mfa';
import { type AppClient, checkPassword, hashPassword, type Pool, type User } from './state';
import { recordSignIn, signInContext } from './threat-protection';
import { decodeJwt, signJwt } from './tokens';
import { newTotpSecret, verifyTotp } from './totp';

const TOKEN_SECONDS = 3600;
const REFRESH_SECONDS = 30 * 86_400;
const MAX_CHALLENGE_FAILURES = 5;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

type SignInCaller = ReturnType<typeof signInContext>;

/** Sign-in flows, challenges, TOTP enrolment and sign-out. */
export function authOperations(ctx: EmulatorContext): Record<string, Operation> {
  function issueTokens(
    pool: Pool,
    clientId: string,
    user: User,
    originJti: string = randomUUID(),
    withRefresh = true,
    // A refresh keeps the time of the authentication it descends from, as Cognito's auth_time does.
    authTime: number = Math.floor(Date.now() / 1000),
  ) {
    const iat = Math.floor(Date.now() / 1000);
    if (!user.activeOrigins.includes(originJti)) user.activeOrigins.push(originJti);
    const common = {
      sub: user.sub,
      ...(user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {}),
      iss: ctx.issuer(pool.id),
      origin_jti: originJti,
      event_id: randomUUID(),
      auth_time: authTime,
      iat,
      exp: iat + TOKEN_SECONDS,
    };
    const accessToken = signJwt(pool.signingKey, {
      ...common,
      client_id: clientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      jti: randomUUID(),
      username: user.username,
    });
    const idToken = signJwt(pool.signingKey, {
      ...common,
      aud: clientId,
      token_use: 'id',
      jti: randomUUID(),
      'cognito:username': user.username,
      ...(user.attributes.email ? { email: user.attributes.email } : {}),
      ...(user.attributes.email_verified
        ? { email_verified: user.attributes.email_verified === 'true' }
        : {}),
    });
    let refreshToken: string | undefined;
    if (withRefresh) {
      refreshToken = randomBytes(96).toString('base64url');
      user.refreshTokens[sha256(refreshToken)] = {
        originJti,
        clientId,
        expiresAt: iat + REFRESH_SECONDS,
        authTime,
      };
    }
    ctx.persist();
    return {
      ChallengeParameters: {},
      AuthenticationResult: {
        AccessToken: accessToken,
        IdToken: idToken,
        ...(refreshToken ? { RefreshToken: refreshToken } : {}),
        ExpiresIn: TOKEN_SECONDS,
        TokenType: 'Bearer',
      },
    };
  }

  /** Resolves the user behind an access token, refusing expired and revoked ones. */
  function fromAccessToken(token: unknown): { pool: Pool; user: User } {
    const claims = typeof token === 'string' ? decodeJwt(token) : undefined;
    const poolId = typeof claims?.iss === 'string' ? claims.iss.split('/').pop() : undefined;
    const pool = poolId ? ctx.state.pools[poolId] : undefined;
    const user =
      pool && typeof claims?.username === 'string' ? ctx.findUser(pool, claims.username) : undefined;
    if (!claims || !pool || !user || claims.token_use !== 'access')
      throw notAuthorized('Invalid Access Token');
    if (Number(claims.exp) < Date.now() / 1000) throw notAuthorized('Access Token has expired');
    if (!user.activeOrigins.includes(String(claims.origin_jti)))
      throw notAuthorized('Access Token has been revoked');
    return { pool, user };
  }

  function passwordAuth(
    pool: Pool,
    clientId: string,
    username: string,
    password: string,
    caller: SignInCaller,
  ) {
    const user = ctx.findUser(pool, username);
    if (!user) throw notAuthorized();
    const passwordCorrect = checkPassword(user.password, password);
    if (!passwordCorrect || !user.enabled) {
      recordSignIn(pool, user, { response: 'Fail', passwordCorrect }, caller);
      ctx.persist();
      throw notAuthorized(passwordCorrect ? 'User is disabled.' : undefined);
    }
    const result = passwordAccepted(pool, clientId, user);
    recordSignIn(
      pool,
      user,
      { response: 'AuthenticationResult' in result ? 'Pass' : 'InProgress', passwordCorrect: true },
      caller,
    );
    ctx.persist();
    return result;
  }

  function passwordAccepted(pool: Pool, clientId: string, user: User) {
    if (user.status === 'FORCE_CHANGE_PASSWORD') {
      const session = ctx.newSession({
        poolId: pool.id,
        clientId,
        username: user.username,
        challenge: 'NEW_PASSWORD_REQUIRED',
      });
      return {
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: session,
        ChallengeParameters: {
          USER_ID_FOR_SRP: user.username,
          requiredAttributes: '[]',
          userAttributes: '{}',
        },
      };
    }
    return afterPassword(pool, clientId, user);
  }

  function afterPassword(pool: Pool, clientId: string, user: User) {
    const challenge = challengeAfterPassword(pool.mfaConfiguration, user);
    if (!challenge) return issueTokens(pool, clientId, user);
    const session = ctx.newSession({ poolId: pool.id, clientId, username: user.username, challenge });
    return {
      ChallengeName: challenge,
      Session: session,
      ChallengeParameters:
        challenge === 'MFA_SETUP'
          ? { MFAS_CAN_SETUP: '["SOFTWARE_TOKEN_MFA"]', USER_ID_FOR_SRP: user.username }
          : { USER_ID_FOR_SRP: user.username },
    };
  }

  function refreshAuth(pool: Pool, clientId: string, refreshToken: unknown) {
    if (typeof refreshToken !== 'string') throw invalidParameter('REFRESH_TOKEN is required');
    const hash = sha256(refreshToken);
    for (const user of Object.values(pool.users)) {
      const stored = user.refreshTokens[hash];
      if (!stored) continue;
      if (stored.clientId !== clientId) break;
      if (!user.enabled) throw notAuthorized('User is disabled.');
      if (stored.expiresAt < Date.now() / 1000) throw notAuthorized('Refresh Token has expired');
      return issueTokens(pool, clientId, user, stored.originJti, false, stored.authTime ?? 0);
    }
    throw notAuthorized('Refresh Token has been revoked');
  }

  function initiate(
    pool: Pool,
    clientId: string,
    flow: unknown,
    parameters: Record<string, string>,
    allowed: string[],
    caller: SignInCaller,
  ) {
    const requireFlow = (name: string) => {
      if (!allowed.includes(name)) throw invalidParameter(`${String(flow)} flow not enabled for this client`);
    };
    switch (flow) {
      case 'USER_PASSWORD_AUTH':
        requireFlow('ALLOW_USER_PASSWORD_AUTH');
        return passwordAuth(pool, clientId, parameters.USERNAME ?? '', parameters.PASSWORD ?? '', caller);
      case 'ADMIN_USER_PASSWORD_AUTH':
      case 'ADMIN_NO_SRP_AUTH':
        requireFlow('ALLOW_ADMIN_USER_PASSWORD_AUTH');
        return passwordAuth(pool, clientId, parameters.USERNAME ?? '', parameters.PASSWORD ?? '', caller);
      case 'REFRESH_TOKEN_AUTH':
      case 'REFRESH_TOKEN':
        requireFlow('ALLOW_REFRESH_TOKEN_AUTH');
        return refreshAuth(pool, clientId, parameters.REFRESH_TOKEN);
      default:
        throw invalidParameter(`Unsupported auth flow ${String(flow)}`);
    }
  }

  const initiateWith = (pool: Pool, client: AppClient, body: Body, call: CallContext) =>
    initiate(
      pool,
      client.clientId,
      body.AuthFlow,
      (body.AuthParameters as Record<string, string>) ?? {},
      client.explicitAuthFlows,
      signInContext(body, call),
    );

  function respond(body: Body) {
    const { pool, client } = ctx.client(body);
    const session = ctx.takeSession(body.Session);
    if (session.clientId !== client.clientId || session.challenge !== body.ChallengeName) {
      throw notAuthorized('Invalid session for the user, session is expired.');
    }
    const user = ctx.findUser(pool, session.username);
    if (!user?.enabled) throw notAuthorized();
    const responses = (body.ChallengeResponses as Record<string, string> | undefined) ?? {};
    const sessionId = body.Session as string;
    switch (session.challenge) {
      case 'SOFTWARE_TOKEN_MFA': {
        const secret = user.softwareToken?.verified ? user.softwareToken.secret : undefined;
        if (!secret || !verifyTotp(secret, responses.SOFTWARE_TOKEN_MFA_CODE ?? '')) {
          session.failures += 1;
          if (session.failures >= MAX_CHALLENGE_FAILURES) ctx.sessions.delete(sessionId);
          throw new CognitoError('CodeMismatchException', 'Invalid code received for user');
        }
        ctx.sessions.delete(sessionId);
        return issueTokens(pool, client.clientId, user);
      }
      case 'MFA_SETUP': {
        if (!session.setupVerified)
          throw invalidParameter('The software token has not been verified for this session.');
        ctx.sessions.delete(sessionId);
        return issueTokens(pool, client.clientId, user);
      }
      case 'NEW_PASSWORD_REQUIRED': {
        const password = responses.NEW_PASSWORD;
        if (!password) throw invalidParameter('NEW_PASSWORD is required');
        user.password = hashPassword(password);
        user.status = 'CONFIRMED';
        ctx.sessions.delete(sessionId);
        return afterPassword(pool, client.clientId, user);
      }
    }
  }

  /** The MFA_SETUP session chain: Associate and Verify each take a session and hand out the next. */
  function setupSession(id: unknown) {
    const session = ctx.takeSession(id);
    if (session.challenge !== 'MFA_SETUP')
      throw notAuthorized('Invalid session for the user, session is expired.');
    const pool = ctx.state.pools[session.poolId];
    const user = pool ? ctx.findUser(pool, session.username) : undefined;
    if (!pool || !user) throw notAuthorized();
    return { session, pool, user };
  }

  return {
    InitiateAuth(body, call) {
      const { pool, client } = ctx.client(body);
      return initiateWith(pool, client, body, call);
    },

    AdminInitiateAuth(body, call) {
      const pool = ctx.pool(body);
      const { client } = ctx.client(body);
      if (client.userPoolId !== pool.id)
        throw invalidParameter('The client does not belong to this user pool');
      return initiateWith(pool, client, body, call);
    },

    RespondToAuthChallenge: respond,

    AdminRespondToAuthChallenge(body) {
      const pool = ctx.pool(body);
      const { client } = ctx.client(body);
      if (client.userPoolId !== pool.id)
        throw invalidParameter('The client does not belong to this user pool');
      return respond(body);
    },

    AssociateSoftwareToken(body) {
      if ((body.AccessToken === undefined) === (body.Session === undefined)) {
        throw invalidParameter('Provide either AccessToken or Session, not both');
      }
      const secret = newTotpSecret();
      if (body.AccessToken !== undefined) {
        const { user } = fromAccessToken(body.AccessToken);
        user.pendingSecret = secret;
        ctx.persist();
        return { SecretCode: secret };
      }
      const { session, user } = setupSession(body.Session);
      user.pendingSecret = secret;
      ctx.sessions.delete(body.Session as string);
      const next = ctx.newSession({
        poolId: session.poolId,
        clientId: session.clientId,
        username: user.username,
        challenge: 'MFA_SETUP',
      });
      return { SecretCode: secret, Session: next };
    },

    VerifySoftwareToken(body) {
      requireStrings(body, 'UserCode');
      const target =
        body.AccessToken !== undefined
          ? { ...fromAccessToken(body.AccessToken), session: undefined }
          : setupSession(body.Session);
      const { user } = target;
      const secret = user.pendingSecret;
      if (!secret)
        throw invalidParameter('Software token has not been associated: call AssociateSoftwareToken first.');
      if (!verifyTotp(secret, body.UserCode as string)) {
        throw new CognitoError('EnableSoftwareTokenMFAException', 'Code mismatch');
      }
      user.softwareToken = {
        secret,
        verified: true,
        ...(typeof body.FriendlyDeviceName === 'string' ? { friendlyName: body.FriendlyDeviceName } : {}),
      };
      delete user.pendingSecret;
      user.totpPreference = { enabled: true, preferred: user.totpPreference.preferred };
      ctx.persist();
      if (!target.session) return { Status: 'SUCCESS' };
      ctx.sessions.delete(body.Session as string);
      const next = ctx.newSession({
        poolId: target.session.poolId,
        clientId: target.session.clientId,
        username: user.username,
        challenge: 'MFA_SETUP',
      });
      const stored = ctx.sessions.get(next);
      if (stored) stored.setupVerified = true;
      return { Status: 'SUCCESS', Session: next };
    },

    SetUserMFAPreference(body) {
      const { pool, user } = fromAccessToken(body.AccessToken);
      const outcome = applyTotpPreference(
        pool.mfaConfiguration,
        user,
        body.SoftwareTokenMfaSettings as never,
      );
      if (outcome === 'not-verified') throw invalidParameter('User has not verified software token mfa');
      ctx.persist();
      return {};
    },

    GetUser(body) {
      const { user } = fromAccessToken(body.AccessToken);
      return {
        Username: user.username,
        UserAttributes: Object.entries({ sub: user.sub, ...user.attributes }).map(([Name, Value]) => ({
          Name,
          Value,
        })),
        UserMFASettingList: mfaSettingList(user),
      };
    },

    GlobalSignOut(body) {
      const { user } = fromAccessToken(body.AccessToken);
      user.activeOrigins = [];
      user.refreshTokens = {};
      ctx.persist();
      return {};
    },

    RevokeToken(body) {
      const { pool } = ctx.client(body);
      const hash = sha256(String(body.Token ?? ''));
      for (const user of Object.values(pool.users)) {
        const stored = user.refreshTokens[hash];
        if (!stored) continue;
        delete user.refreshTokens[hash];
        user.activeOrigins = user.activeOrigins.filter((origin) => origin !== stored.originJti);
        ctx.persist();
      }
      return {};
    },
  };
}
