import { expect } from 'chai';
import { policyDocument } from '../../terraform/iam-policy.js';

describe('Stack: IAM', () => {
  describe('Function: policyDocument', () => {
    it('refuses a wildcard action', () => {
      expect(() => policyDocument([{ sid: 'Bad', actions: ['sqs:*'], resources: ['arn:aws:sqs:eu-west-1:1:q'] }])).to.throw(
        /wildcard action/,
      );
    });

    it('refuses a * resource for an action that has a narrower one', () => {
      expect(() => policyDocument([{ sid: 'Bad', actions: ['sqs:SendMessage'], resources: ['*'] }])).to.throw(/narrower resource/);
    });
  });
});
