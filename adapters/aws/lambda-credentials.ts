import type { AwsCredentialIdentity } from '@smithy/types';

/**
 * What the deployed bundles use in place of `@aws-sdk/credential-provider-node` (terraform/bundle.ts swaps
 * it in at bundle time; the tests, the harness and the tools keep the SDK's full default chain).
 *
 * Inside Lambda the execution role's credentials are in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and that is the first link of the SDK's own chain, the one it
 * takes there. The rest of the chain (shared ini files, SSO, web identity, processes, container and
 * instance metadata) and the STS and SSO clients it nests are never reached in Lambda, but were a fifth of
 * every bundle. Reads the same variables as the SDK's `fromEnv`; the client memoizes and refreshes as with
 * any provider.
 */
export function defaultProvider(): () => Promise<AwsCredentialIdentity> {
  return async () => credentialsFromEnvironment(process.env);
}

export function credentialsFromEnvironment(env: Readonly<Record<string, string | undefined>>): AwsCredentialIdentity {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): the deployed bundle reads only the credentials Lambda puts there',
    );
  }
  const sessionToken = env.AWS_SESSION_TOKEN;
  const expiration = env.AWS_CREDENTIAL_EXPIRATION;
  const credentialScope = env.AWS_CREDENTIAL_SCOPE;
  const accountId = env.AWS_ACCOUNT_ID;
  return {
    accessKeyId,
    secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    ...(expiration ? { expiration: new Date(expiration) } : {}),
    ...(credentialScope ? { credentialScope } : {}),
    ...(accountId ? { accountId } : {}),
  };
}
