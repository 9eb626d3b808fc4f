import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Values = Record<string, AttributeValue>;

const PLACEHOLDERS = new Map<string, RegExp>();

/** The pattern of one placeholder, compiled once: every write checks a dozen of them. */
function placeholder(name: string): RegExp {
  let pattern = PLACEHOLDERS.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`${name}(?![A-Za-z0-9_])`);
    PLACEHOLDERS.set(name, pattern);
  }
  return pattern;
}

/** DynamoDB refuses placeholders that neither expression uses, so only the used ones are sent. */
export function expressions(update: string, condition: string, values: Values) {
  const text = `${update} ${condition}`;
  const used = Object.entries(values).filter(([name]) => placeholder(name).test(text));
  return {
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: Object.fromEntries(used),
  };
}

