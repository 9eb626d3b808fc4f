/**
 * How Lambda's SQS event source reads a function's answer under ReportBatchItemFailures:
 * - no answer, an empty object, or a null or empty `batchItemFailures` list: every record succeeded;
 * - a list of `{ itemIdentifier }` naming records of the batch: only those return to the queue;
 * - anything else (not serialisable, not an object, an entry without `itemIdentifier`, an empty, null
 *   or unknown identifier): the whole batch failed, exactly as if the function had thrown.
 */
export type BatchVerdict =
  { readonly kind: 'partial'; readonly failedIds: ReadonlySet<string> } | { readonly kind: 'invalid'; readonly reason: string };

export function interpretBatchResponse(response: unknown, messageIds: readonly string[]): BatchVerdict {
  let serialised: unknown;
  try {
    // Lambda sees the JSON the runtime serialised, not the object: round-trip it the same way.
    const text = JSON.stringify(response);
    serialised = text === undefined ? null : JSON.parse(text);
  } catch (error) {
    return { kind: 'invalid', reason: `the response is not valid JSON: ${(error as Error).message}` };
  }
  if (serialised === null) return { kind: 'partial', failedIds: new Set() };
  if (typeof serialised !== 'object' || Array.isArray(serialised)) return { kind: 'invalid', reason: 'the response is not a JSON object' };
  const failures = (serialised as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'partial', failedIds: new Set() };
  if (!Array.isArray(failures)) return { kind: 'invalid', reason: 'batchItemFailures is not a list' };
  const known = new Set(messageIds);
  const failedIds = new Set<string>();
  for (const [index, entry] of failures.entries()) {
    if (typeof entry !== 'object' || entry === null || !('itemIdentifier' in entry)) {
      return { kind: 'invalid', reason: `batchItemFailures[${index}] has no itemIdentifier` };
    }
    const id = (entry as { itemIdentifier: unknown }).itemIdentifier;
    if (typeof id !== 'string' || id === '')
      return { kind: 'invalid', reason: `batchItemFailures[${index}].itemIdentifier is empty or not a string` };
    if (!known.has(id))
      return { kind: 'invalid', reason: `batchItemFailures[${index}].itemIdentifier "${id}" is not a message of this batch` };
    failedIds.add(id);
  }
  return { kind: 'partial', failedIds };
}
