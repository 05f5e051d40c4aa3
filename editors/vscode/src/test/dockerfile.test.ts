import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromForLine, fromLines } from '../dockerfile';

test('fromLines finds FROM images, skipping flags, comments and continuations', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    'FROM --platform=$BUILDPLATFORM golang:1.23 AS build',
    'RUN echo \\',
    'from not-an-instruction',
    '# FROM commented',
    '  from alpine:3.20',
    'FROM \\',
    '  scratch',
  ].join('\n');
  assert.deepEqual(fromLines(text), [
    { line: 1, character: 0, image: 'golang:1.23' },
    { line: 5, character: 2, image: 'alpine:3.20' },
  ]);
});

test('fromForLine picks the FROM of the stage the cursor is in', () => {
  const froms = [
    { line: 1, character: 0, image: 'a' },
    { line: 5, character: 0, image: 'b' },
  ];
  assert.equal(fromForLine(froms, 0), undefined);
  assert.equal(fromForLine(froms, 1)?.image, 'a');
  assert.equal(fromForLine(froms, 4)?.image, 'a');
  assert.equal(fromForLine(froms, 9)?.image, 'b');
});
