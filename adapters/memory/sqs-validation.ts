import { SqsServiceError } from './sqs-service-error.js';

/** SQS's own limits, as the service enforces them on each request. */
export const SQS_LIMITS = {
  maxDelaySeconds: 900,
  maxVisibilityTimeoutSeconds: 43_200,
  maxMessagesPerReceive: 10,
  maxBatchEntries: 10,
  maxBatchEntryIdLength: 80,
  maxMessageAttributes: 10,
  minMaxMessageBytes: 1_024,
  maxMaxMessageBytes: 1_048_576,
  maxReceiveCountRange: [1, 1_000],
} as const;

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
// The characters SQS accepts in a body or attribute value (XML 1.0 characters); anything else is refused.
// eslint-disable-next-line no-control-regex -- tab, LF and CR are named because they are the control characters SQS accepts
const FORBIDDEN_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function invalidParameter(message: string): SqsServiceError {
  return new SqsServiceError('InvalidParameterValue', message);
}

export function assertIntegerInRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Value ${value} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}.`);
  }
}

export function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw invalidParameter(`Queue name ${JSON.stringify(name)} must be 1-80 characters of A-Z, a-z, 0-9, - and _.`);
  }
}

/** The checks of one message's content (a failed batch entry, or a refused SendMessage). */
export function assertValidMessage(body: string, attributes: Readonly<Record<string, string>>): void {
  if (body.length === 0) throw invalidParameter('The request must contain the parameter MessageBody.');
  if (FORBIDDEN_CHARACTER.test(body)) {
    throw new SqsServiceError('InvalidMessageContents', 'Invalid binary character in the message body.');
  }
  const names = Object.keys(attributes);
  if (names.length > SQS_LIMITS.maxMessageAttributes) {
    throw invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_LIMITS.maxMessageAttributes}].`,
    );
  }
  for (const name of names) {
    if (!ATTRIBUTE_NAME.test(name) || name.includes('..') || name.startsWith('.') || name.endsWith('.') || /^(aws|amazon)\./i.test(name)) {
      throw invalidParameter(`Message attribute name '${name}' is invalid.`);
    }
    const value = attributes[name] ?? '';
    if (value.length === 0) throw invalidParameter(`Message attribute '${name}' must contain a non-empty value.`);
    if (FORBIDDEN_CHARACTER.test(value)) {
      throw new SqsServiceError('InvalidMessageContents', `Invalid binary character in message attribute '${name}'.`);
    }
  }
}

/** The whole-request checks every *Batch call makes before looking at any entry. */
export function assertBatchShape(entries: readonly { readonly id: string }[]): void {
  if (entries.length === 0) throw new SqsServiceError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > SQS_LIMITS.maxBatchEntries) {
    throw new SqsServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${SQS_LIMITS.maxBatchEntries}. You have sent ${entries.length}.`,
    );
  }
  const seen = new Set<string>();
  for (const { id } of entries) {
    if (!BATCH_ENTRY_ID.test(id)) {
      throw new SqsServiceError(
        'InvalidBatchEntryId',
        `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.`,
      );
    }
    if (seen.has(id)) throw new SqsServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}
