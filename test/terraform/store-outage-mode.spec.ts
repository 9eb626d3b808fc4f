import { expect } from 'chai';
import { stage, synthesize } from './synthesized-stack.js';

type Props = Record<string, unknown>;

function environments(config: Parameters<typeof synthesize>[0]): Record<string, string>[] {
  return Object.values(synthesize(config).resources('aws_lambda_function')).map(
    (fn) => ((fn as Props).environment as { variables: Record<string, string> }).variables,
  );
}

describe('Stage option: application.storeOutageMode (the edge while DynamoDB cannot reserve)', () => {
  it('leaves STORE_OUTAGE_MODE out by default, so every function runs strict (503)', () => {
    for (const variables of environments(stage('dev'))) expect(variables).to.not.have.property('STORE_OUTAGE_MODE');
  });

  it('writes STORE_OUTAGE_MODE=buffer when a stage chooses to keep accepting', () => {
    const config = { ...stage('dev'), application: { ...stage('dev').application, storeOutageMode: 'buffer' as const } };
    for (const variables of environments(config)) expect(variables).to.deep.include({ STORE_OUTAGE_MODE: 'buffer' });
  });
});
