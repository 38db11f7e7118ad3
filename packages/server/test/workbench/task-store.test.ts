/**
 * The workbench TaskStore on the real database of the backend under test (SQLite by default):
 * conditional transitions decide races, every transition is recorded with its time, updated_at is
 * strictly increasing, workbook versions use optimistic locking, deletes take everything along.
 * And the state machine's table: which moves exist at all.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlJobStore } from '../../src/adapters/sql/sql.store.ts';
import { SqlTaskStore } from '../../src/adapters/sql/sql.tasks.ts';
import { TASK_STATUSES, type TaskStatus } from '../../src/ports/task-store.port.ts';
import { canMove, sourcesOf, TRANSITIONS } from '../../src/workbench/task.state.ts';
import { newTaskId } from '../../src/workbench/tasks.service.ts';
import { openTestStore } from '../helpers/server.helper.ts';

let tasks: SqlTaskStore;
let close: () => Promise<void>;

before(async () => {
  const t = await openTestStore();
  assert.ok(t.store instanceof SqlJobStore);
  tasks = new SqlTaskStore(t.store.db);
  close = t.close;
});
after(() => close?.());

async function newTask(now = 1_000) {
  return tasks.insertTask(
    { id: newTaskId(), tenant: 'default', filename: '报表.jpg', mime: 'image/jpeg', sizeBytes: 10, sha256: 'a'.repeat(64), sourceKey: 'k', pageCount: 1, now },
    ['created', 'uploaded'],
  );
}

test('a new task records created and uploaded; the list is newest first and paginated', async () => {
  const a = await newTask(1_000);
  const b = await newTask(2_000);
  const c = await newTask(3_000);
  assert.equal(a.status, 'uploaded');
  assert.equal(a.filename, '报表.jpg');
  const tr = await tasks.listTransitions([a.id]);
  assert.deepEqual(tr.get(a.id), [
    { seq: 1, status: 'created', at: 1_000 },
    { seq: 2, status: 'uploaded', at: 1_000 },
  ]);
  const p1 = await tasks.listTasks({ offset: 0, limit: 2 });
  assert.ok(p1.total >= 3);
  assert.deepEqual(
    p1.items.map((t) => t.id),
    [c.id, b.id],
  );
  const p2 = await tasks.listTasks({ offset: 2, limit: 2 });
  assert.equal(p2.items[0].id, a.id);
});

test('two racing transitions out of ocr_processing: exactly one wins, one transition row', async () => {
  const t = await newTask();
  assert.ok(await tasks.transition(t.id, { from: ['uploaded'], to: 'ocr_processing', now: 2_000 }));
  const results = await Promise.all([
    tasks.transition(t.id, { from: ['ocr_processing'], to: 'ocr_done', jobId: 'JOB1', patch: { ocrJobId: 'JOB1' }, now: 3_000 }),
    tasks.transition(t.id, { from: ['ocr_processing'], to: 'ocr_done', jobId: 'JOB1', patch: { ocrJobId: 'JOB1' }, now: 3_000 }),
  ]);
  assert.equal(results.filter(Boolean).length, 1);
  const statuses = (await tasks.listTransitions([t.id])).get(t.id)!.map((x) => x.status);
  assert.deepEqual(statuses, ['created', 'uploaded', 'ocr_processing', 'ocr_done']);
});

test('a transition for another OCR job than the task follows does not apply', async () => {
  const t = await newTask();
  await tasks.transition(t.id, { from: ['uploaded'], to: 'ocr_processing', now: 2_000 });
  await tasks.patch(t.id, ['ocr_processing'], { ocrJobId: 'JOB_A' }, 2_001);
  assert.equal(await tasks.transition(t.id, { from: ['ocr_processing'], to: 'ocr_failed', jobId: 'JOB_B', now: 3_000 }), null);
  const moved = await tasks.transition(t.id, { from: ['ocr_processing'], to: 'ocr_failed', jobId: 'JOB_A', patch: { errorMessage: 'boom' }, now: 3_000 });
  assert.equal(moved?.status, 'ocr_failed');
  assert.equal(moved?.errorMessage, 'boom');
});

test('updated_at is strictly increasing even for changes in the same millisecond', async () => {
  const t = await newTask(5_000);
  const a = await tasks.transition(t.id, { from: ['uploaded'], to: 'ocr_processing', now: 5_000 });
  const b = await tasks.patch(t.id, ['ocr_processing'], { ocrJobId: 'J' }, 5_000);
  const c = await tasks.patch(t.id, ['ocr_processing'], { pageCount: 2 }, 4_000); // a clock that went back
  assert.ok(a && b && c);
  assert.ok(a.updatedAt > t.updatedAt && b.updatedAt > a.updatedAt && c.updatedAt > b.updatedAt, `${t.updatedAt} ${a.updatedAt} ${b.updatedAt} ${c.updatedAt}`);
  const tr = (await tasks.listTransitions([t.id])).get(t.id)!;
  assert.equal(tr[tr.length - 1].at, a.updatedAt);
});

test('workbook versions: the first moves the task, saves need the latest base, racing saves get one winner', async () => {
  const t = await newTask();
  for (const [from, to] of [
    ['uploaded', 'ocr_processing'],
    ['ocr_processing', 'ocr_done'],
  ] as [TaskStatus, TaskStatus][])
    await tasks.transition(t.id, { from: [from], to, now: 2_000 });
  const sheets = JSON.stringify([{ name: 'T', rows: [['a']], merges: [] }]);
  const v1 = await tasks.addVersion(t.id, {
    source: 'ocr',
    sheets,
    xlsxKey: 'x1',
    baseVersion: null,
    requireStatus: ['ocr_done'],
    to: 'excel_generated',
    tableCount: 1,
    now: 3_000,
  });
  assert.ok(v1.ok && v1.version === 1 && v1.task.status === 'excel_generated' && v1.task.tableCount === 1);
  // Not editable yet: a save is refused for its state.
  const early = await tasks.addVersion(t.id, { source: 'edit', sheets, xlsxKey: 'x', baseVersion: 1, requireStatus: ['editable'], now: 3_500 });
  assert.deepEqual([early.ok, !early.ok && early.reason], [false, 'state']);
  await tasks.transition(t.id, { from: ['excel_generated'], to: 'editable', now: 4_000 });
  const racing = await Promise.all(
    [1, 2].map((i) => tasks.addVersion(t.id, { source: 'edit', sheets, xlsxKey: `e${i}`, baseVersion: 1, requireStatus: ['editable'], now: 5_000 })),
  );
  assert.equal(racing.filter((r) => r.ok).length, 1);
  const loser = racing.find((r) => !r.ok);
  assert.equal(loser && !loser.ok && loser.reason, 'version');
  const stale = await tasks.addVersion(t.id, { source: 'edit', sheets, xlsxKey: 'x', baseVersion: 1, requireStatus: ['editable'], now: 6_000 });
  assert.equal(!stale.ok && stale.reason, 'version');
  assert.deepEqual(
    (await tasks.listVersions(t.id)).map((v) => [v.version, v.source]),
    [
      [1, 'ocr'],
      [2, 'edit'],
    ],
  );
  assert.equal((await tasks.getVersion(t.id, null))?.version, 2);
  assert.equal((await tasks.getVersion(t.id, 1))?.xlsxKey, 'x1');
  assert.equal((await tasks.getTask(t.id))?.workbookVersion, 2);
  // Status history: saving kept it editable without new transitions.
  assert.deepEqual(
    (await tasks.listTransitions([t.id])).get(t.id)!.map((x) => x.status),
    ['created', 'uploaded', 'ocr_processing', 'ocr_done', 'excel_generated', 'editable'],
  );

  const gone = await tasks.deleteTask(t.id);
  assert.equal(gone?.id, t.id);
  assert.equal(await tasks.getTask(t.id), null);
  assert.deepEqual(await tasks.listVersions(t.id), []);
  assert.deepEqual((await tasks.listTransitions([t.id])).get(t.id), []);
  assert.equal(await tasks.deleteTask(t.id), null);
});

test('the state machine: the documented moves and nothing else', () => {
  assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...TASK_STATUSES].sort());
  const allowed = TASK_STATUSES.flatMap((a) => TASK_STATUSES.filter((b) => canMove(a, b)).map((b) => `${a}>${b}`)).sort();
  assert.deepEqual(
    allowed,
    [
      'created>uploaded',
      'uploaded>ocr_processing',
      'ocr_processing>ocr_done',
      'ocr_processing>ocr_failed',
      'ocr_done>excel_generated',
      'ocr_done>excel_failed',
      'ocr_done>ocr_failed',
      'excel_generated>editable',
      'excel_generated>excel_failed',
      'ocr_failed>ocr_processing',
      'excel_failed>ocr_done',
    ].sort(),
  );
  assert.deepEqual(sourcesOf('ocr_processing').sort(), ['ocr_failed', 'uploaded']);
  assert.equal(canMove('editable', 'ocr_processing'), false);
});
