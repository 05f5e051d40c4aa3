// End-to-end tests of the real layerlens binary (LAYERLENS_BIN) through VS Code's protocol
// library. They never reach a registry: every server gets offline mode and a private cache dir,
// or only FROM scratch.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test, TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CodeAction, Command, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol/node';
import { Client } from './harness';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlens-vscode-e2e-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
fs.mkdirSync(path.join(tmp, '.git'));
const rootUri = pathToFileURL(tmp).href;
const cacheDir = path.join(tmp, 'cache');
const offline = { offline: true, cacheDir };

const fixture = 'FROM alpine:3.19\nMAINTAINER me\nrun echo hi\nFOO bar\n';

function docUri(name: string): string {
  return pathToFileURL(path.join(tmp, name)).href;
}

function start(t: TestContext, opts: ConstructorParameters<typeof Client>[0]): Client {
  const c = new Client({ ...opts, env: { XDG_CACHE_HOME: path.join(tmp, 'xdg'), ...opts?.env } });
  t.after(() => c.kill());
  return c;
}

function hoverText(h: Hover | null): string {
  if (h === null) {
    return '';
  }
  const parts = Array.isArray(h.contents) ? h.contents : [h.contents];
  return parts.map((p) => (typeof p === 'string' ? p : (p as MarkupContent).value)).join('\n');
}

