// Unit tests of the client-side status rules: `node --test web/src/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dayOf, isoOf, statusAt, sweep, UNSCHEDULED, PLANNED, IN_PROGRESS, DONE, LATE } from './status.js';

const d = dayOf;

test('a work is planned before its first day, in progress through its last day, done after', () => {
  const [s, e, dl] = [d('2027-03-10'), d('2027-03-20'), d('2027-04-01')];
  assert.equal(statusAt(d('2027-03-09'), s, e, dl), PLANNED);
  assert.equal(statusAt(d('2027-03-10'), s, e, dl), IN_PROGRESS);
  assert.equal(statusAt(d('2027-03-20'), s, e, dl), IN_PROGRESS);
  assert.equal(statusAt(d('2027-03-21'), s, e, dl), DONE);
});

test('a work not finished by its deadline is late until its last day of work', () => {
  const [s, e, dl] = [d('2027-03-10'), d('2027-03-20'), d('2027-03-15')];
  assert.equal(statusAt(d('2027-03-15'), s, e, dl), IN_PROGRESS);
  assert.equal(statusAt(d('2027-03-16'), s, e, dl), LATE);
  assert.equal(statusAt(d('2027-03-21'), s, e, dl), DONE);
});

test('a work without dates is unscheduled, and late once its deadline passes', () => {
  assert.equal(statusAt(d('2027-03-01'), NaN, NaN, NaN), UNSCHEDULED);
  assert.equal(statusAt(d('2027-03-01'), NaN, NaN, d('2027-02-01')), LATE);
});

test('day numbers round-trip through ISO dates and reject garbage', () => {
  assert.equal(isoOf(d('2027-11-30')), '2027-11-30');
  assert.ok(Number.isNaN(d(null)));
  assert.ok(Number.isNaN(d('not a date')));
});

test('a sweep reports only the items whose status changed and counts all', () => {
  const starts = Float64Array.of(d('2027-03-01'), d('2027-04-01'));
  const ends = Float64Array.of(d('2027-03-05'), d('2027-04-05'));
  const deadlines = Float64Array.of(NaN, NaN);
  const prev = new Int8Array(2).fill(-1);
  const changes = [];
  let counts = sweep(d('2027-03-02'), starts, ends, deadlines, prev, (i, s) => changes.push([i, s]));
  assert.deepEqual(changes, [[0, IN_PROGRESS], [1, PLANNED]]);
  assert.deepEqual(counts, [0, 1, 1, 0, 0]);
  changes.length = 0;
  counts = sweep(d('2027-03-03'), starts, ends, deadlines, prev, (i, s) => changes.push([i, s]));
  assert.deepEqual(changes, []);
  counts = sweep(d('2027-03-06'), starts, ends, deadlines, prev, (i, s) => changes.push([i, s]));
  assert.deepEqual(changes, [[0, DONE]]);
  assert.deepEqual(counts, [0, 1, 0, 1, 0]);
});
