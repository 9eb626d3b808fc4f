import { OUTBOX_PENDING_SHARD_ATTRIBUTE, OUTBOX_PENDING_SINCE_ATTRIBUTE } from '../../domain/outbox.js';
import { AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_SHARD_ATTRIBUTE } from '../../domain/idempotency-reservation.js';
import { expect } from 'chai';
import fc from 'fast-check';
import { Testing } from '../support/cdktf-testing.js';
import { SQS_MAX_PAYLOAD_BYTES } from '../../domain/batch-packing.js';
import { visibilityTimeoutSeconds } from '../../domain/visibility-timeout.js';
import { IDEMPOTENCY_TABLE_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../adapters/aws/idempotency-item.js';
import { orchestratedQueueUse, orderQueueVisibilityTimeout } from '../../terraform/stack-topology.js';
import {
  asList,
  drainingStage,
  functionId,
  lastBothStage,
  stage,
  stageTitle,
  statementsOf,
  synthesize,
  type Synthesized,
} from './synthesized-stack.js';

type Props = Record<string, unknown>;

function queueNamed(synthesized: Synthesized, name: string): Props {
  return synthesized.resources('aws_sqs_queue')[synthesized.idWhere('aws_sqs_queue', 'name', name)] as Props;
}

function queueRef(synthesized: Synthesized, name: string, attribute: string): string {
  return synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', name), attribute);
}

describe('Stack: queues and table', () => {
  const orchestratedOnly = synthesize({ ...stage('dev'), topology: 'orchestrated' });
  for (const synthesized of [synthesize(stage('dev')), synthesize(stage('prod')), orchestratedOnly, synthesize(drainingStage())]) {
    const { config } = synthesized;
    const prefix = config.namePrefix;
    // The queues SQS redrives from: the order queue, and the orchestrated queue while both topologies run and while it drains.
    const sourceQueues =
      orchestratedQueueUse(config) === undefined ? [`${prefix}-orders`] : [`${prefix}-orders`, `${prefix}-orders-orchestrated`];

    describe(stageTitle(config), () => {
      it('encrypts every queue and lets each take the 1 MiB messages SQS allows', () => {
        const queues = Object.values(synthesized.resources('aws_sqs_queue'));
        expect(queues.map((queue) => queue.name)).to.have.members([
          ...sourceQueues,
          `${prefix}-orders-dlq`,
          `${prefix}-pipeline-events`,
          `${prefix}-pipeline-events-dlq`,
          `${prefix}-redrive-failures`,
          `${prefix}-outbox-dlq`,
        ]);
        for (const queue of queues) {
          expect(queue.sqs_managed_sse_enabled === true || typeof queue.kms_master_key_id === 'string', String(queue.name)).to.equal(true);
          expect(queue.max_message_size).to.equal(SQS_MAX_PAYLOAD_BYTES);
        }
      });

      it('redrives every source queue to the one DLQ after the configured receives (at least 5)', () => {
        for (const name of sourceQueues) {
          const redrive = JSON.parse(String(queueNamed(synthesized, name).redrive_policy)) as Props;
          expect(redrive, name).to.deep.equal({
            deadLetterTargetArn: queueRef(synthesized, `${prefix}-orders-dlq`, 'arn'),
            maxReceiveCount: config.queue.maxReceiveCount,
          });
        }
        expect(config.queue.maxReceiveCount).to.be.at.least(5);
      });

      it('keeps dead letters 14 days, longer than any source queue keeps orders', () => {
        const dlq = queueNamed(synthesized, `${prefix}-orders-dlq`);
        expect(dlq.message_retention_seconds).to.equal(14 * 24 * 3600);
        for (const name of sourceQueues) {
          expect(Number(queueNamed(synthesized, name).message_retention_seconds), name).to.be.below(Number(dlq.message_retention_seconds));
        }
      });

      it('lets exactly the source queues use the DLQ', () => {
        const allows = Object.values(synthesized.resources('aws_sqs_queue_redrive_allow_policy'));
        expect(allows).to.have.length(1);
        expect(allows[0]?.queue_url).to.equal(queueRef(synthesized, `${prefix}-orders-dlq`, 'url'));
        const policy = JSON.parse(String(allows[0]?.redrive_allow_policy)) as { redrivePermission: string; sourceQueueArns: string[] };
        expect(policy.redrivePermission).to.equal('byQueue');
        expect(policy.sourceQueueArns)
          .to.have.members(sourceQueues.map((name) => queueRef(synthesized, name, 'arn')))
          .and.have.length(sourceQueues.length);
      });

      it("sets every source queue's visibility timeout to the domain function's answer", () => {
        const expected = visibilityTimeoutSeconds({
          functionTimeoutSeconds: config.functions.worker.timeoutSeconds,
          batchingWindowSeconds: config.worker.batchingWindowSeconds,
        }).seconds;
        for (const name of sourceQueues) expect(queueNamed(synthesized, name).visibility_timeout_seconds, name).to.equal(expected);
      });

      it('keeps the idempotency table in the shape the DynamoDB adapter uses: pk, TTL on expiresAt, PITR, encryption, on demand, the sparse awaiting-send index', () => {
        const expected = {
          name: `${prefix}-idempotency`,
          billing_mode: 'PAY_PER_REQUEST',
          hash_key: IDEMPOTENCY_TABLE_KEY,
          // With the keys of the sparse outbox-pending index (test/terraform/outbox.spec.ts) and of the awaiting-send index.
          attribute: [
            { name: IDEMPOTENCY_TABLE_KEY, type: 'S' },
            { name: OUTBOX_PENDING_SHARD_ATTRIBUTE, type: 'N' },
            { name: OUTBOX_PENDING_SINCE_ATTRIBUTE, type: 'N' },
            { name: AWAITING_SEND_SHARD_ATTRIBUTE, type: 'S' },
            { name: AWAITING_SEND_ATTRIBUTE, type: 'N' },
          ],
          ttl: { attribute_name: IDEMPOTENCY_TTL_ATTRIBUTE, enabled: true },
          point_in_time_recovery: { enabled: true },
          server_side_encryption: { enabled: true },
          deletion_protection_enabled: config.deletionProtection,
        };
        expect(Testing.toHaveResourceWithProperties(synthesized.json, 'aws_dynamodb_table', expected)).to.equal(true);
      });
    });
  }

  describe('Stage: dev (worker event source)', () => {
    const dev = synthesize(stage('dev'));

    it('builds the orchestrated queue exactly like the order queue, under its own name', () => {
      const { name: orderName, ...order } = queueNamed(dev, 'orders-dev-orders');
      const { name: orchestratedName, ...orchestrated } = queueNamed(dev, 'orders-dev-orders-orchestrated');
      expect([orderName, orchestratedName]).to.deep.equal(['orders-dev-orders', 'orders-dev-orders-orchestrated']);
      expect(orchestrated).to.deep.equal(order);
      expect(order).to.include({ sqs_managed_sse_enabled: true, message_retention_seconds: dev.config.queue.retentionSeconds });
    });

    it('keeps the worker on the order queue: reports partial batch failures, takes batch size, window and maximum concurrency from the stage', () => {
      const mappings = Object.values(dev.resources('aws_lambda_event_source_mapping'));
      expect(mappings).to.have.length(1);
      const [mapping] = mappings;
      expect(mapping).to.deep.include({
        event_source_arn: queueRef(dev, 'orders-dev-orders', 'arn'),
        function_response_types: ['ReportBatchItemFailures'],
        batch_size: dev.config.worker.batchSize,
        maximum_batching_window_in_seconds: dev.config.worker.batchingWindowSeconds,
        scaling_config: { maximum_concurrency: dev.config.worker.maximumConcurrency },
      });
      expect(String(mapping?.function_name)).to.match(/^\$\{aws_lambda_alias\.worker-function_alias_[A-F0-9]+\.arn\}$/);
      expect(functionId(dev, 'worker')).to.match(/^worker-function_/);
    });

    it('lets EventBridge deliver only the pipeline rules to the operator queue and, when delivery fails, to its DLQ', () => {
      const policies = Object.values(dev.resources('aws_sqs_queue_policy'));
      expect(policies.map((policy) => policy.queue_url)).to.have.members([
        queueRef(dev, 'orders-dev-pipeline-events', 'url'),
        queueRef(dev, 'orders-dev-pipeline-events-dlq', 'url'),
      ]);
      // The pipeline bus' rules (the fleet pause's rule, on the default bus, sends nothing to a queue).
      const rules = Object.entries(dev.resources('aws_cloudwatch_event_rule'))
        .filter(([, rule]) => rule.event_bus_name !== undefined)
        .map(([id]) => dev.ref('aws_cloudwatch_event_rule', id, 'arn'));
      for (const policy of policies) {
        const [statement] = statementsOf(policy.policy);
        expect(statement?.Principal).to.deep.equal({ Service: 'events.amazonaws.com' });
        expect(asList(statement?.Action ?? [])).to.deep.equal(['sqs:SendMessage']);
        const sources = (statement?.Condition as { ArnEquals: { 'aws:SourceArn': string[] } }).ArnEquals['aws:SourceArn'];
        expect(sources).to.have.members(rules).and.have.length(2);
      }
    });
  });

  describe('Stage: dev switched from both to orchestrated, draining the orchestrated queue', () => {
    const before = synthesize(lastBothStage());
    const draining = synthesize(drainingStage());
    const orchestratedId = (synthesized: Synthesized): string =>
      synthesized.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders-orchestrated');

    it('keeps the orchestrated queue under the logical id it had in both, so the switch neither deletes nor replaces it', () => {
      expect(orchestratedId(draining)).to.equal(orchestratedId(before));
      expect(queueNamed(draining, 'orders-dev-orders-orchestrated')).to.deep.equal(queueNamed(before, 'orders-dev-orders-orchestrated'));
    });

    it("keeps the DLQ's redrive-allow policy under its logical id, still listing the orchestrated queue", () => {
      const allow = (synthesized: Synthesized): [string, Props][] =>
        Object.entries(synthesized.resources('aws_sqs_queue_redrive_allow_policy'));
      expect(allow(draining)).to.deep.equal(allow(before));
      const policy = allow(draining)[0]?.[1];
      expect((JSON.parse(String(policy?.redrive_allow_policy)) as { sourceQueueArns: string[] }).sourceQueueArns).to.include(
        queueRef(draining, 'orders-dev-orders-orchestrated', 'arn'),
      );
    });

    it('deletes the orchestrated queue once the drain is switched off', () => {
      const drained = synthesize({ ...drainingStage(), migration: { phase: 4, drainOrchestratedQueue: false } });
      expect(Object.values(drained.resources('aws_sqs_queue')).map((queue) => queue.name)).to.not.include('orders-dev-orders-orchestrated');
    });
  });

  describe('Function: orderQueueVisibilityTimeout', () => {
    it('follows the domain rule for any worker timeout and batching window', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 0, max: 300 }), (timeout, window) => {
          const config = {
            ...stage('dev'),
            functions: { ...stage('dev').functions, worker: { memoryMb: 1024, timeoutSeconds: timeout } },
            worker: { ...stage('dev').worker, batchingWindowSeconds: window },
          };
          const seconds = orderQueueVisibilityTimeout(config);
          expect(seconds).to.equal(visibilityTimeoutSeconds({ functionTimeoutSeconds: timeout, batchingWindowSeconds: window }).seconds);
          expect(seconds).to.be.at.least(Math.min(43_200, 6 * timeout + window));
        }),
      );
    });
  });
});