/** "code@line" keys of a diagnostics set, sorted, for comparing sets. */
function keys(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${String(d.code)}@${d.range.start.line}`).sort();
}

async function codeActions(c: Client, uri: string, d: Diagnostic): Promise<(CodeAction | Command)[]> {
  const r = await c.conn.sendRequest<(CodeAction | Command)[] | null>('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d], only: undefined, triggerKind: 1 },
  });
  return r ?? [];
}

function isAction(a: CodeAction | Command): a is CodeAction {
  return typeof (a as Command).command !== 'string';
}

/** Diagnostics of the default configuration, shared by the settings tests below. */
let defaults: Diagnostic[] | undefined;

test('initialize, diagnostics, hover, quick fix, refresh, shutdown with exit code 0', { timeout: 30000 }, async (t) => {
  const c = start(t, { initializationOptions: offline, configuration: (s) => (s === 'layerlens' ? offline : null) });
  const init = await c.initialize(rootUri);
  const caps = init.capabilities;
  assert.ok(caps.textDocumentSync !== undefined, 'textDocumentSync advertised');
  assert.ok(caps.hoverProvider, 'hoverProvider advertised');
  assert.ok(caps.codeActionProvider, 'codeActionProvider advertised');
  // The VS Code client offers only UTF-16; a server may omit positionEncoding or say utf-16.
  const enc = (caps as { positionEncoding?: string }).positionEncoding;
  assert.ok(enc === undefined || enc === 'utf-16', `positionEncoding = ${enc}`);

  const uri = docUri('Dockerfile');
  await c.open(uri, fixture);
  const diags = await c.diagnosticsFor(uri, 1, (ds) => ds.some((d) => d.code === 'UnknownInstruction'));
  t.diagnostic(`diagnostics v1: ${keys(diags).join(', ')}`);
  for (const d of diags) {
    assert.equal(d.source, 'layerlens', `source of ${JSON.stringify(d)}`);
    assert.equal(typeof d.code, 'string', `code of ${JSON.stringify(d)}`);
    assert.ok(d.severity !== undefined && d.severity >= 1 && d.severity <= 4);
  }
  const unknown = diags.find((d) => d.code === 'UnknownInstruction')!;
  assert.equal(unknown.range.start.line, 3);
  defaults = diags;

  // Hover on the lower-case `run` keyword.
  const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 2, character: 1 },
  });
  const ht = hoverText(hover);
  t.diagnostic(`hover: ${ht.split('\n')[0]}`);
  assert.match(ht, /RUN/i);

  // Find a quick fix that carries its edit (not an "Ignore" action), preferring the fix for
  // MaintainerDeprecated when that rule exists.
  const ordered = [...diags].sort((a, b) => Number(b.code === 'MaintainerDeprecated') - Number(a.code === 'MaintainerDeprecated'));
  let fix: { d: Diagnostic; a: CodeAction } | undefined;
  for (const d of ordered) {
    const actions = (await codeActions(c, uri, d)).filter(isAction);
    for (const a of actions) {
      if (a.edit !== undefined && !/^ignore/i.test(a.title) && fix === undefined) {
        fix = { d, a };
      }
    }
  }
  assert.ok(fix, `no quick fix with an edit for any of ${keys(diags).join(', ')}`);
  assert.equal(fix.d.code, 'MaintainerDeprecated', 'the MAINTAINER line should have the quick fix');
  t.diagnostic(`quick fix for ${String(fix.d.code)}: ${fix.a.title}`);
  if (fix.a.kind !== undefined) {
    assert.ok(fix.a.kind.startsWith('quickfix'), `kind = ${fix.a.kind}`);
  }
  c.applyWorkspaceEdit(fix.a.edit!);
  const v2 = await c.sendFullChange(uri);
  const after2 = await c.diagnosticsFor(uri, v2, (ds) => !ds.some((d) => d.code === fix!.d.code && d.range.start.line === fix!.d.range.start.line));
  t.diagnostic(`text after fix:\n${c.texts.get(uri)!.text}diagnostics v2: ${keys(after2).join(', ')}`);
  assert.match(c.texts.get(uri)!.text.split('\n')[1], /^LABEL /);

  assert.equal(await c.shutdown(), 0);
});

test('an "Ignore <Rule> on this line" action hides that finding', { timeout: 30000 }, async (t) => {
  const c = start(t, { initializationOptions: offline, configuration: () => offline });
  await c.initialize(rootUri);
  const uri = docUri('ignore.Dockerfile');
  await c.open(uri, fixture);
  const diags = await c.diagnosticsFor(uri, 1, (ds) => ds.some((d) => d.code === 'UnknownInstruction'));
  const rules = diags.filter((d) => d.code !== 'UnknownInstruction');
  assert.ok(rules.length > 0, 'the server reports no rule diagnostics on the fixture');
  let ignore: { d: Diagnostic; a: CodeAction } | undefined;
  for (const d of rules) {
    ignore ??= (await codeActions(c, uri, d))
      .filter(isAction)
      .filter((a) => a.edit !== undefined && /^ignore/i.test(a.title))
      .map((a) => ({ d, a }))[0];
  }
  assert.ok(ignore, `no "Ignore" action for any of ${keys(rules).join(', ')}`);
  t.diagnostic(`ignore action: ${ignore.a.title}`);
  assert.match(ignore.a.title, new RegExp(String(ignore.d.code)));
  const before = c.texts.get(uri)!.text;
  c.applyWorkspaceEdit(ignore.a.edit!);
  const after = c.texts.get(uri)!.text;
  // The suppression comment goes above the instruction, which moves down by the inserted lines.
  const line = ignore.d.range.start.line + after.split('\n').length - before.split('\n').length;
  assert.match(after, new RegExp(`#.*${String(ignore.d.code)}`));
  const v2 = await c.sendFullChange(uri);
  const ds = await c.diagnosticsFor(uri, v2);
  assert.ok(!ds.some((d) => d.code === ignore!.d.code && d.range.start.line === line), `still reported: ${keys(ds).join(', ')}`);
  assert.ok(ds.some((d) => d.code === 'UnknownInstruction'), 'the other findings stay');
  assert.equal(await c.shutdown(), 0);
});

test('an UTF-16 position after non-ASCII text hovers the right word', { timeout: 30000 }, async (t) => {
  const c = start(t, { initializationOptions: offline, configuration: () => offline });
  await c.initialize(rootUri);
  const uri = docUri('utf16.Dockerfile');
  // "é" is 2 bytes in UTF-8 but 1 UTF-16 unit, "😀" 4 bytes but 2 units: NAME starts at UTF-16
  // column 17 but byte column 20, so a server that mixed them up would miss it.
  const line = 'RUN echo "é😀" ${NAME}';
  await c.open(uri, `FROM scratch\nARG NAME=world\n${line}\n`);
  await c.diagnosticsFor(uri, 1);
  const character = line.indexOf('NAME') + 1;
  assert.equal(character, 18);
  const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 2, character },
  });
  const ht = hoverText(hover);
  t.diagnostic(`hover at 2:${character}: ${ht.split('\n')[0]}`);
  assert.match(ht, /NAME/);
  if (hover?.range) {
    assert.deepEqual(hover.range.start, { line: 2, character: 17 }, 'hover range starts at NAME in UTF-16 units');
  }
  assert.equal(await c.shutdown(), 0);
});

