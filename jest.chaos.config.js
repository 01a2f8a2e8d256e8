/** `npm run test:chaos`: long burst tests that hurt the stack; each file starts its own. */
const base = require('./jest.config');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/chaos'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 900000,
  maxWorkers: 1,
};
