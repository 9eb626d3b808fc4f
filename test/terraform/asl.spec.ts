import { expect } from 'chai';
import jsonata from 'jsonata';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { CONSUME_WORKFLOW } from '../../application/workflows/consume-workflow.js';
import { INGEST_WORKFLOW } from '../../application/workflows/ingest-workflow.js';
import { stepErrorName } from '../../application/workflows/step-error.js';
import type { TaskStep } from '../../application/workflows/workflow-definition.js';
import { errorNamesFor, PREPARE_STATE, queueUrlExpression, renderAsl, type AslBindings } from '../../terraform/asl.js';

type State = Record<string, unknown>;

const BINDINGS: AslBindings = {
  functionArns: {
    validate: 'arn:aws:lambda:eu-west-1:111122223333:function:validate:live',
    publish: 'arn:aws:lambda:eu-west-1:111122223333:function:publish:live',
    idempotency: 'arn:aws:lambda:eu-west-1:111122223333:function:idempotency:live',
    processor: 'arn:aws:lambda:eu-west-1:111122223333:function:processor:live',
    'outbox-relay': 'arn:aws:lambda:eu-west-1:111122223333:function:outbox-relay:live',
  },
  deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dlq',
};

describe('Function: renderAsl', () => {
  const consume = renderAsl(CONSUME_WORKFLOW, BINDINGS);
  const ingest = renderAsl(INGEST_WORKFLOW, BINDINGS);

  it('renders every step as a state, plus the state that shapes the input, using JSONata', () => {
    expect(Object.keys(consume.States)).to.have.members([PREPARE_STATE, ...Object.keys(CONSUME_WORKFLOW.steps)]);
    expect(consume.QueryLanguage).to.equal('JSONata');
    expect(consume.StartAt).to.equal(PREPARE_STATE);
    expect(consume.States[PREPARE_STATE]).to.deep.include({ Type: 'Pass', Next: CONSUME_WORKFLOW.startAt });
  });

  it("takes the one record out of the array a pipe delivers, and the request body from beside the client's key", () => {
    expect(String(consume.States[PREPARE_STATE]?.Output)).to.contain("'message': $states.input[0]");
    expect(String(ingest.States[PREPARE_STATE]?.Output)).to.contain("'request': $states.input.request,");
    expect(String(ingest.States[PREPARE_STATE]?.Output)).to.contain("'idempotencyKey': $states.input.idempotencyKey");
    expect(String(consume.States[PREPARE_STATE]?.Output)).not.to.contain('idempotencyKey');
  });

  it('invokes each task through lambda:invoke with the whole state and stores the payload under its result key', () => {
    for (const [name, step] of Object.entries(CONSUME_WORKFLOW.steps).filter(
      (entry): entry is [string, TaskStep] => entry[1].type === 'task',
    )) {
      const state = consume.States[name] as State;
      expect(state).to.deep.include({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Arguments: { FunctionName: BINDINGS.functionArns[step.function], Payload: '{% $states.input %}' },
        Output: `{% $merge([$states.input, {'${step.resultKey}': $states.result.Payload}]) %}`,
        Next: step.next,
      });
    }
  });

  it("retries only the invocation's own errors (Lambda throttled or failing, timeouts), never a step error its SDK already retried", () => {
    const retry = (consume.States.ProcessOrder as { Retry: State[] }).Retry[0];
    expect(retry?.ErrorEquals).to.have.members([
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'States.Timeout',
      'Sandbox.Timedout',
    ]);
    expect(retry?.ErrorEquals).to.not.include(stepErrorName('TRANSIENT'));
    expect(retry).to.deep.include({ IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, MaxDelaySeconds: 8, JitterStrategy: 'FULL' });
  });

  it('retries the claim and release steps on their own TRANSIENT and TIMEOUT errors too: either not recorded costs the message its visibility timeout', () => {
    for (const name of ['ClaimIdempotency', 'ReleaseClaim']) {
      const [retry] = (consume.States[name] as { Retry: State[] }).Retry;
      expect(retry?.ErrorEquals, name).to.include.members([
        stepErrorName('TRANSIENT'),
        stepErrorName('TIMEOUT'),
        'Lambda.TooManyRequestsException',
        'Sandbox.Timedout',
      ]);
      expect(retry, name).to.deep.include({
        IntervalSeconds: 1,
        MaxAttempts: 3,
        BackoffRate: 2,
        MaxDelaySeconds: 4,
        JitterStrategy: 'FULL',
      });
    }
  });

  it("catches the claim step's non-retryable errors into the park state, keeping the error in the state", () => {
    const [catcher] = (consume.States.ClaimIdempotency as { Catch: State[] }).Catch;
    expect(catcher).to.deep.equal({
      ErrorEquals: [stepErrorName('VALIDATION'), stepErrorName('PERMANENT')],
      Output: "{% $merge([$states.input, {'error': $states.errorOutput}]) %}",
      Next: 'Park',
    });
  });

  it('catches every error after the claim, step errors and invocation errors alike, into the release', () => {
    const [catcher] = (consume.States.ProcessOrder as { Catch: State[] }).Catch;
    expect(catcher?.Next).to.equal('ReleaseClaim');
    expect(catcher?.ErrorEquals).to.include.members([
      stepErrorName('PERMANENT'),
      stepErrorName('TRANSIENT'),
      'States.Timeout',
      'Lambda.TooManyRequestsException',
    ]);
  });

  it('routes on the claim decision with a JSONata condition per case', () => {
    const choice = consume.States.RouteClaimDecision as { Choices: State[]; Default: string };
    expect(choice.Choices[0]).to.deep.equal({ Condition: '{% $states.input.claim.decision.kind = "PROCEED" %}', Next: 'ProcessOrder' });
    expect(choice.Default).to.equal('UnknownClaimDecision');
  });

  it('parks by sending the body to the DLQ with the category, code and receive count attributes the redrive reads', () => {
    const park = consume.States.Park as State & { Arguments: Record<string, string> };
    expect(park).to.deep.include({ Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true });
    expect(park.Arguments.QueueUrl).to.equal(BINDINGS.deadLetterQueueUrl);
    expect(park.Arguments.MessageBody).to.equal('{% $states.input.message.body %}');
    for (const attribute of [MESSAGE_ATTRIBUTES.errorCategory, MESSAGE_ATTRIBUTES.errorCode, MESSAGE_ATTRIBUTES.attempts]) {
      expect(park.Arguments.MessageAttributes).to.contain(`'${attribute}'`);
    }
    expect(String((consume.States.ParkConflict as { Arguments: Record<string, string> }).Arguments.MessageAttributes)).to.contain(
      '"IDEMPOTENCY.KEY_REUSED"',
    );
  });

  it('fails the ingest execution with the caught error when an order is rejected', () => {
    expect(ingest.States.Rejected).to.deep.equal({
      Type: 'Fail',
      Error: '{% $states.input.error.Error %}',
      Cause: '{% $states.input.error.Cause %}',
    });
  });

  it("holds a retried record back through the SQS SDK integration: its own queue, its receipt handle, the release's delay, the change retried; a failed change still ends in RetryLater", () => {
    expect(consume.States.RouteReleaseVerdict).to.deep.include({ Default: 'RetryLater' });
    expect((consume.States.RouteReleaseVerdict as { Choices: State[] }).Choices).to.deep.include({
      Condition: '{% $states.input.release.verdict = "RETRY" %}',
      Next: 'HoldBackForRetry',
    });
    expect(consume.States.HoldBackForRetry).to.deep.include({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:sqs:changeMessageVisibility',
      Arguments: {
        QueueUrl: `{% ${queueUrlExpression('$states.input.message')} %}`,
        ReceiptHandle: '{% $states.input.message.receiptHandle %}',
        VisibilityTimeout: '{% $states.input.release.delaySeconds %}',
      },
      // The state goes on as it was: RetryLater fails with the step's caught error, whatever this call did.
      Output: '{% $states.input %}',
      // A change not made costs the whole visibility timeout: retried on any error, as the harness' runner does.
      Retry: [
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 4, JitterStrategy: 'FULL' },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: 'RequeueForRetry' }],
      Next: 'RetryLater',
    });
    // Not held back: a copy with the same delay, to the same queue, and the execution ends well (the pipe deletes the original).
    expect(consume.States.RequeueForRetry).to.deep.include({
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Output: '{% $states.input %}',
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' }],
      Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.input %}', Next: 'RetryLater' }],
      Next: 'Requeued',
    });
    expect((consume.States.RequeueForRetry as { Arguments: Record<string, string> }).Arguments).to.deep.include({
      QueueUrl: `{% ${queueUrlExpression('$states.input.message')} %}`,
      MessageBody: '{% $states.input.message.body %}',
      DelaySeconds: '{% $min([$states.input.release.delaySeconds, 900]) %}',
    });
    expect(consume.States.Requeued).to.deep.equal({
      Type: 'Succeed',
      Comment: 'The retry travels in a copy delayed by the backoff; the original is acknowledged',
    });
  });

  it('builds the queue URL of a record from its source ARN, in the commercial and the China partitions', async () => {
    const urlOf = async (eventSourceARN: string): Promise<unknown> =>
      jsonata(queueUrlExpression('record')).evaluate({ record: { eventSourceARN } });
    expect(await urlOf('arn:aws:sqs:eu-west-1:111122223333:orders-dev-orders')).to.equal(
      'https://sqs.eu-west-1.amazonaws.com/111122223333/orders-dev-orders',
    );
    expect(await urlOf('arn:aws-cn:sqs:cn-north-1:111122223333:orders')).to.equal(
      'https://sqs.cn-north-1.amazonaws.com.cn/111122223333/orders',
    );
  });

  it('refuses to render a park step without a dead-letter queue, or a task without its function', () => {
    expect(() => renderAsl(CONSUME_WORKFLOW, { functionArns: BINDINGS.functionArns })).to.throw(/deadLetterQueueUrl/);
    expect(() => renderAsl(INGEST_WORKFLOW, { functionArns: { validate: 'arn' } })).to.throw(/no ARN bound for function publish/);
  });

  it('refuses an unsound workflow', () => {
    const broken = { ...INGEST_WORKFLOW, startAt: 'Nowhere' };
    expect(() => renderAsl(broken, BINDINGS)).to.throw(/unsound/);
  });
});

describe('Function: errorNamesFor', () => {
  it('names each category by its step error and never matches everything', () => {
    for (const category of ERROR_CATEGORIES) {
      const names = errorNamesFor([category]);
      expect(names[0]).to.equal(stepErrorName(category));
      expect(names).to.not.include('States.ALL');
    }
    expect(errorNamesFor(['VALIDATION'])).to.deep.equal(['Pipeline.VALIDATION']);
  });
});
