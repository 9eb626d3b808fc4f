import type { ErrorCategory } from '../domain/error-category.js';

/**
 * What a stage needs to be run by a team rather than only deployed: where alarms go, what they alarm on,
 * where Terraform keeps its state, and the account limits a deploy must fit. Kept apart from
 * stage-config.ts, which says what the pipeline is; this says how it is operated.
 */

/** The categories alarmed on by themselves: the ones the pipeline cannot heal by retrying. */
export const ALARMED_FAILURE_CATEGORIES = ['PERMANENT', 'UNKNOWN', 'PROCESSING'] as const satisfies readonly ErrorCategory[];
export type AlarmedFailureCategory = (typeof ALARMED_FAILURE_CATEGORIES)[number];

/** Every threshold an alarm uses; each runbook in docs/runbooks/ says what its number means. */
export interface AlarmThresholds {
  /** Alarm when the oldest order on a source queue (order queue, orchestrated queue) waits longer than this. */
  readonly oldestMessageAgeSeconds: number;
  /** Function errors per 5 minutes that raise the alarm. */
  readonly functionErrorsThreshold: number;
  /** Worker failures (`FailuresByCategory`) per 5 minutes, by category, that raise that category's alarm. */
  readonly failuresPerFiveMinutes: Readonly<Record<AlarmedFailureCategory, number>>;
  /** Orders the redrive parks (`MessagesParked`, all categories) per 5 minutes that raise the alarm. */
  readonly parkedPerFiveMinutes: number;
  /** Alarm when the oldest message in the DLQ is older than this: the redrive is not emptying it. */
  readonly deadLetterAgeSeconds: number;
  /** Share of API requests answered 5xx (percent, per 5 minutes) that raises the alarm. */
  readonly api5xxPercent: number;
  /** p99 of the API's latency (ms, per 5 minutes) that raises the alarm. */
  readonly apiLatencyP99Ms: number;
  /**
   * Openings of one dependency's circuit breaker within one alarm period (BREAKER_ALARM_PERIOD_SECONDS,
   * 10 s: the breakers write the metric per second) that raise its alarm.
   */
  readonly breakerOpeningsPerPeriod: number;
  /** Alarm when the oldest event on the pipeline-events queue is older than this (it keeps them 4 days). */
  readonly pipelineEventAgeSeconds: number;
  /** For the outbox (issue 8): how far behind (ms) the relay may read the table's stream. */
  readonly outboxIteratorAgeMs: number;
  /** For the outbox (issue 8): messages in the pipe's DLQ that raise the alarm. */
  readonly outboxDeadLetters: number;
}

/**
 * Where alarms and their OK notices go: a topic the stage creates (KMS-encrypted, optionally with email
 * subscriptions, which each address must confirm) or an existing topic named by its ARN.
 */
export type Notifications =
  | { readonly emails: readonly string[]; readonly existingTopicArn?: undefined }
  | { readonly existingTopicArn: string; readonly emails?: undefined };

/**
 * Where Terraform keeps the stage's state. `s3`: shared, versioned, locked with Terraform's native lock
 * file (`use_lockfile`, Terraform ≥ 1.10; no DynamoDB table); the bucket is created once by hand (see
 * docs/deploy.md). `local`: a file beside the checkout, for a throw-away stage one person deploys.
 */
export type StateBackend =
  { readonly backend: 's3'; readonly bucket: string; readonly key: string; readonly region: string } | { readonly backend: 'local' };

export interface Operations {
  readonly notifications: Notifications;
  /** Base of the runbook links in alarm descriptions: the web address of docs/runbooks in the repository. */
  readonly runbookBaseUrl: string;
  readonly state: StateBackend;
  /**
   * The account's Lambda concurrent-executions quota in the stage's region (Service Quotas, "Concurrent
   * executions"). Synth refuses reservations that would leave fewer than 100 of it unreserved.
   */
  readonly concurrencyQuota: number;
  /** Ship source maps and run with `--enable-source-maps` (readable stack traces; costs INIT time). */
  readonly sourceMaps: boolean;
}

/**
 * Where the runbooks are, as alarm descriptions name them: repository-relative here. Set it to the web
 * address of docs/runbooks in your repository (e.g. `https://github.com/<org>/<repo>/blob/main/docs/runbooks`)
 * so that the links in alarm mails open.
 */
const RUNBOOKS = 'docs/runbooks';

/** The state bucket: one per account, created as docs/deploy.md describes (bucket names are global: change it). */
const STATE_BUCKET = 'orders-pipeline-terraform-state';

/**
 * What synth warns about (not refuses): a stage deployed with shared state (the S3 backend, as dev and prod
 * are) whose alarm topic nobody receives, i.e. no email subscriber and no existing topic. Its alarms fire
 * into a topic that reaches nobody until a team adds its addresses to the stage config.
 */
export function operationsWarnings(stage: string, operations: Operations): string[] {
  const { notifications } = operations;
  if (operations.state.backend !== 's3' || notifications.existingTopicArn !== undefined || (notifications.emails ?? []).length > 0)
    return [];
  return [
    `stage ${stage}: its alarm topic has no subscriber (operations.notifications.emails is empty and no existingTopicArn is set): ` +
      'its alarms reach nobody until addresses are added to the stage config',
  ];
}

