import { GetEventSourceMappingCommand, UpdateEventSourceMappingCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribePipeCommand, StartPipeCommand, StopPipeCommand, type PipesClient } from '@aws-sdk/client-pipes';
import type { ConsumptionSwitch } from '../../application/ports/consumption-switch.js';

export interface LambdaPipesConsumptionSwitchOptions {
  readonly lambda: LambdaClient;
  /** UUIDs of the worker's event source mappings. */
  readonly mappings: readonly string[];
  readonly pipes?: PipesClient;
  /** Names of the pipes that feed the orchestrated topology's consume workflow. */
  readonly pipeNames?: readonly string[];
}

/** Event source mapping states in which Lambda's pollers receive nothing (or will not once settled). */
const MAPPING_OFF = new Set(['Disabled', 'Disabling']);
/** Pipe states in which it reads nothing (or will not once settled). */
const PIPE_OFF = new Set(['STOPPED', 'STOPPING', 'STOP_FAILED']);

/**
 * The fleet's consumers in AWS: Lambda's UpdateEventSourceMapping (`Enabled`) for the worker's mappings,
 * Pipes' StopPipe / StartPipe for the consume pipes. AWS's own guidance for a queue consumer whose
 * downstream is down: messages stay in the queue, receive counts untouched. Both calls are idempotent in
 * effect; a failed call is thrown as the SDK error (the caller tries again on its next tick).
 *
 * Deployed, the fleet-pause state machine makes these same calls through its SDK integrations
 * (terraform/constructs/fleet-pause.ts); this adapter is what the harness and the specs run against moto.
 */
export class LambdaPipesConsumptionSwitch implements ConsumptionSwitch {
  constructor(private readonly options: LambdaPipesConsumptionSwitchOptions) {}

  async pause(): Promise<void> {
    await Promise.all([
      ...this.options.mappings.map((uuid) => this.options.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: false }))),
      ...this.pipeNames().map((name) => this.pipes().send(new StopPipeCommand({ Name: name }))),
    ]);
  }

  async resume(): Promise<void> {
    await Promise.all([
      ...this.options.mappings.map((uuid) => this.options.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }))),
      ...this.pipeNames().map((name) => this.pipes().send(new StartPipeCommand({ Name: name }))),
    ]);
  }

  async paused(): Promise<boolean> {
    const mappings = await Promise.all(
      this.options.mappings.map(async (uuid) => {
        const mapping = await this.options.lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
        return MAPPING_OFF.has(mapping.State ?? '');
      }),
    );
    const pipes = await Promise.all(
      this.pipeNames().map(async (name) => {
        const pipe = await this.pipes().send(new DescribePipeCommand({ Name: name }));
        // DesiredState says where it is going: a STOPPING pipe that is wanted RUNNING again is not paused.
        return pipe.DesiredState === 'STOPPED' || (pipe.DesiredState === undefined && PIPE_OFF.has(pipe.CurrentState ?? ''));
      }),
    );
    return [...mappings, ...pipes].every(Boolean);
  }

  private pipeNames(): readonly string[] {
    return this.options.pipeNames ?? [];
  }

  private pipes(): PipesClient {
    if (this.options.pipes === undefined) throw new Error('LambdaPipesConsumptionSwitch: pipeNames given without a pipes client');
    return this.options.pipes;
  }
}
