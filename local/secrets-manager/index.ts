import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { close, createServer, listen } from '../net';

/** One version of a secret and the staging labels it carries. */
interface SecretVersion {
  readonly versionId: string;
  readonly value: string;
  stages: string[];
  readonly createdDate: number;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  versions: SecretVersion[];
}

const TARGET_PREFIX = 'secretsmanager.';

/**
 * A local Secrets Manager for the one thing the product keeps there, the HMAC pepper: CreateSecret,
 * GetSecretValue (by `VersionStage`, default AWSCURRENT) and PutSecretValue (the new value becomes
 * AWSCURRENT and the old one AWSPREVIOUS, as a rotation leaves them). JSON 1.1, errors as AWS names
 * them (`ResourceNotFoundException`).
 */
export async function startSecretsManager(options: { region: string; accountId: string; dataFile?: string }) {
  const secrets = new Map<string, StoredSecret>(
    options.dataFile && existsSync(options.dataFile)
      ? (JSON.parse(readFileSync(options.dataFile, 'utf8')) as StoredSecret[]).map((s) => [s.name, s])
      : [],
  );
  const persist = () => {
    if (options.dataFile)
      writeFileSync(options.dataFile, JSON.stringify([...secrets.values()]), { mode: 0o600 });
  };
  const find = (id: unknown): StoredSecret => {
    const secret = [...secrets.values()].find((s) => s.name === id || s.arn === id);
    if (!secret)
      throw Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        type: 'ResourceNotFoundException',
      });
    return secret;
  };
  const addVersion = (secret: StoredSecret, value: string) => {
    for (const version of secret.versions) {
      version.stages = version.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : [];
    }
    const version = {
      versionId: randomUUID(),
      value,
      stages: ['AWSCURRENT'],
      createdDate: Date.now() / 1000,
    };
    secret.versions.push(version);
    persist();
    return version;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateSecret(body) {
      const name = String(body.Name ?? '');
      if (secrets.has(name)) {
        throw Object.assign(new Error(`The operation failed because the secret ${name} already exists.`), {
          type: 'ResourceExistsException',
        });
      }
      const arn = `arn:aws:secretsmanager:${options.region}:${options.accountId}:secret:${name}-${randomUUID().slice(0, 6)}`;
      const secret: StoredSecret = { arn, name, versions: [] };
      secrets.set(name, secret);
      const version = addVersion(secret, String(body.SecretString ?? ''));
      return { ARN: arn, Name: name, VersionId: version.versionId };
    },
    GetSecretValue(body) {
      const secret = find(body.SecretId);
      const stage = String(body.VersionStage ?? 'AWSCURRENT');
      const version = secret.versions.find((v) => v.stages.includes(stage));
      if (!version) {
        throw Object.assign(
          new Error(`Secrets Manager can't find the specified secret value for staging label: ${stage}`),
          {
            type: 'ResourceNotFoundException',
          },
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        SecretString: version.value,
        VersionStages: version.stages,
        CreatedDate: version.createdDate,
      };
    },
    PutSecretValue(body) {
      const secret = find(body.SecretId);
      const version = addVersion(secret, String(body.SecretString ?? ''));
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.versionId,
        VersionStages: version.stages,
      };
    },
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error & { type?: string }) =>
      answer(response, 400, { __type: error.type ?? 'InternalServiceError', message: error.message }),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (request.method === 'GET') return answer(response, request.url === '/health' ? 200 : 404, {});
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX)
      ? operations[target.slice(TARGET_PREFIX.length)]
      : undefined;
    if (!operation) {
      throw Object.assign(new Error(`Unknown operation ${target}`), { type: 'UnknownOperationException' });
    }
    const body = chunks.length
      ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
      : {};
    return answer(response, 200, operation(body));
  }

  const url = await listen(server);
  return { url, close: () => close(server) };
}

function answer(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
