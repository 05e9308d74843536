#!/usr/bin/env node
// Prints the one closing line CI reads: "N passed, N failed". Lint or type-check failures count as one
// failure each run (--checks-failed), so a red check can never hide behind green tests.
import { existsSync, readFileSync } from 'node:fs';

const [file, flag] = process.argv.slice(2);
let passed = 0;
let failed = flag === '--checks-failed' ? 1 : 0;
if (file && existsSync(file)) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  // A file that fails to load fails no single test but must still count.
  if (!report.numFailedTests && report.numFailedTestSuites) failed += report.numFailedTestSuites;
  if (report.numTotalTests === 0) failed += 1;
} else {
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
