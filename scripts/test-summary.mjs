#!/usr/bin/env node
// Prints the one closing line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON
// report, and exits non-zero on any failure or when the report is missing.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(reportPath)) {
  console.log(`test runner wrote no report at ${reportPath}: it crashed before finishing`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const passed = report.numPassedTests ?? 0;
// Suites that fail to load (syntax error, missing import) count as failures too.
const failedSuites = (report.testResults ?? []).filter(
  (s) => s.status === 'failed' && (s.assertionResults ?? []).every((a) => a.status !== 'failed'),
).length;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
