import { RETRY_POLICIES, isErrorCategory, type ErrorCategory } from './error-category.js';

/** Names of the SQS message attributes the pipeline writes and reads. */
export const MESSAGE_ATTRIBUTES = {
  orderId: 'orderId',
  idempotencyKey: 'idempotencyKey',
  correlationId: 'correlationId',
  schemaVersion: 'schemaVersion',
  errorCategory: 'errorCategory',
  errorCode: 'errorCode',
  attempts: 'attempts',
  redriveAttempt: 'redriveAttempt',
  /** The delay the last redrive chose, so that decorrelated jitter can grow from it. */
  redriveDelaySeconds: 'redriveDelaySeconds',
  /** Which operator replay of the order sent this copy (absent: none); older copies are superseded. */
  replay: 'replay',
  /** Budget-free redrives of a message that was never claimed (held back by an open breaker); see analyseDeadLetter. */
  heldRedrives: 'heldRedrives',
} as const;

export type MessageAttributeName = (typeof MESSAGE_ATTRIBUTES)[keyof typeof MESSAGE_ATTRIBUTES];

export interface DeadLetterInput {
  readonly attributes: Readonly<Record<string, string>>;
  readonly body: string;
  readonly receiveCount: number;
  /** The last error category on the message's idempotency record, when the caller found one. */
  readonly recordedCategory?: ErrorCategory;
  /**
   * True when the caller looked the idempotency key up and found no record at all: the worker never
   * claimed the order, so its business step never ran (it was held back by an open breaker, or its claim
   * met a store that was down). Leave undefined when the lookup could not be made.
   */
  readonly neverClaimed?: boolean;
}

export interface AnalysisOptions {
  /** A message received this many times without a recorded reason is presumed to fail for good. */
  readonly permanenceReceiveThreshold: number;
  /** Redrives allowed per message before it is parked for good. */
  readonly maxRedrives: number;
  /**
   * Budget-free redrives of a never-claimed message, before it is judged like any other: a store that never
   * comes back (a revoked permission) must not send a message round for ever.
   */
  readonly maxHeldRedrives?: number;
}

export const DEFAULT_ANALYSIS_OPTIONS: AnalysisOptions = Object.freeze({
  permanenceReceiveThreshold: 10,
  maxRedrives: 5,
  maxHeldRedrives: 20,
});

export type CategorySource = 'attribute' | 'record' | 'body' | 'receive-count' | 'default' | 'unclaimed';

export interface DeadLetterVerdict {
  readonly action: 'REDRIVE' | 'PARK';
  readonly category: ErrorCategory;
  readonly source: CategorySource;
  /** The `redriveAttempt` the redriven copy would carry: the previous one + 1 (unchanged for a breaker-held message). */
  readonly redriveAttempt: number;
  /** Set for a breaker-held message only: the `heldRedrives` its copy carries (budget-free redrives so far). */
  readonly heldRedrives?: number;
  readonly reason: string;
}

/** Only this much of a body is ever inspected, so a huge message cannot make the analysis slow. */
export const BODY_SCAN_LIMIT = 64 * 1024;

interface TextIndicator {
  readonly label: string;
  readonly pattern: RegExp;
  readonly category: ErrorCategory;
}

