import { expect } from 'chai';
import { credentialsFromEnvironment, defaultProvider } from '../../adapters/aws/lambda-credentials.js';

describe('Module: lambda-credentials', () => {
  describe('Function: credentialsFromEnvironment', () => {
    it("reads the variables the SDK's fromEnv reads, leaving out the unset ones", () => {
      const env = {
        AWS_ACCESS_KEY_ID: 'AKID',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_CREDENTIAL_EXPIRATION: '2026-12-02T18:00:00Z',
        AWS_ACCOUNT_ID: '123456789012',
      };
      expect(credentialsFromEnvironment(env)).to.deep.equal({
        accessKeyId: 'AKID',
        secretAccessKey: 'secret',
        sessionToken: 'token',
        expiration: new Date('2026-12-02T18:00:00Z'),
        accountId: '123456789012',
      });
      expect(
        credentialsFromEnvironment({ AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: '' }),
      ).to.deep.equal({ accessKeyId: 'AKID', secretAccessKey: 'secret' });
    });

    it('throws an error that says where credentials were looked for when the key or the secret is missing', () => {
      for (const env of [
        {},
        { AWS_ACCESS_KEY_ID: 'AKID' },
        { AWS_SECRET_ACCESS_KEY: 'secret' },
        { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 'secret' },
      ]) {
        expect(() => credentialsFromEnvironment(env)).to.throw(/AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
      }
    });
  });

  describe('Function: defaultProvider', () => {
    it('reads the process environment on every call (the client memoizes)', async () => {
      const saved = { ...process.env };
      try {
        process.env = { ...saved, AWS_ACCESS_KEY_ID: 'AKID-1', AWS_SECRET_ACCESS_KEY: 's-1' };
        const provider = defaultProvider();
        expect((await provider()).accessKeyId).to.equal('AKID-1');
        process.env = { ...saved, AWS_ACCESS_KEY_ID: 'AKID-2', AWS_SECRET_ACCESS_KEY: 's-2' };
        expect((await provider()).accessKeyId).to.equal('AKID-2');
      } finally {
        process.env = saved;
      }
    });
  });
});
