/**
 * Jest runs the compiled tests in dist/ (tsc builds apps, libs and tests together, so Nest's decorator
 * metadata and the path aliases are exactly what the services run with).
 *   unit: *.spec.js beside the code       e2e: test/**\/*.e2e-spec.js, against the real stack
 */
module.exports = {
  rootDir: 'dist',
  testEnvironment: 'node',
  testMatch: ['**/*.spec.js', '**/*.e2e-spec.js'],
  testTimeout: 120000,
  maxWorkers: 1,
  verbose: true,
};
