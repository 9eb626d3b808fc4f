import type { Context } from 'aws-lambda';
import type { Invocation } from './invocation.js';

/** The context object Lambda passes next to the event, for one emulated invocation. */
export function lambdaContext(invocation: Invocation, memoryLimitInMB = 512): Context {
  const name = invocation.functionName;
  const unsupported = (what: string) => (): never => {
    throw new Error(`context.${what} is the deprecated callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(memoryLimitInMB),
    awsRequestId: invocation.requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/[$LATEST]${invocation.requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => invocation.remainingMs(),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