test('an untitled: document (a new VS Code editor set to Dockerfile) gets diagnostics', { timeout: 30000 }, async (t) => {
  const c = start(t, { initializationOptions: offline, configuration: () => offline });
  await c.initialize(rootUri);
  const uri = 'untitled:Untitled-1';
  await c.open(uri, 'FROM scratch\nFOO bar\n');
  const ds = await c.diagnosticsFor(uri, 1, (x) => x.some((d) => d.code === 'UnknownInstruction'));
  t.diagnostic(`untitled diagnostics: ${keys(ds).join(', ')}`);
  const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 1 },
  });
  assert.match(hoverText(hover), /FROM/);
  assert.equal(await c.shutdown(), 0);
});

test('workspace/configuration answered with null falls back to the defaults', { timeout: 30000 }, async (t) => {
  assert.ok(defaults, 'needs the first test');
  // No initializationOptions, and null for every configuration item: what Neovim sends when the
  // user configured nothing. The server must use its defaults, not turn everything off.
  const c = start(t, {});
  await c.initialize(rootUri);
  const uri = docUri('Dockerfile');
  // FROM scratch needs no registry, so the missing offline setting cannot make the test reach out.
  const text = fixture.replace('alpine:3.19', 'scratch');
  await c.open(uri, text);
  await c.diagnosticsFor(uri, 1);
  // Publish once more after any configuration round trip has certainly been answered.
  const v2 = await c.sendFullChange(uri);
  const ds = await c.diagnosticsFor(uri, v2);
  t.diagnostic(`configuration requests: ${JSON.stringify(c.configurationRequests.map((r) => r.items))}`);
  const want = keys(defaults.filter((d) => d.range.start.line !== 0));
  const got = keys(ds.filter((d) => d.range.start.line !== 0));
  assert.deepEqual(got, want);
  assert.equal(await c.shutdown(), 0);
});

test('the rules setting turns rules off and changes severities, also on didChangeConfiguration', { timeout: 30000 }, async (t) => {
  assert.ok(defaults, 'needs the first test');
  const rules = [...new Set(defaults.map((d) => String(d.code)).filter((c) => c !== 'UnknownInstruction'))];
  assert.ok(rules.length >= 2, `want two rule diagnostics on the fixture, have ${rules.join(', ')}`);
  const [offRule, sevRule] = rules;
  let settings: Record<string, unknown> = { ...offline, rules: { [offRule]: 'off' } };
  const c = start(t, { initializationOptions: settings, configuration: (s) => (s === 'layerlens' ? settings : null) });
  await c.initialize(rootUri);
  const uri = docUri('Dockerfile');
  await c.open(uri, fixture);
  let ds = await c.diagnosticsFor(uri, 1, (x) => x.some((d) => d.code === 'UnknownInstruction'));
  assert.ok(!ds.some((d) => d.code === offRule), `${offRule} is off but reported: ${keys(ds).join(', ')}`);

  // Change the settings as VS Code does: the new object is pushed and also answered on pull.
  const target = sevRule ?? offRule;
  settings = { ...offline, rules: { [target]: 'hint' } };
  const before = c.publishCount.get(uri) ?? 0;
  await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { layerlens: settings } });
  await c.waitFor('diagnostics republished after didChangeConfiguration', () => {
    const p = c.diagnostics.get(uri);
    return (c.publishCount.get(uri) ?? 0) > before && p !== undefined && p.diagnostics.some((d) => d.code === target && d.severity === 4);
  });
  ds = c.diagnostics.get(uri)!.diagnostics;
  if (sevRule !== undefined) {
    assert.ok(ds.some((d) => d.code === offRule), `${offRule} should be back after the change`);
  }
  assert.equal(await c.shutdown(), 0);
});

