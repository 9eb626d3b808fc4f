import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';

/*
 * The Step Functions adapter against a server speaking StartSyncExecution's documented JSON protocol
 * (AWS JSON 1.0: POST /, X-Amz-Target AWSStepFunctions.StartSyncExecution; errors as `__type` with the
 * HTTP status). Not moto: moto 5.2.1 runs Express executions for StartExecution, but its server answers
 * StartSyncExecution with "NotImplementedError: The start_sync_execution action has not been
 * implemented" (HTTP 500), so this small server on 127.0.0.1 plays the service instead.
 */

export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-dev-ingest';
export const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

export interface SeenRequest {
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly host: string | undefined;
  readonly body: Record<string, unknown>;
}

export type Answer = (request: SeenRequest) => { readonly status: number; readonly body: Record<string, unknown> };

/** What StartSyncExecution returns for an execution that ended with `status`. */
export function ended(
  request: SeenRequest,
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT',
  fields: Record<string, unknown>,
): { status: number; body: Record<string, unknown> } {
  const name = String(request.body.name);
  return {
    status: 200,
    body: {
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':express:')}:${name}:0d2b4b7e`,
      stateMachineArn: STATE_MACHINE_ARN,
      name,
      startDate: 1_767_225_600.1,
      stopDate: 1_767_225_600.4,
      status,
      input: request.body.input,
      inputDetails: { included: true },
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 300 },
      ...fields,
    },
  };
}

export class FakeStepFunctions {
  readonly seen: SeenRequest[] = [];
  private answers: Answer[] = [];
  private server: Server | undefined;
  endpoint = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }

  /** The answers to the next calls, in order; the last one repeats. */
  answer(...answers: Answer[]): void {
    this.answers = answers;
    this.seen.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: SeenRequest = {
      target: req.headers['x-amz-target'] as string | undefined,
      contentType: req.headers['content-type'],
      host: req.headers.host,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
    };
    this.seen.push(request);
    const answer = this.answers[Math.min(this.seen.length - 1, this.answers.length - 1)];
    const { status, body } = answer === undefined ? { status: 500, body: { __type: 'InternalFailure' } } : answer(request);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `req-${this.seen.length}` });
    res.end(JSON.stringify(body));
  }
}

export async function thrownBy(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return expect.fail('expected the call to throw');
}
