import { createApprovalStore } from '../adapters/approval-store';
import { createAuditLog } from '../adapters/audit-log';
import { createAuditReader } from '../adapters/audit-reader';
import { createChainHeads } from '../adapters/chain-heads';
import { createCognitoBudget } from '../adapters/cognito-budget';
import { createDayChain } from '../adapters/day-chain';
import { createEventPublisher, MAX_EVENTS_PER_PUT } from '../adapters/event-publisher';
import { createMailer } from '../adapters/mailer';
import { createPepperSource } from '../adapters/pepper';
import { createRateLimiter } from '../adapters/rate-limiter';
import { createRecoveryCodeStore } from '../adapters/recovery-code-store';
import { createRecoveryStore } from '../adapters/recovery-store';
import { createTexter } from '../adapters/texter';
import { createUserDirectory } from '../adapters/user-directory';
import { createUserHistory } from '../adapters/user-history';
import { createWorkflow } from '../adapters/workflow';
import { cognitoClient } from '../clients/cognito';
import { documentClient } from '../clients/dynamodb';
import { eventBridgeClient } from '../clients/eventbridge';
import { secretsClient } from '../clients/secrets-manager';
import { sesClient } from '../clients/ses';
import { sfnClient } from '../clients/sfn';
import { snsClient } from '../clients/sns';
import { metricsOf } from '../domain/business-metrics';
import type { BudgetCaller, CognitoBudget } from '../domain/cognito-budget';
import { createVoices } from '../domain/emails';
import { createProofTiming } from '../domain/proof-timing';
import type { AuditEventPublishing } from '../use-cases/publish-audit-events';
import { loadConfig, type Settings } from './config';
import { perEnvironment } from './environment';
import { ConfigError } from './errors';
import { log } from './log';
import { publishMetric } from './observability';

type Base = Pick<Settings, 'region' | 'endpoints' | 'requestTimeoutMs' | 'eventBusName'>;

/** The real clock; use cases take it as a dependency so tests can move time. */
export const systemClock = () => new Date();

// Factories that wire adapters to the module-scope SDK clients: handlers call them once at cold start.
/**
 * The audit chain heads the current invocation last read or wrote, shared by the recovery store (which
 * reads them with a request) and the audit log (which moves them): only hints, every append is
 * conditional.
 */
const chainHeads = createChainHeads();

export const recoveryStoreFrom = (config: Base & Pick<Settings, 'recoveryTableName'>) =>
  createRecoveryStore(documentClient(config), config.recoveryTableName, chainHeads);

export const approvalStoreFrom = (config: Base & Pick<Settings, 'recoveryTableName'>) =>
  createApprovalStore(documentClient(config), config.recoveryTableName);

export const auditLogFrom = (config: Base & Pick<Settings, 'auditTableName' | 'recoveryTableName'>) =>
  createAuditLog(
    documentClient(config),
    config.auditTableName,
    systemClock,
    (event) => {
      for (const point of metricsOf(event))
        publishMetric(point.name, point.value, point.unit, point.dimensions);
    },
    { requestTable: config.recoveryTableName, heads: chainHeads },
  );

/**
 * Publishing the audit table's stream to the bus (publish-audit-events). An event not published is
 * counted (AuditEventsNotPublished) and logged with its id and the error code, never its body.
 */
export const auditEventPublishingFrom = (
  config: Base & Pick<Settings, 'auditTableName'>,
): AuditEventPublishing => {
  if (!config.eventBusName) throw new ConfigError('invalid configuration: EVENT_BUS_NAME: Required');
  return {
    days: createDayChain(documentClient(config), config.auditTableName),
    notLinked: (event, reason) => {
      publishMetric('AuditDayLinksNotWritten', 1, 'Count');
      log.error('AuditDayLinkNotWritten', { correlationId: event.requestId, reason });
    },
    maxPerPublish: MAX_EVENTS_PER_PUT,
    publish: createEventPublisher(eventBridgeClient(config), config.eventBusName),
    notPublished: (event, reason) => {
      publishMetric('AuditEventsNotPublished', 1, 'Count');
      log.error('AuditEventNotPublished', {
        correlationId: event.requestId,
        eventId: event.eventId,
        reason,
      });
    },
  };
};

export const auditReaderFrom = (config: Base & Pick<Settings, 'auditTableName'>) =>
  createAuditReader(documentClient(config), config.auditTableName);

/** An account's earlier requests, from the audit table's by-sub index (the support list). */
export const userHistoryFrom = (config: Base & Pick<Settings, 'auditTableName'>) =>
  createUserHistory(documentClient(config), config.auditTableName);

export const recoveryCodeStoreFrom = (config: Base & Pick<Settings, 'recoveryTableName'>) =>
  createRecoveryCodeStore(documentClient(config), config.recoveryTableName);

export const rateLimiterFrom = (config: Base & Pick<Settings, 'recoveryTableName'>) =>
  createRateLimiter(documentClient(config), config.recoveryTableName);

