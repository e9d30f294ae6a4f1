import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
  CreateGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPoolFixture } from '../support/user-pool-fixture';
import { signIn } from '../support/users';

let fixture: Awaited<ReturnType<typeof userPoolFixture>>;
/** This file tests the emulator's own surface (JWKS, protocol, persistence): it runs locally only. */
function emulatorUrl(): string {
  if (!fixture.emulator) throw new Error('this test needs the local emulator');
  return fixture.emulator.url;
}

beforeAll(async () => {
  fixture = await userPoolFixture();
});
afterAll(() => fixture.close());

describe('refused sign-ins', () => {
  it('answers a wrong password, an unknown user and a disabled user with NotAuthorizedException', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    await expect(
      signIn(fixture.cognito, pool.stack, { ...user, password: `${user.password}x` }),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(signIn(fixture.cognito, pool.stack, { ...user, username: 'nobody' })).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await fixture.cognito.send(
      new AdminDisableUserCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
    );
    await expect(signIn(fixture.cognito, pool.stack, user)).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
  });

  it('signs in by a verified email alias', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const answer = await signIn(fixture.cognito, pool.stack, { ...user, username: user.email });
    expect(answer.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});

describe('AdminUserGlobalSignOut', () => {
  it('invalidates refresh tokens and access tokens issued before it, not the ones after', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    const before = (await signIn(fixture.cognito, pool.stack, user)).AuthenticationResult;
    await fixture.cognito.send(
      new AdminUserGlobalSignOutCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
    );
    await expect(
      fixture.cognito.send(
        new InitiateAuthCommand({
          ClientId: pool.userPoolClientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: before?.RefreshToken as string },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(
      fixture.cognito.send(new GetUserCommand({ AccessToken: before?.AccessToken })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    const after = (await signIn(fixture.cognito, pool.stack, user)).AuthenticationResult;
    expect(
      (await fixture.cognito.send(new GetUserCommand({ AccessToken: after?.AccessToken }))).Username,
    ).toBe(user.username);
  });
});

describe('finding users', () => {
  it('ListUsers filters by exact email, case-insensitively', async () => {
    const pool = await fixture.createPool('OFF');
    const alice = await fixture.createPlainUser(pool.userPoolId);
    await fixture.createPlainUser(pool.userPoolId);
    const found = await fixture.cognito.send(
      new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: `email = "${alice.email.toUpperCase()}"` }),
    );
    expect(found.Users?.map((u) => u.Username)).toEqual([alice.username]);
    const none = await fixture.cognito.send(
      new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: 'email = "nobody@example.com"' }),
    );
    expect(none.Users).toEqual([]);
    await expect(
      fixture.cognito.send(new ListUsersCommand({ UserPoolId: pool.userPoolId, Filter: 'email is alice' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('AdminGetUser answers UserNotFoundException for an unknown user', async () => {
    const pool = await fixture.createPool('OFF');
    await expect(
      fixture.cognito.send(new AdminGetUserCommand({ UserPoolId: pool.userPoolId, Username: 'nobody' })),
    ).rejects.toMatchObject({ name: 'UserNotFoundException' });
  });
});

describe('groups and JWTs', () => {
  it('puts groups in tokens that aws-jwt-verify accepts against the JWKS', async () => {
    const pool = await fixture.createPool('OFF');
    const user = await fixture.createPlainUser(pool.userPoolId);
    await fixture.cognito.send(
      new CreateGroupCommand({ UserPoolId: pool.userPoolId, GroupName: 'mfa-recovery-support' }),
    );
    await fixture.cognito.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: pool.userPoolId,
        Username: user.username,
        GroupName: 'mfa-recovery-support',
      }),
    );
    const groups = await fixture.cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: user.username }),
    );
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['mfa-recovery-support']);

    const tokens = (await signIn(fixture.cognito, pool.stack, user)).AuthenticationResult;
    const jwks = await (await fetch(`${emulatorUrl()}/${pool.userPoolId}/.well-known/jwks.json`)).json();
    for (const tokenUse of ['access', 'id'] as const) {
      const verifier = CognitoJwtVerifier.create({
        userPoolId: pool.userPoolId,
        tokenUse,
        clientId: pool.userPoolClientId,
      });
      verifier.cacheJwks(jwks as Parameters<JwksCache['addJwks']>[1]);
      const token = tokenUse === 'access' ? tokens?.AccessToken : tokens?.IdToken;
      const claims = await verifier.verify(token as string);
      expect(claims['cognito:groups']).toEqual(['mfa-recovery-support']);
      expect(claims.sub).toEqual(expect.any(String));
    }
    const otherPool = await fixture.createPool('OFF');
    const stranger = CognitoJwtVerifier.create({
      userPoolId: otherPool.userPoolId,
      tokenUse: 'access',
      clientId: null,
    });
    stranger.cacheJwks(
      (await (await fetch(`${emulatorUrl()}/${otherPool.userPoolId}/.well-known/jwks.json`)).json()) as never,
    );
    await expect(stranger.verify(tokens?.AccessToken as string)).rejects.toThrow();
  });
});

describe('the wire protocol', () => {
  it('answers a malformed body with 400 SerializationException and keeps serving', async () => {
    const response = await fetch(emulatorUrl(), {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'SerializationException' });
    expect((await fetch(`${emulatorUrl()}/health`)).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps pools and users in the data file across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cognito-persist-'));
    try {
      const first = await userPoolFixture({ dataFile: join(dir, 'cognito.json') });
      const pool = await first.createPool('OFF');
      const user = await first.createPlainUser(pool.userPoolId);
      await first.close();
      const second = await userPoolFixture({ dataFile: join(dir, 'cognito.json') });
      try {
        const answer = await signIn(second.cognito, pool.stack, user);
        expect(answer.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