// Checked in order; the first match wins. Retryable indicators come first: a wrong guess towards
// retrying costs one budgeted redrive, a wrong guess towards parking costs a manual intervention.
const TEXT_INDICATORS: readonly TextIndicator[] = [
  { label: 'timeout', pattern: /time[ds]?[ _-]?out|\betimedout\b/i, category: 'TIMEOUT' },
  { label: 'throttling', pattern: /throttl|too many requests|rate exceeded|slow ?down/i, category: 'TRANSIENT' },
  { label: 'connection error', pattern: /\b(?:econnreset|econnrefused|epipe|eai_again)\b|socket hang up/i, category: 'TRANSIENT' },
  {
    label: 'server error',
    pattern:
      /internal server error|internal ?failure|bad gateway|service ?unavailable|\b(?:http|status(?:[ _-]?code)?)["'\s:=/.0-9]*?\b5\d\d\b/i,
    category: 'TRANSIENT',
  },
  { label: 'validation', pattern: /validation|invalid|schema/i, category: 'VALIDATION' },
  { label: 'not permitted or missing', pattern: /access ?denied|forbidden|not ?found|unauthori[sz]ed/i, category: 'PERMANENT' },
];

interface CategoryFinding {
  readonly category: ErrorCategory;
  readonly source: CategorySource;
  readonly detail: string;
}

/**
 * Decides what to do with a dead-lettered message: redrive it (with backoff, by the caller) or park it.
 * The category comes from the most trustworthy evidence available: the worker's `errorCategory`
 * attribute, then the idempotency record, then indicators in the first 64 KiB characters of the body,
 * then the receive count; otherwise UNKNOWN. It never throws, whatever the message holds.
 */
export function analyseDeadLetter(input: DeadLetterInput, options: AnalysisOptions): DeadLetterVerdict {
  const { permanenceReceiveThreshold, maxRedrives, maxHeldRedrives } = saneOptions(options);
  const message = saneInput(input);
  const held = breakerHeld(message, maxHeldRedrives ?? 0, permanenceReceiveThreshold);
  if (held !== undefined) return held;
  const finding = findCategory(message, permanenceReceiveThreshold);
  const previousRedrives = parseRedriveAttempt(ownValue(message.attributes, MESSAGE_ATTRIBUTES.redriveAttempt));
  const redriveAttempt = previousRedrives + 1;
  const evidence = `${finding.category} (${finding.source}: ${finding.detail})`;

  if (!RETRY_POLICIES[finding.category].retryable) {
    return { action: 'PARK', category: finding.category, source: finding.source, redriveAttempt, reason: `${evidence} is not retryable` };
  }
  if (previousRedrives >= maxRedrives) {
    return {
      action: 'PARK',
      category: finding.category,
      source: finding.source,
      redriveAttempt,
      reason: `redrive budget spent: ${previousRedrives} of ${maxRedrives} redrives used; last failure ${evidence}`,
    };
  }
  return {
    action: 'REDRIVE',
    category: finding.category,
    source: finding.source,
    redriveAttempt,
    reason: `${evidence} is retryable; redrive ${redriveAttempt} of ${maxRedrives}`,
  };
}

/** The input as it may really arrive from JavaScript callers: anything may be missing or mistyped. */
interface SaneInput {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly body: string;
  readonly receiveCount: number;
  readonly recordedCategory: unknown;
  readonly neverClaimed: boolean;
}

function saneInput(input: DeadLetterInput): SaneInput {
  const raw: Readonly<Record<string, unknown>> = isRecord(input) ? input : {};
  const attributes = ownValue(raw, 'attributes');
  const body = ownValue(raw, 'body');
  const receiveCount = ownValue(raw, 'receiveCount');
  return {
    attributes: isRecord(attributes) ? attributes : {},
    body: typeof body === 'string' ? body : '',
    receiveCount: typeof receiveCount === 'number' ? receiveCount : 0,
    recordedCategory: ownValue(raw, 'recordedCategory'),
    neverClaimed: ownValue(raw, 'neverClaimed') === true,
  };
}

/**
 * A message SQS moved (no `errorCategory`: the worker did not park it) whose order was never claimed has
 * met nothing but unavailable dependencies: the worker held it back while a breaker was open, or its claim
 * failed. No business failure happened, so it goes back TRANSIENT without spending the order's redrive
 * budget, up to maxHeldRedrives times, and only while its receive count is below the permanence threshold.
 */
function breakerHeld(message: SaneInput, maxHeldRedrives: number, permanenceReceiveThreshold: number): DeadLetterVerdict | undefined {
  if (message.neverClaimed !== true || ownValue(message.attributes, MESSAGE_ATTRIBUTES.errorCategory) !== undefined) return undefined;
  // Read from the DLQ over and over without being moved on: the receive count's own verdict stands.
  if (message.receiveCount >= permanenceReceiveThreshold) return undefined;
  const previousHeld = parseRedriveAttempt(ownValue(message.attributes, MESSAGE_ATTRIBUTES.heldRedrives));
  if (previousHeld >= maxHeldRedrives) return undefined;
  const heldRedrives = previousHeld + 1;
  return {
    action: 'REDRIVE',
    category: 'TRANSIENT',
    source: 'unclaimed',
    redriveAttempt: parseRedriveAttempt(ownValue(message.attributes, MESSAGE_ATTRIBUTES.redriveAttempt)),
    heldRedrives,
    reason: `never claimed: held back by an open breaker or an unavailable store; budget-free redrive ${heldRedrives} of ${maxHeldRedrives}`,
  };
}

function findCategory(message: SaneInput, threshold: number): CategoryFinding {
  const fromAttribute = normaliseCategory(ownValue(message.attributes, MESSAGE_ATTRIBUTES.errorCategory));
  if (fromAttribute !== undefined) return { category: fromAttribute, source: 'attribute', detail: 'errorCategory attribute' };

  const fromRecord = normaliseCategory(message.recordedCategory);
  if (fromRecord !== undefined) return { category: fromRecord, source: 'record', detail: 'idempotency record' };

  const fromBody = categoryFromBody(message.body);
  if (fromBody !== undefined) return fromBody;

  const receiveCount = message.receiveCount;
  if (receiveCount >= threshold) {
    return { category: 'PERMANENT', source: 'receive-count', detail: `received ${receiveCount} times, threshold ${threshold}` };
  }
  return { category: 'UNKNOWN', source: 'default', detail: 'no indicator found' };
}

function categoryFromBody(body: string): CategoryFinding | undefined {
  const scanned = body.length > BODY_SCAN_LIMIT ? body.slice(0, BODY_SCAN_LIMIT) : body;
  // A truncated body is not valid JSON anyway: only a body that fits the limit is parsed.
  const json = scanned.length === body.length ? parseObject(body) : undefined;
  if (json !== undefined) {
    const declared = declaredCategory(json);
    if (declared !== undefined) return { category: declared, source: 'body', detail: 'category field in the body' };
  }
  // In a JSON body only the error fields are read: the rest is business data (an order has a
  // `schemaVersion`, a SKU may read "TIMEOUT-CABLE"), and words in it say nothing about a failure.
  const text = json === undefined ? scanned : errorText(json, scanned);
  const indicator = TEXT_INDICATORS.find(({ pattern }) => pattern.test(text));
  if (indicator === undefined) return undefined;
  return { category: indicator.category, source: 'body', detail: `body mentions ${indicator.label}` };
}

function parseObject(body: string): Record<string, unknown> | undefined {
  const trimmed = body.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** `errorCategory` at the top level, or `error.category`, of a JSON body. */
function declaredCategory(parsed: Record<string, unknown>): ErrorCategory | undefined {
  const topLevel = normaliseCategory(ownValue(parsed, 'errorCategory'));
  if (topLevel !== undefined) return topLevel;
  const error = ownValue(parsed, 'error');
  return isRecord(error) ? normaliseCategory(ownValue(error, 'category')) : undefined;
}

const ERROR_FIELDS = ['error', 'errorCategory', 'errorMessage', 'errorType', 'errorCode', 'failure', 'statusCode'] as const;

/** A JSON body that reports a failure is read whole; any other JSON body is business data, not read. */
function errorText(parsed: Record<string, unknown>, scanned: string): string {
  return ERROR_FIELDS.some((field) => ownValue(parsed, field) !== undefined) ? scanned : '';
}

/** Previous redrives from the attribute; missing or garbage counts as 0, absurdly large as spent. */
function parseRedriveAttempt(value: unknown): number {
  if (typeof value !== 'string') return 0;
  const trimmed = value.trim();
  if (!/^\d{1,32}$/.test(trimmed)) return 0;
  return Math.min(Number(trimmed), Number.MAX_SAFE_INTEGER - 1);
}

function normaliseCategory(value: unknown): ErrorCategory | undefined {
  if (typeof value !== 'string') return undefined;
  const candidate = value.trim().toUpperCase();
  return isErrorCategory(candidate) ? candidate : undefined;
}

function saneOptions(options: AnalysisOptions): AnalysisOptions {
  // Options come from configuration; a NaN budget would mean redriving forever, so fall back to defaults.
  const valid = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  return {
    permanenceReceiveThreshold: valid(options?.permanenceReceiveThreshold)
      ? options.permanenceReceiveThreshold
      : DEFAULT_ANALYSIS_OPTIONS.permanenceReceiveThreshold,
    maxRedrives: valid(options?.maxRedrives) ? options.maxRedrives : DEFAULT_ANALYSIS_OPTIONS.maxRedrives,
    maxHeldRedrives: valid(options?.maxHeldRedrives) ? options.maxHeldRedrives : DEFAULT_ANALYSIS_OPTIONS.maxHeldRedrives,
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownValue(record: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}
