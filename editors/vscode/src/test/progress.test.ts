import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressTracker } from '../progress';

test('ProgressTracker shows one task with its message and percentage, then hides', () => {
  const p = new ProgressTracker();
  assert.equal(p.view(), undefined);
  assert.ok(p.update('t1', { kind: 'begin', title: 'Reviewing alpine:3.20' }));
  assert.equal(p.view()?.text, '$(sync~spin) Reviewing alpine:3.20');
  assert.ok(p.update('t1', { kind: 'report', message: 'layer 2/3', percentage: 66.6 }));
  assert.equal(p.view()?.text, '$(sync~spin) Reviewing alpine:3.20: layer 2/3 (67%)');
  assert.ok(p.update('t1', { kind: 'end' }));
  assert.equal(p.view(), undefined);
});

test('ProgressTracker counts concurrent tasks and ignores unknown tokens', () => {
  const p = new ProgressTracker();
  p.update(1, { kind: 'begin', title: 'Reviewing a' });
  p.update('2', { kind: 'begin', title: 'Reviewing b' });
  assert.equal(p.update('nope', { kind: 'report', message: 'x' }), false);
  assert.equal(p.update('nope', { kind: 'end' }), false);
  assert.equal(p.view()?.text, '$(sync~spin) layerlens: 2 tasks');
  assert.equal(p.view()?.tooltip, 'Reviewing a\nReviewing b');
  p.update('1', { kind: 'end' });
  assert.equal(p.size, 1);
  p.clear();
  assert.equal(p.view(), undefined);
});
