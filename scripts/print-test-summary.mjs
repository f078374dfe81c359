// Adds up jest's --json result files and prints the closing line CI reads:
// "tests: N passed, N failed" (", N skipped" when any were). Exits 1 when a file is missing,
// a suite failed to run, or no test ran at all.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`summary: ${file} is missing (jest did not finish)`);
    broken++;
    continue;
  }
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  broken += result.numRuntimeErrorTestSuites;
}
if (broken > 0) console.error(`summary: ${broken} test file(s) could not run`);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken > 0 || passed === 0 ? 1 : 0);