export const DEV_ALARMS: AlarmThresholds = {
  oldestMessageAgeSeconds: 900,
  functionErrorsThreshold: 5,
  // Failure simulation is on in dev: alarm on storms, not on every experiment.
  failuresPerFiveMinutes: { PERMANENT: 25, UNKNOWN: 10, PROCESSING: 25 },
  parkedPerFiveMinutes: 25,
  deadLetterAgeSeconds: 6 * 3600,
  api5xxPercent: 5,
  apiLatencyP99Ms: 3000,
  breakerOpeningsPerPeriod: 1,
  pipelineEventAgeSeconds: 3 * 24 * 3600,
  outboxIteratorAgeMs: 5 * 60_000,
  outboxDeadLetters: 1,
};

export const DEV_OPERATIONS: Operations = {
  notifications: { emails: [] },
  runbookBaseUrl: RUNBOOKS,
  state: { backend: 's3', bucket: STATE_BUCKET, key: 'orders/dev.tfstate', region: 'eu-west-1' },
  concurrencyQuota: 1000,
  sourceMaps: true,
};

export const PROD_ALARMS: AlarmThresholds = {
  oldestMessageAgeSeconds: 300,
  functionErrorsThreshold: 1,
  failuresPerFiveMinutes: { PERMANENT: 5, UNKNOWN: 1, PROCESSING: 5 },
  parkedPerFiveMinutes: 1,
  // The redrive retries a dead letter up to redriveMaxAttempts times with up to 15 minutes between tries.
  deadLetterAgeSeconds: 2 * 3600,
  api5xxPercent: 1,
  apiLatencyP99Ms: 1500,
  breakerOpeningsPerPeriod: 1,
  pipelineEventAgeSeconds: 24 * 3600,
  outboxIteratorAgeMs: 60_000,
  outboxDeadLetters: 1,
};

export const PROD_OPERATIONS: Operations = {
  notifications: { emails: [] },
  runbookBaseUrl: RUNBOOKS,
  state: { backend: 's3', bucket: STATE_BUCKET, key: 'orders/prod.tfstate', region: 'eu-west-1' },
  concurrencyQuota: 1000,
  // ~8 % more INIT time for stack traces nobody reads in prod; logs carry error codes and categories.
  sourceMaps: false,
};

/** A throw-away stage for one engineer: local state, nothing shared. */
export const SANDBOX_OPERATIONS: Operations = {
  ...DEV_OPERATIONS,
  state: { backend: 'local' },
};

/** Lambda refuses any reservation that leaves fewer than this many concurrent executions unreserved. */
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

/**
 * Why `reservations` (function → reserved concurrency) cannot be deployed in an account whose quota is
 * `quota`, or undefined when they can. No reservation at all always fits (new accounts have a quota of 10).
 */
export function concurrencyProblem(stage: string, quota: number, reservations: Readonly<Record<string, number>>): string | undefined {
  const reserved = Object.values(reservations).reduce((sum, value) => sum + value, 0);
  if (reserved === 0 || quota - reserved >= MINIMUM_UNRESERVED_CONCURRENCY) return undefined;
  const listed = Object.entries(reservations)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');
  return (
    `the functions of stage ${stage} reserve ${reserved} concurrent executions (${listed}) of the account's quota of ${quota} ` +
    `(operations.concurrencyQuota), leaving ${quota - reserved} unreserved where Lambda needs at least ${MINIMUM_UNRESERVED_CONCURRENCY}: ` +
    `ask for a quota of at least ${reserved + MINIMUM_UNRESERVED_CONCURRENCY} (Service Quotas → AWS Lambda → Concurrent executions) and set it here, or reserve less`
  );
}

/** Every reason the operations settings cannot be used as they are (empty when they can). */
export function operationsProblems(operations: Operations, alarms: AlarmThresholds): string[] {
  const problems: string[] = [];
  const { notifications, state } = operations;
  if (
    notifications.existingTopicArn !== undefined &&
    !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(notifications.existingTopicArn)
  ) {
    problems.push('operations.notifications.existingTopicArn must be an SNS topic ARN');
  }
  for (const email of notifications.emails ?? []) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push(`operations.notifications.emails: ${email} is not an email address`);
  }
  if (state.backend === 's3' && (state.bucket === '' || state.key === '' || state.region === '')) {
    problems.push('operations.state needs a bucket, a key and a region for the s3 backend');
  }
  if (!Number.isInteger(operations.concurrencyQuota) || operations.concurrencyQuota < 10)
    problems.push('operations.concurrencyQuota must be a whole number of at least 10');
  for (const [name, value] of Object.entries(alarms)) {
    const values = typeof value === 'number' ? [value] : Object.values(value as Record<string, number>);
    if (values.some((threshold) => !(threshold >= 0))) problems.push(`alarms.${name} must not be negative`);
  }
  return problems;
}
