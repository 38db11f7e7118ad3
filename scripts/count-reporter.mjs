// A node:test reporter that only counts finished tests (not suites) and writes one JSON line at the end.
// scripts/test.mjs reads it to print the final "N passed, N failed" summary.
export default async function* countReporter(source) {
  let passed = 0,
    failed = 0,
    skipped = 0,
    todo = 0;
  const failures = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    if (d.details?.type === 'suite') continue;
    if (d.skip) {
      skipped++;
      continue;
    }
    if (d.todo) {
      todo++;
      continue;
    }
    if (event.type === 'test:pass') passed++;
    else {
      failed++;
      failures.push(`${d.file ?? ''} › ${d.name}`);
    }
  }
  yield JSON.stringify({ passed, failed, skipped, todo, failures }) + '\n';
}
