import { expect } from 'chai';
import { join } from 'node:path';
import { chromiumExecutable, MOTO_VENV, motoPython, SYSTEM_CHROMIUMS } from '../../tools/setup/test-tools.js';

/*
 * Where the suite looks for moto's Python and for a Chromium (tools/setup/test-tools.ts), which
 * `npm test`'s set-up (tools/setup/prepare-test-tools.ts) fills: an explicit choice first, then the
 * machine's, then what the set-up installed into the project. The node binary stands in for "an
 * executable that exists"; a path under /nonexistent for one that does not.
 */
describe('Module: test-tools', () => {
  describe('Function: chromiumExecutable', () => {
    const somewhere = process.execPath;

    it('takes CHROMIUM_PATH first, whatever else there is', () => {
      expect(chromiumExecutable({ CHROMIUM_PATH: '/opt/chrome/chrome' }, somewhere)).to.equal('/opt/chrome/chrome');
    });

    it("falls back to the unpacked one when the machine's is ignored, and to nothing when there is none", () => {
      expect(chromiumExecutable({ TEST_IGNORE_SYSTEM_CHROMIUM: '1' }, somewhere)).to.equal(somewhere);
      expect(chromiumExecutable({ TEST_IGNORE_SYSTEM_CHROMIUM: '1' }, '/nonexistent/chromium')).to.equal(undefined);
    });

    it("prefers the machine's Chromium, when it has one, to the unpacked one", () => {
      const found = chromiumExecutable({}, somewhere);

      expect([...SYSTEM_CHROMIUMS, somewhere]).to.include(found);
    });
  });

  describe('Function: motoPython', () => {
    it("takes MOTO_PYTHON first, else the project's .venv when set-up made one, else python3", () => {
      expect(motoPython({ MOTO_PYTHON: '/opt/python/bin/python3' })).to.equal('/opt/python/bin/python3');
      expect([join(MOTO_VENV, 'bin', 'python3'), 'python3']).to.include(motoPython({}));
    });
  });
});
