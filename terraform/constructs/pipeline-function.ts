import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { LambdaAlias } from '@cdktf/provider-aws/lib/lambda-alias/index.js';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import type { PipelineFunctionName } from '../../application/workflows/pipeline-function.js';
import { LAMBDA_HANDLER } from '../bundle.js';
import { environmentVariables, type FunctionEnvironment } from '../function-environment.js';
import { assumeRolePolicy, policyDocument, XRAY_WRITE, type PolicyStatement } from '../iam-policy.js';
import type { FunctionSettings } from '../stage-config.js';

export const LAMBDA_RUNTIME = 'nodejs22.x';
export const LIVE_ALIAS = 'live';

export interface AliasRouting {
  /** The version the alias keeps serving besides the newest; without it the alias follows the newest. */
  readonly previousVersion?: string;
  /** Share (0–1) of invocations sent to the newest version while a previous one is kept. */
  readonly newVersionWeight: number;
}

export interface PipelineFunctionProps {
  readonly name: PipelineFunctionName;
  readonly namePrefix: string;
  /** Folder holding the function's bundle (`index.mjs`); zipped at synth time. */
  readonly codeDirectory: string;
  readonly settings: FunctionSettings;
  readonly environment: FunctionEnvironment;
  readonly logRetentionDays: number;
  readonly logLevel: string;
  /** Everything the function may do besides writing its logs and traces. */
  readonly statements: readonly PolicyStatement[];
  readonly routing: AliasRouting;
}

/**
 * One Lambda function with everything it owns: its code archive, a log group with retention, a role of
 * its own whose policy allows only its logs, X-Ray and `statements`, and a `live` alias through which
 * every caller invokes it (so that migration phases can weight traffic between versions).
 */
export class PipelineFunction extends Construct {
  readonly function: LambdaFunction;
  readonly alias: LambdaAlias;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly functionName: string;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.functionName = `${props.namePrefix}-${props.name}`;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${this.functionName}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${this.functionName}-fn`,
      assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com'),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([
        { sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
        XRAY_WRITE,
        ...props.statements,
      ]),
    });
    const code = new TerraformAsset(this, 'code', { path: props.codeDirectory, type: AssetType.ARCHIVE });
    this.function = new LambdaFunction(this, 'function', {
      functionName: this.functionName,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      architectures: ['arm64'],
      handler: LAMBDA_HANDLER,
      filename: code.path,
      sourceCodeHash: code.assetHash,
      memorySize: props.settings.memoryMb,
      timeout: props.settings.timeoutSeconds,
      ...(props.settings.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.settings.reservedConcurrency }),
      publish: true,
      environment: { variables: environmentVariables(props.environment) },
      tracingConfig: { mode: 'Active' },
      loggingConfig: {
        logFormat: 'JSON',
        logGroup: this.logGroup.name,
        applicationLogLevel: props.logLevel,
        systemLogLevel: 'WARN',
      },
      dependsOn: [this.logGroup, policy],
    });
    this.alias = new LambdaAlias(this, 'alias', aliasConfig(this.function, props.routing));
  }
}

function aliasConfig(fn: LambdaFunction, routing: AliasRouting): ConstructorParameters<typeof LambdaAlias>[2] {
  const base = { name: LIVE_ALIAS, functionName: fn.functionName };
  const { previousVersion, newVersionWeight } = routing;
  if (previousVersion === undefined || newVersionWeight >= 1) return { ...base, functionVersion: fn.version };
  if (newVersionWeight <= 0) return { ...base, functionVersion: previousVersion };
  return { ...base, functionVersion: previousVersion, routingConfig: { additionalVersionWeights: { [fn.version]: newVersionWeight } } };
}
