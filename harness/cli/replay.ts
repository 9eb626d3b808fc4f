import { parseArgs } from 'node:util';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';

/**
 * `npm run replay`: an operator's way to the redrive function's operator inputs, deployed or local.
 *
 *   npm run replay -- --function orders-prod-redrive --keys k1,k2
 *   npm run replay -- --function orders-prod-redrive --category PERMANENT --limit 50
 *   npm run replay -- --function orders-prod-redrive --redeliver [--force]
 *   npm run replay -- --harness http://127.0.0.1:3000 --keys k1
 *
 * With --function it invokes that function's `live` alias synchronously (AWS credentials and region from
 * the environment, as the AWS CLI takes them); with --harness it calls the harness' POST /admin/replay
 * (or POST /admin/redeliver-outbox for --redeliver). Prints the
 * function's report as JSON. Exit 0: done (refusals are listed, not errors); 1: the call failed; 2: usage.
 */
export interface ReplayCliDeps {
  readonly invoke: (functionName: string, payload: unknown) => Promise<{ readonly statusCode: number; readonly body: unknown }>;
  readonly fetch: typeof fetch;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE = `usage: npm run replay -- (--function NAME | --harness URL) (--keys K1,K2 | --category CATEGORY [--limit N] | --redeliver [--force])
categories: ${ERROR_CATEGORIES.join(', ')}`;

export async function runReplayCli(argv: readonly string[], deps: ReplayCliDeps): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        function: { type: 'string' },
        harness: { type: 'string' },
        keys: { type: 'string' },
        category: { type: 'string' },
        limit: { type: 'string' },
        redeliver: { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    deps.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    deps.out(USAGE);
    return 0;
  }
  const problems: string[] = [];
  const target =
    typeof values.function === 'string'
      ? { kind: 'function' as const, name: values.function }
      : typeof values.harness === 'string'
        ? { kind: 'harness' as const, url: values.harness }
        : undefined;
  if (target === undefined || (values.function !== undefined && values.harness !== undefined))
    problems.push('name exactly one of --function and --harness');
  const keys =
    typeof values.keys === 'string'
      ? values.keys
          .split(',')
          .map((key) => key.trim())
          .filter((key) => key !== '')
      : undefined;
  const category = typeof values.category === 'string' ? values.category.toUpperCase() : undefined;
  if (category !== undefined && !(ERROR_CATEGORIES as readonly string[]).includes(category)) problems.push(`unknown category ${category}`);
  const limit = typeof values.limit === 'string' ? Number(values.limit) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) problems.push('--limit must be a positive whole number');
  const redeliver = values.redeliver === true;
  if ([keys !== undefined && keys.length > 0, category !== undefined, redeliver].filter(Boolean).length !== 1)
    problems.push('name one of --keys, --category or --redeliver');
  if (problems.length > 0 || target === undefined) {
    deps.err(`${problems.join('; ')}\n${USAGE}`);
    return 2;
  }
  const payload = redeliver
    ? { action: 'redeliver-outbox', force: values.force === true }
    : {
        action: 'replay',
        ...(keys !== undefined && keys.length > 0 ? { keys } : {}),
        ...(category === undefined ? {} : { category }),
        ...(limit === undefined ? {} : { limit }),
      };
  try {
    const answer =
      target.kind === 'function' ? await deps.invoke(target.name, payload) : await callHarness(deps.fetch, target.url, payload, redeliver);
    deps.out(JSON.stringify(answer.body, null, 2));
    return answer.statusCode === 200 ? 0 : 1;
  } catch (error) {
    deps.err(`the call failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

async function callHarness(
  fetcher: typeof fetch,
  url: string,
  payload: Record<string, unknown>,
  redeliver: boolean,
): Promise<{ statusCode: number; body: unknown }> {
  const { action: _action, ...request } = payload;
  const response = await fetcher(new URL(redeliver ? '/admin/redeliver-outbox' : '/admin/replay', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  return { statusCode: response.status, body: (await response.json()) as unknown };
}

/** Invokes `<functionName>:live` synchronously; a function error is reported with its type and message. */
export function lambdaInvoker(client: LambdaClient): ReplayCliDeps['invoke'] {
  return async (functionName, payload) => {
    const response = await client.send(
      new InvokeCommand({ FunctionName: functionName, Qualifier: 'live', Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
    );
    const body = response.Payload === undefined ? null : (JSON.parse(new TextDecoder().decode(response.Payload)) as unknown);
    return { statusCode: response.FunctionError === undefined ? 200 : 500, body };
  };
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const client = new LambdaClient({});
  process.exitCode = await runReplayCli(process.argv.slice(2), {
    invoke: lambdaInvoker(client),
    fetch,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
  client.destroy();
}
