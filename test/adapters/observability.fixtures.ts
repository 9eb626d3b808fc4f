import { expect } from 'chai';
import type { Context } from 'aws-lambda';

export interface CapturedOutput {
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Runs `act` with stdout and stderr captured (and kept off the test report). */
export function captureOutput(act: () => void): CapturedOutput {
  const captured: CapturedOutput = { stdout: [], stderr: [] };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was, never called detached
  const originalOut = process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was, never called detached
  const originalErr = process.stderr.write;
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  process.stdout.write = capture(captured.stdout);
  process.stderr.write = capture(captured.stderr);
  try {
    act();
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
  return captured;
}

/** Every written line parsed as JSON; a line that is not one JSON object fails the test. */
export function jsonLines(chunks: readonly string[]): Record<string, unknown>[] {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      expect(parsed, line).to.be.an('object');
      return parsed as Record<string, unknown>;
    });
}

export interface EmfBlob {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

export function emfBlobs(output: CapturedOutput): EmfBlob[] {
  return jsonLines(output.stdout).map((line) => {
    // Valid EMF: a root `_aws` with a numeric Timestamp and CloudWatchMetrics directives, each of which
    // names a namespace, dimension sets whose keys are on the root, and metrics whose values are too.
    const blob = line as unknown as EmfBlob;
    expect(blob._aws.Timestamp).to.be.a('number');
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive.Namespace).to.be.a('string').and.not.equal('');
      for (const dimensionSet of directive.Dimensions) for (const name of dimensionSet) expect(blob[name], name).to.be.a('string');
      for (const metric of directive.Metrics) expect(blob[metric.Name], metric.Name).to.not.equal(undefined);
    }
    return blob;
  });
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'orders-worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-worker',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1234',
  logGroupName: '/aws/lambda/orders-worker',
  logStreamName: '2026/01/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