test('a base-image review reports $/progress (the status bar item) and hover shows the image', { timeout: 30000 }, async (t) => {
  // The image comes from the repository's OCI layout, so the review needs no registry.
  const layout = path.resolve(__dirname, '../../../../testdata/oci');
  assert.ok(fs.existsSync(path.join(layout, 'index.json')), `no OCI layout at ${layout}`);
  const settings = { ...offline, ociLayouts: [layout] };
  const c = start(t, { initializationOptions: settings, configuration: (s) => (s === 'layerlens' ? settings : null) });
  await c.initialize(rootUri);
  const uri = docUri('review.Dockerfile');
  await c.open(uri, 'FROM layerlens.test/demo/trapped:1.0\nRUN true\n');
  await c.waitFor('$/progress begin and end of a review', () => {
    const begun = c.progress.find((p) => p.value.kind === 'begin' && /review/i.test(p.value.title ?? ''));
    return begun !== undefined && c.progress.some((p) => p.token === begun.token && p.value.kind === 'end');
  }, 20000);
  const begin = c.progress.find((p) => p.value.kind === 'begin')!;
  t.diagnostic(`progress: ${begin.value.title}; ${c.progress.length} $/progress notifications`);
  assert.match(begin.value.title ?? '', /layerlens\.test\/demo\/trapped:1\.0|trapped/);
  const hover = await c.conn.sendRequest<Hover | null>('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 10 },
  });
  const ht = hoverText(hover);
  t.diagnostic(`image hover: ${ht.split('\n').slice(0, 3).join(' | ')}`);
  assert.match(ht, /trapped/);
  assert.equal(await c.shutdown(), 0);
});

test('layerlens.pinAll and layerlens.reviewImage, as the client commands send them', { timeout: 30000 }, async (t) => {
  const layout = path.resolve(__dirname, '../../../../testdata/oci');
  const settings = { ...offline, ociLayouts: [layout] };
  const c = start(t, { initializationOptions: settings, configuration: (s) => (s === 'layerlens' ? settings : null) });
  const init = await c.initialize(rootUri);
  const cmds = init.capabilities.executeCommandProvider?.commands ?? [];
  t.diagnostic(`executeCommandProvider.commands = ${JSON.stringify(cmds)}`);
  for (const name of cmds) {
    assert.match(name, /^layerlens\./);
  }
  // The clients' "not supported by this server version" path is covered by their own tests.
  assert.ok(cmds.includes('layerlens.pinAll') && cmds.includes('layerlens.reviewImage'), 'commands not advertised');
  const uri = docUri('pin.Dockerfile');
  await c.open(uri, 'FROM layerlens.test/demo/clean:1.0 AS a\nRUN true\n\nFROM layerlens.test/demo/trapped:1.0\n');
  await c.diagnosticsFor(uri, 1);

  // Re-review the FROM the cursor is in: [uri, position of the FROM keyword].
  const before = c.progress.filter((p) => p.value.kind === 'begin').length;
  const started = await c.conn.sendRequest('workspace/executeCommand', {
    command: 'layerlens.reviewImage',
    arguments: [uri, { line: 3, character: 0 }],
  });
  t.diagnostic(`reviewImage started ${JSON.stringify(started)}`);
  assert.equal(started, 1);
  await c.waitFor('a new review of trapped:1.0', () =>
    c.progress.filter((p) => p.value.kind === 'begin').length > before &&
    c.progress.some((p) => p.value.kind === 'begin' && /trapped/.test(p.value.title ?? '')),
  );

  // Pin all: the edit arrives as workspace/applyEdit.
  await c.conn.sendRequest('workspace/executeCommand', { command: 'layerlens.pinAll', arguments: [uri] });
  await c.waitFor('workspace/applyEdit from layerlens.pinAll', () => c.appliedEdits.length > 0, 20000);
  const text = c.texts.get(uri)!.text;
  t.diagnostic(`after pinAll:\n${text}`);
  assert.match(text, /^FROM layerlens\.test\/demo\/clean:1\.0@sha256:[0-9a-f]{64} AS a$/m);
  assert.match(text, /^FROM layerlens\.test\/demo\/trapped:1\.0@sha256:[0-9a-f]{64}$/m);
  assert.equal(await c.shutdown(), 0);
});
