import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { PIPELINE_METRICS } from '../../terraform/constructs/pipeline-observability.js';
import { ALARMED_FAILURE_CATEGORIES } from '../../terraform/operations-config.js';
import { BREAKER_ALARM_PERIOD_SECONDS } from '../../terraform/pipeline-alarms.js';
import { drainingStage, stage, stageTitle, statementsOf, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

const EXISTING_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:team-oncall';

function alarmsOf(synthesized: Synthesized): Props[] {
  return Object.values(synthesized.resources('aws_cloudwatch_metric_alarm'));
}

function alarmNamed(synthesized: Synthesized, suffix: string): Props {
  const name = `${synthesized.config.namePrefix}-${suffix}`;
  const alarm = alarmsOf(synthesized).find((candidate) => candidate.alarm_name === name);
  if (alarm === undefined) throw new Error(`no alarm ${name}`);
  return alarm;
}

function topicRef(synthesized: Synthesized): string {
  return synthesized.ref('aws_sns_topic', synthesized.idWhere('aws_sns_topic', 'name', `${synthesized.config.namePrefix}-alarms`), 'arn');
}

function dashboardWidgets(synthesized: Synthesized): { type: string; properties: Props }[] {
  const [dashboard] = Object.values(synthesized.resources('aws_cloudwatch_dashboard'));
  return (JSON.parse(String(dashboard?.dashboard_body)) as { widgets: { type: string; properties: Props }[] }).widgets;
}

describe('Stack: alarms that reach someone', () => {
  const stages = [stage('dev'), stage('prod'), stage('sandbox'), { ...stage('dev'), topology: 'orchestrated' as const }, drainingStage()];
  for (const config of stages) {
    const synthesized = synthesize(config);
    describe(stageTitle(config), () => {
      it('notifies the stage topic of every alarm, on ALARM and on OK', () => {
        const topic = topicRef(synthesized);
        const alarms = alarmsOf(synthesized);
        expect(alarms).to.have.length.greaterThan(0);
        for (const alarm of alarms) {
          expect(alarm.alarm_actions, String(alarm.alarm_name)).to.deep.equal([topic]);
          expect(alarm.ok_actions, String(alarm.alarm_name)).to.deep.equal([topic]);
        }
      });

      it("links every alarm's runbook, and every runbook exists in docs/runbooks", () => {
        for (const alarm of alarmsOf(synthesized)) {
          const link = /Runbook: (\S+)\/([a-z0-9-]+)\.md$/.exec(String(alarm.alarm_description));
          expect(link, String(alarm.alarm_name)).to.not.equal(null);
          expect(link?.[1]).to.equal(config.operations.runbookBaseUrl);
          expect(existsSync(join('docs', 'runbooks', `${link?.[2]}.md`)), `docs/runbooks/${link?.[2]}.md`).to.equal(true);
        }
      });

      it('keeps every alarm and the dashboard under observability/, where the alarms always were (a new address would make Terraform delete and re-create them, racing on the name)', () => {
        // The logical id is derived from the construct path: observability/<id> → observability_<id>_<hash>.
        const ids = [
          ...Object.keys(synthesized.resources('aws_cloudwatch_metric_alarm')),
          ...Object.keys(synthesized.resources('aws_cloudwatch_dashboard')),
        ];
        for (const id of ids) expect(id).to.match(/^observability_[^_]+_[A-F0-9]{8}$/);
      });

      it('shows every alarm on the dashboard: in the status widget and in a widget of its own', () => {
        const ids = Object.keys(synthesized.resources('aws_cloudwatch_metric_alarm')).map((id) =>
          synthesized.ref('aws_cloudwatch_metric_alarm', id, 'arn'),
        );
        const widgets = dashboardWidgets(synthesized);
        const status = widgets.find((widget) => widget.type === 'alarm');
        expect(status?.properties.alarms).to.have.members(ids);
        const ownWidgets = widgets.flatMap((widget) => (widget.properties.annotations as { alarms?: string[] } | undefined)?.alarms ?? []);
        expect(ownWidgets).to.have.members(ids);
      });
    });
  }

  describe('Method: notifications', () => {
    const dev = synthesize(stage('dev'));

    it("encrypts the stage's topic with a rotated key of its own that CloudWatch may use for this account's alarms", () => {
      const [topic] = Object.values(dev.resources('aws_sns_topic'));
      const [keyId, key] = Object.entries(dev.resources('aws_kms_key'))[0] ?? [];
      expect(topic?.kms_master_key_id).to.equal(dev.ref('aws_kms_key', String(keyId), 'arn'));
      expect(key?.enable_key_rotation).to.equal(true);
      const cloudwatch = statementsOf(key?.policy).find(
        (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
      );
      expect(cloudwatch?.Action).to.have.members(['kms:Decrypt', 'kms:GenerateDataKey*']);
      expect(cloudwatch?.Condition).to.have.nested.property('StringEquals.aws:SourceAccount');
    });

    it('subscribes the email addresses the stage lists', () => {
      const withEmails = synthesize({
        ...stage('dev'),
        operations: { ...stage('dev').operations, notifications: { emails: ['oncall@example.com', 'lead@example.com'] } },
      });
      const subscriptions = Object.values(withEmails.resources('aws_sns_topic_subscription'));
      expect(subscriptions.map((subscription) => subscription.endpoint)).to.have.members(['oncall@example.com', 'lead@example.com']);
      for (const subscription of subscriptions)
        expect(subscription).to.deep.include({ protocol: 'email', topic_arn: topicRef(withEmails) });
    });

    it('uses an existing topic instead when the stage names one, and creates none', () => {
      const existing = synthesize({
        ...stage('prod'),
        operations: { ...stage('prod').operations, notifications: { existingTopicArn: EXISTING_TOPIC } },
      });
      expect(existing.resources('aws_sns_topic')).to.deep.equal({});
      expect(existing.resources('aws_kms_key')).to.deep.equal({});
      for (const alarm of alarmsOf(existing)) {
        expect(alarm.alarm_actions).to.deep.equal([EXISTING_TOPIC]);
        expect(alarm.ok_actions).to.deep.equal([EXISTING_TOPIC]);
      }
    });
  });

  describe("Method: the pipeline's promises", () => {
    const prod = synthesize(stage('prod'));
    const { alarms: thresholds, application } = prod.config;

    it('alarms on worker failures of each category the pipeline cannot heal, from the metric the worker writes', () => {
      for (const category of ALARMED_FAILURE_CATEGORIES) {
        expect(alarmNamed(prod, `failures-${category.toLowerCase()}`)).to.deep.include({
          namespace: application.metricsNamespace,
          metric_name: PIPELINE_METRICS.failuresByCategory,
          dimensions: { service: application.serviceName, category },
          statistic: 'Sum',
          threshold: thresholds.failuresPerFiveMinutes[category],
        });
      }
    });

    it('leaves the failure-category alarms out where no worker writes the metric (orchestrated only)', () => {
      const orchestrated = synthesize({ ...stage('dev'), topology: 'orchestrated' });
      expect(alarmsOf(orchestrated).filter((alarm) => alarm.metric_name === PIPELINE_METRICS.failuresByCategory)).to.deep.equal([]);
      expect(
        alarmsOf(synthesize(stage('dev'))).filter((alarm) => alarm.metric_name === PIPELINE_METRICS.failuresByCategory),
      ).to.have.length(ALARMED_FAILURE_CATEGORIES.length);
    });

    it('alarms on parked orders of every category', () => {
      const queries = alarmNamed(prod, 'orders-parked').metric_query as { metric?: { metric_name: string; dimensions: Props } }[];
      const categories = queries.flatMap((query) => (query.metric === undefined ? [] : [query.metric.dimensions.category]));
      expect(
        queries.filter((query) => query.metric !== undefined).every((query) => query.metric?.metric_name === PIPELINE_METRICS.parked),
      ).to.equal(true);
      expect(categories).to.have.members([...ERROR_CATEGORIES]);
      expect(alarmNamed(prod, 'orders-parked').threshold).to.equal(thresholds.parkedPerFiveMinutes);
    });

    it('alarms when the oldest dead letter is older than the stage allows', () => {
      expect(alarmNamed(prod, 'dlq-oldest-message-age')).to.deep.include({
        namespace: 'AWS/SQS',
        metric_name: 'ApproximateAgeOfOldestMessage',
        dimensions: { QueueName: 'orders-prod-orders-dlq' },
        threshold: thresholds.deadLetterAgeSeconds,
      });
    });

    it("alarms on the API's 5xx rate and p99 latency", () => {
      const apiId = prod.ref('aws_apigatewayv2_api', prod.idWhere('aws_apigatewayv2_api', 'name', 'orders-prod-api'), 'id');
      const rate = alarmNamed(prod, 'api-5xx-rate');
      const queries = rate.metric_query as { metric?: { metric_name: string; dimensions: Props } }[];
      expect(queries.flatMap((query) => (query.metric === undefined ? [] : [query.metric.metric_name]))).to.have.members(['5xx', 'Count']);
      for (const query of queries) if (query.metric !== undefined) expect(query.metric.dimensions).to.deep.equal({ ApiId: apiId });
      expect(rate.threshold).to.equal(thresholds.api5xxPercent);
      expect(alarmNamed(prod, 'api-latency-p99')).to.deep.include({
        namespace: 'AWS/ApiGateway',
        metric_name: 'Latency',
        extended_statistic: 'p99',
        dimensions: { ApiId: apiId },
        threshold: thresholds.apiLatencyP99Ms,
      });
    });

    it("alarms on each breaker's openings with the stage's threshold, in 10 s periods of the per-second metric", () => {
      for (const service of SERVICE_NAMES) {
        expect(alarmNamed(prod, `breaker-open-${service}`)).to.deep.include({
          metric_name: PIPELINE_METRICS.breakerOpened,
          period: BREAKER_ALARM_PERIOD_SECONDS,
          threshold: thresholds.breakerOpeningsPerPeriod,
        });
      }
    });

    it('alarms on undelivered or unread events and on failed redrive runs', () => {
      expect(alarmNamed(prod, 'pipeline-events-age')).to.deep.include({
        metric_name: 'ApproximateAgeOfOldestMessage',
        threshold: thresholds.pipelineEventAgeSeconds,
      });
      expect(alarmNamed(prod, 'pipeline-events-dlq')).to.deep.include({ metric_name: 'ApproximateNumberOfMessagesVisible', threshold: 0 });
      expect(alarmNamed(prod, 'redrive-failed')).to.deep.include({ metric_name: 'ApproximateNumberOfMessagesVisible', threshold: 0 });
    });
  });
});
