import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import type { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';

export interface WorkerEventSourceProps {
  readonly queueArn: string;
  /** The worker's `live` alias. */
  readonly functionArn: string;
  readonly settings: StageConfig['worker'];
}

/** The worker's SQS event source mapping: partial batch responses, and the stage's scaling (standard mode or provisioned pollers). */
export function workerEventSource(scope: Construct, props: WorkerEventSourceProps): LambdaEventSourceMapping {
  return new LambdaEventSourceMapping(scope, 'worker-source', {
    eventSourceArn: props.queueArn,
    functionName: props.functionArn,
    batchSize: props.settings.batchSize,
    maximumBatchingWindowInSeconds: props.settings.batchingWindowSeconds,
    functionResponseTypes: ['ReportBatchItemFailures'],
    // Standard mode capped by MaximumConcurrency, or provisioned pollers: the two cannot be combined.
    ...(props.settings.scaling?.mode === 'provisioned'
      ? {
          provisionedPollerConfig: {
            minimumPollers: props.settings.scaling.minimumPollers,
            maximumPollers: props.settings.scaling.maximumPollers,
          },
        }
      : { scalingConfig: { maximumConcurrency: props.settings.maximumConcurrency } }),
    // The fleet pause flips `enabled`; an apply during a pause must not re-enable the mapping behind its back.
    lifecycle: { ignoreChanges: ['enabled'] },
  });
}
