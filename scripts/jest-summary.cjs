// Ends a jest run with one plain line, "tests: N passed, N failed", that CI can read
// whatever the runner's own summary looks like.
class PlainSummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : '') + '\n',
    );
  }
}
module.exports = PlainSummaryReporter;
