import { expect } from 'chai';
import { FLEET_PAUSE_PROBE_KEY, fleetPauseDefinition } from '../../terraform/constructs/fleet-pause.js';
import { asList, everyVariant, stageTitle, statementsOf, type PolicyStatementJson, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;
type State = Record<string, unknown>;

function named(synthesized: Synthesized, type: string, field: string, name: string): [string, Props] {
  const id = synthesized.idWhere(type, field, name);
  return [id, synthesized.resources(type)[id] as Props];
}

describe('Stack: fleet pause (stop consuming while DynamoDB is down)', () => {
  const variants = everyVariant();
  for (const synthesized of variants) {
    const { config } = synthesized;
    const prefix = config.namePrefix;

    describe(stageTitle(config), () => {
      const [machineId, machine] = named(synthesized, 'aws_sfn_state_machine', 'name', `${prefix}-fleet-pause`);
      const definition = JSON.parse(machine.definition as string) as { States: Record<string, State> };
      const tasks = Object.values(definition.States).filter((state) => state.Type === 'Task');
      const mappings = Object.keys(synthesized.resources('aws_lambda_event_source_mapping'));
      const pipes = Object.entries(synthesized.resources('aws_pipes_pipe')).filter(
        ([, pipe]) => pipe.target !== undefined && JSON.stringify(pipe.target).includes('aws_sfn_state_machine'),
      );

      it('starts on the DynamoDB breaker alarm moving to ALARM', () => {
        const [, rule] = named(synthesized, 'aws_cloudwatch_event_rule', 'name', `${prefix}-fleet-pause-on-alarm`);
        const alarmId = synthesized.idWhere('aws_cloudwatch_metric_alarm', 'alarm_name', `${prefix}-breaker-open-dynamodb`);
        expect(JSON.parse(rule.event_pattern as string)).to.deep.equal({
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          resources: [synthesized.ref('aws_cloudwatch_metric_alarm', alarmId, 'arn')],
          detail: { state: { value: ['ALARM'] } },
        });
        const targets = Object.values(synthesized.resources('aws_cloudwatch_event_target')).filter(
          (target) => target.arn === synthesized.ref('aws_sfn_state_machine', machineId, 'arn'),
        );
        expect(targets).to.have.length(1);
      });

      it('disables every worker mapping and stops every consume pipe, probes the table once per DynamoDB recovery period, and enables them again', () => {
        const flips = tasks.map((task) => [task.Resource, (task.Parameters as Props).Enabled ?? (task.Parameters as Props).Name]);
        expect(flips.filter(([resource]) => String(resource).endsWith('updateEventSourceMapping'))).to.have.length(2 * mappings.length);
        expect(flips.filter(([resource]) => String(resource).endsWith('stopPipe'))).to.have.length(pipes.length);
        expect(flips.filter(([resource]) => String(resource).endsWith('startPipe'))).to.have.length(pipes.length);
        expect(definition.States.WaitForRecovery).to.deep.include({ Type: 'Wait', Seconds: 30 });
        expect(definition.States.Probe).to.deep.include({ Resource: 'arn:aws:states:::aws-sdk:dynamodb:getItem' });
        expect(mappings.length + pipes.length).to.be.at.least(1);
      });

      it('lets its role flip exactly those mappings and pipes and read exactly the idempotency table', () => {
        const roleId = String(machine.role_arn).split('.')[1]!;
        const policy = Object.values(synthesized.resources('aws_iam_role_policy')).find(
          (candidate) => candidate.role === synthesized.ref('aws_iam_role', roleId, 'id'),
        );
        const statements = statementsOf(policy?.policy);
        const bySid: Record<string, PolicyStatementJson> = Object.fromEntries(
          statements.map((statement) => [statement.Sid ?? '', statement]),
        );
        const tableId = synthesized.idWhere('aws_dynamodb_table', 'name', `${prefix}-idempotency`);
        expect(asList(bySid.ProbeTable!.Resource)).to.deep.equal([synthesized.ref('aws_dynamodb_table', tableId, 'arn')]);
        expect(asList(bySid.ProbeTable!.Action)).to.deep.equal(['dynamodb:GetItem']);
        if (mappings.length > 0)
          expect(asList(bySid.FlipWorkerMappings!.Resource)).to.deep.equal(
            mappings.map((id) => synthesized.ref('aws_lambda_event_source_mapping', id, 'arn')),
          );
        if (pipes.length > 0)
          expect(asList(bySid.FlipConsumePipes!.Resource)).to.have.members(
            pipes.map(([id]) => synthesized.ref('aws_pipes_pipe', id, 'arn')),
          );
      });

      it('keeps Terraform from undoing a pause: the mapping ignores `enabled`, the pipes `desired_state`', () => {
        for (const id of mappings)
          expect((synthesized.resources('aws_lambda_event_source_mapping')[id] as Props).lifecycle).to.deep.equal({
            ignore_changes: ['enabled'],
          });
        for (const [, pipe] of pipes) expect(pipe.lifecycle).to.deep.equal({ ignore_changes: ['desired_state'] });
      });

      it('logs executions without their data and traces them', () => {
        expect(machine).to.deep.include({ type: 'STANDARD', tracing_configuration: { enabled: true } });
        expect(machine.logging_configuration).to.deep.include({ include_execution_data: false, level: 'ALL' });
      });
    });
  }

  describe('Function: fleetPauseDefinition', () => {
    const definition = fleetPauseDefinition({
      mappings: [{ uuid: 'm-1', arn: 'arn:m-1' }],
      pipes: [{ name: 'p-1', arn: 'arn:p-1' }],
      table: { name: 'orders-idempotency', arn: 'arn:t', partitionKey: 'pk' },
      probeEverySeconds: 30,
    }) as { StartAt: string; States: Record<string, State> };

    /** Walks the machine: `probeAnswers` says whether each probe succeeds; returns the task resources run, in order. */
    function walk(probeAnswers: readonly boolean[]): string[] {
      const seen: string[] = [];
      let name: string | undefined = definition.StartAt;
      let rounds = 0;
      let probes = 0;
      for (let steps = 0; name !== undefined && steps < 10_000; steps++) {
        const state: State = definition.States[name]!;
        if (state.Type === 'Task')
          seen.push(
            name === 'Probe'
              ? `Probe:${probeAnswers[probes] === true ? 'ok' : 'failed'}`
              : `${String(state.Resource).split(':').pop()}:${JSON.stringify(state.Parameters)}`,
          );
        if (name === 'CountRound') rounds++;
        if (name === 'Probe') {
          const ok = probeAnswers[probes++] === true;
          name = ok ? (state.Next as string) : ((state.Catch as State[])[0]!.Next as string);
          continue;
        }
        if (state.Type === 'Choice') {
          const choice = (state.Choices as State[])[0]!;
          name = rounds >= (choice.NumericGreaterThanEquals as number) ? (choice.Next as string) : (state.Default as string);
          continue;
        }
        name = state.Type === 'Succeed' ? undefined : (state.Next as string);
      }
      return seen;
    }

    it('pauses, probes until the first answer, then resumes', () => {
      expect(walk([false, false, true])).to.deep.equal([
        'updateEventSourceMapping:{"UUID":"m-1","Enabled":false}',
        'stopPipe:{"Name":"p-1"}',
        'Probe:failed',
        'Probe:failed',
        'Probe:ok',
        'updateEventSourceMapping:{"UUID":"m-1","Enabled":true}',
        'startPipe:{"Name":"p-1"}',
      ]);
    });

    it('resumes after 12 hours of failed probes at most (fail open: the breakers take over)', () => {
      const seen = walk([]);
      expect(seen.filter((step) => step.startsWith('Probe')).length).to.equal((12 * 3600) / 30 - 1);
      expect(seen.slice(-2)).to.deep.equal(['updateEventSourceMapping:{"UUID":"m-1","Enabled":true}', 'startPipe:{"Name":"p-1"}']);
    });

    it('reads the probe key', () => {
      expect((definition.States.Probe!.Parameters as Props).Key).to.deep.equal({ pk: { S: FLEET_PAUSE_PROBE_KEY } });
    });
  });
});
