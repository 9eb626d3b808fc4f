import { CreateFunctionCommand, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreatePipeCommand, DescribePipeCommand, PipesClient } from '@aws-sdk/client-pipes';
import { expect } from 'chai';
import { LambdaPipesConsumptionSwitch } from '../../adapters/aws/lambda-pipes-consumption-switch.js';
import { MemoryConsumptionSwitch } from '../../adapters/memory/memory-consumption-switch.js';
import { prepareMotoAccount, useMotoServer } from '../../tools/moto/moto.js';
import { consumptionSwitchContract } from './contract/consumption-switch.contract.js';

/*
 * The fleet pause's switch, in memory and against moto's Lambda and Pipes APIs over loopback. moto 5.2.1
 * stores event source mappings and pipes and answers Create/Get/Update(Enabled)/Delete mappings and
 * Create/Describe/Start/Stop pipes; it neither polls the queue nor runs the pipe, so what these specs
 * show is the API round trip (the state AWS would act on), not that pollers stop: the harness' own event
 * source shows that (test/e2e/fleet-pause.spec.ts).
 */

const moto = useMotoServer();
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('ConsumptionSwitch adapters', () => {
  consumptionSwitchContract('MemoryConsumptionSwitch', () => {
    const consumption = new MemoryConsumptionSwitch();
    return Promise.resolve({ consumption, consumersEnabled: () => Promise.resolve([!consumption.isPaused()]) });
  });

  describe('on moto', () => {
    beforeEach(async () => {
      await moto.server.reset();
    });

    consumptionSwitchContract('LambdaPipesConsumptionSwitch on moto', async () => {
      const { lambda, pipes, uuid, pipeName } = await workerMappingAndPipe();
      return {
        consumption: new LambdaPipesConsumptionSwitch({ lambda, mappings: [uuid], pipes, pipeNames: [pipeName] }),
        consumersEnabled: async () => {
          const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
          const pipe = await pipes.send(new DescribePipeCommand({ Name: pipeName }));
          return [mapping.State === 'Enabled', pipe.DesiredState === 'RUNNING'];
        },
      };
    });

    it('flips the mapping through UpdateEventSourceMapping and the pipe through StopPipe / StartPipe (states as moto reports them)', async () => {
      const { lambda, pipes, uuid, pipeName } = await workerMappingAndPipe();
      const consumption = new LambdaPipesConsumptionSwitch({ lambda, mappings: [uuid], pipes, pipeNames: [pipeName] });

      await consumption.pause();
      const paused = [
        (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State,
        (await pipes.send(new DescribePipeCommand({ Name: pipeName }))).DesiredState,
      ];
      await consumption.resume();
      const resumed = [
        (await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }))).State,
        (await pipes.send(new DescribePipeCommand({ Name: pipeName }))).DesiredState,
      ];

      expect(paused).to.deep.equal(['Disabled', 'STOPPED']);
      expect(resumed).to.deep.equal(['Enabled', 'RUNNING']);
    });
  });
});

/** The worker function, its mapping on the order queue, and a pipe from the same queue: what the deployed stack has. */
async function workerMappingAndPipe(): Promise<{ lambda: LambdaClient; pipes: PipesClient; uuid: string; pipeName: string }> {
  const { resources } = await prepareMotoAccount(moto.server);
  const common = { endpoint: moto.server.endpoint, region: 'us-east-1', credentials: CREDENTIALS };
  const lambda = new LambdaClient(common);
  const pipes = new PipesClient(common);
  const roleArn = await createRole(moto.server.endpoint, 'orders-worker-fn');
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'orders-worker',
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: roleArn,
      Code: { ZipFile: EMPTY_ZIP },
    }),
  );
  const mapping = await lambda.send(
    new CreateEventSourceMappingCommand({
      FunctionName: 'orders-worker',
      EventSourceArn: resources.orderQueueArn,
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    }),
  );
  const pipeName = 'orders-consume';
  await pipes.send(
    new CreatePipeCommand({
      Name: pipeName,
      RoleArn: roleArn,
      Source: resources.orderQueueArn,
      DesiredState: 'RUNNING',
      Target: 'arn:aws:states:us-east-1:123456789012:stateMachine:orders-consume',
    }),
  );
  return { lambda, pipes, uuid: mapping.UUID!, pipeName };
}

/** An empty zip archive (end-of-central-directory record only): moto stores the code, it never runs it here. */
const EMPTY_ZIP = Uint8Array.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

/** IAM's CreateRole (query protocol), which moto checks a function's role against; the project has no IAM client otherwise. */
async function createRole(endpoint: string, name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    }),
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20261206/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (!response.ok || arn === undefined) throw new Error(`CreateRole on moto failed: ${response.status} ${text.slice(0, 300)}`);
  return arn;
}