/**
 * The product's share of the Cognito quotas, as `caller` may use it (domain/cognito-budget.ts). Each
 * refusal is counted: CognitoBudgetSpent without a dimension (the alarm) and by `category`.
 */
export const cognitoBudgetFrom = (
  config: Base & Pick<Settings, 'recoveryTableName' | 'cognitoBudget'>,
  caller: BudgetCaller,
) =>
  createCognitoBudget(documentClient(config), config.recoveryTableName, {
    limits: config.cognitoBudget,
    caller,
    onSpent: (categories) => {
      publishMetric('CognitoBudgetSpent', 1, 'Count');
      for (const category of categories) publishMetric('CognitoBudgetSpent', 1, 'Count', { category });
    },
  });

/** The user pool; the calls only its answers reveal (further pages, each device) take from `budget`. */
export const userDirectoryFrom = (config: Base & Pick<Settings, 'userPoolId'>, budget: CognitoBudget) =>
  createUserDirectory(cognitoClient(config), config.userPoolId, budget);

/**
 * How the product speaks to each reader, the same in every email and text: the account's language
 * (else the operator's default), the operator's overrides, product name, support contact and logo.
 */
const makeVoices = () => {
  const brand = loadConfig([
    'productName',
    'supportUrl',
    'supportContactEmail',
    'defaultLanguage',
    'messageOverrides',
    'brandLogoFile',
    'publicBaseUrl',
  ]);
  const logo = brand.brandLogoFile?.toLowerCase().endsWith('.png') ? 'logo.png' : 'logo.svg';
  return createVoices({
    defaultLanguage: brand.defaultLanguage,
    overrides: brand.messageOverrides,
    signature: {
      productName: brand.productName,
      supportUrl: brand.supportUrl,
      supportEmail: brand.supportContactEmail,
      logoUrl: brand.brandLogoFile ? `${brand.publicBaseUrl}/assets/${logo}` : undefined,
    },
  });
};

// One set per environment: the mailer and the texter of a function speak with the same translators.
const voices = perEnvironment(makeVoices);

export const mailerFrom = (config: Base & Pick<Settings, 'fromAddress'>) => {
  const names = loadConfig(['fromName', 'productName']);
  return createMailer(sesClient(config), config.fromAddress, {
    fromName: names.fromName ?? names.productName,
    voices: voices(),
  });
};

/** Text messages to the account's verified phone number, in the account's language, signed like the emails. */
export const texterFrom = (config: Base) => createTexter(snsClient(config), voices());

export const workflowFrom = (config: Base & Pick<Settings, 'stateMachineArn'>) =>
  createWorkflow(sfnClient(config), config.stateMachineArn);

export const pepperFrom = (config: Base & Pick<Settings, 'pepperSecretArn' | 'pepperMaxAgeSeconds'>) =>
  createPepperSource(config.pepperSecretArn, secretsClient(config), config.pepperMaxAgeSeconds);

/** What the confirm and cancel handlers share: they settle a challenge and resume the workflow. */
export const challengeConfigNeeds = [
  'recoveryTableName',
  'auditTableName',
  'stateMachineArn',
  'pepperSecretArn',
  'pepperMaxAgeSeconds',
] as const;

export const challengeDepsFrom = (config: Base & Pick<Settings, (typeof challengeConfigNeeds)[number]>) => ({
  store: recoveryStoreFrom(config),
  audit: auditLogFrom(config),
  workflow: workflowFrom(config),
  pepper: pepperFrom(config),
  clock: systemClock,
});

/** What ends a request: the workflow's Finish steps and the reconciler. */
export const finishConfigNeeds = [
  'recoveryTableName',
  'auditTableName',
  'fromAddress',
  'userPoolId',
  'cognitoBudget',
  'maxCodeAttempts',
  'publicBaseUrl',
] as const;

export const finishDepsFrom = (config: Base & Pick<Settings, (typeof finishConfigNeeds)[number]>) => {
  const cognitoBudget = cognitoBudgetFrom(config, 'workflow');
  return {
    store: recoveryStoreFrom(config),
    audit: auditLogFrom(config),
    mailer: mailerFrom(config),
    texter: texterFrom(config),
    approvals: approvalStoreFrom(config),
    directory: userDirectoryFrom(config, cognitoBudget),
    cognitoBudget,
    clock: systemClock,
    maxCodeAttempts: config.maxCodeAttempts,
    publicBaseUrl: config.publicBaseUrl,
  };
};

/** What the workflow steps that read the user pool share. */
export const directoryStepDepsFrom = (
  config: Base & Pick<Settings, 'recoveryTableName' | 'auditTableName' | 'userPoolId' | 'cognitoBudget'>,
) => {
  const cognitoBudget = cognitoBudgetFrom(config, 'workflow');
  return {
    store: recoveryStoreFrom(config),
    audit: auditLogFrom(config),
    directory: userDirectoryFrom(config, cognitoBudget),
    cognitoBudget,
  };
};

/** Real time for the password proofs' timing (domain/proof-timing.ts). */
export const proofTimingFrom = () =>
  createProofTiming({
    now: () => performance.now(),
    sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
  });
