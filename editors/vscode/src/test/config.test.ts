import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configurationAnswer,
  expandPath,
  expandSettingPaths,
  resolveServerPath,
  ResolveInput,
  serverArgs,
  serverSettings,
} from '../config';

function input(files: string[], over: Partial<ResolveInput> = {}): ResolveInput {
  return {
    configured: '',
    extensionPath: '/ext',
    platform: 'linux',
    arch: 'x64',
    home: '/home/u',
    pathEnv: '/usr/local/bin:/usr/bin',
    isFile: (p) => files.includes(p),
    ...over,
  };
}

test('resolveServerPath prefers the setting over bundled and PATH', () => {
  const files = ['/opt/ll/layerlens', '/ext/bin/layerlens', '/usr/bin/layerlens'];
  assert.deepEqual(resolveServerPath(input(files, { configured: '/opt/ll/layerlens' })), {
    found: { path: '/opt/ll/layerlens', source: 'setting' },
  });
});

test('resolveServerPath expands ~ and ${workspaceFolder} in the setting', () => {
  assert.deepEqual(resolveServerPath(input(['/home/u/bin/layerlens'], { configured: '~/bin/layerlens' })).found, {
    path: '/home/u/bin/layerlens',
    source: 'setting',
  });
  assert.deepEqual(
    resolveServerPath(input(['/ws/tools/layerlens'], { configured: '${workspaceFolder}/tools/layerlens', workspaceFolder: '/ws' }))
      .found,
    { path: '/ws/tools/layerlens', source: 'setting' },
  );
  // A relative setting is relative to the workspace folder.
  assert.deepEqual(
    resolveServerPath(input(['/ws/bin/layerlens'], { configured: 'bin/layerlens', workspaceFolder: '/ws' })).found,
    { path: '/ws/bin/layerlens', source: 'setting' },
  );
});

test('resolveServerPath reports a wrong setting instead of falling back', () => {
  const r = resolveServerPath(input(['/usr/bin/layerlens'], { configured: '/nope/layerlens' }));
  assert.equal(r.found, undefined);
  assert.ok(!('found' in r && r.found));
  if (r.found === undefined) {
    assert.deepEqual(r.tried, ['/nope/layerlens']);
    assert.match(r.error ?? '', /layerlens\.server\.path.*\/nope\/layerlens/);
  }
});

test('resolveServerPath uses the platform-specific bundled binary, then bin/, then PATH', () => {
  assert.deepEqual(resolveServerPath(input(['/ext/bin/linux-x64/layerlens', '/ext/bin/layerlens'])).found, {
    path: '/ext/bin/linux-x64/layerlens',
    source: 'bundled',
  });
  assert.deepEqual(resolveServerPath(input(['/ext/bin/layerlens', '/usr/bin/layerlens'])).found, {
    path: '/ext/bin/layerlens',
    source: 'bundled',
  });
  assert.deepEqual(resolveServerPath(input(['/usr/bin/layerlens'])).found, { path: '/usr/bin/layerlens', source: 'path' });
});

test('resolveServerPath lists every place tried when nothing is found', () => {
  const r = resolveServerPath(input([], { pathEnv: '/a::/b' }));
  assert.equal(r.found, undefined);
  if (r.found === undefined) {
    assert.deepEqual(r.tried, [
      '/ext/bin/linux-x64/layerlens',
      '/ext/bin/layerlens',
      '/a/layerlens',
      '/b/layerlens',
    ]);
    assert.equal(r.error, undefined);
  }
});

test('resolveServerPath uses layerlens.exe and ; on Windows', () => {
  const r = resolveServerPath(
    input(['C:\\tools\\layerlens.exe'], { platform: 'win32', extensionPath: 'C:\\ext', pathEnv: 'C:\\bin;C:\\tools' }),
  );
  assert.deepEqual(r.found, { path: 'C:\\tools\\layerlens.exe', source: 'path' });
});

test('expandPath handles ~, ${userHome} and ${env:X}', () => {
  assert.equal(expandPath('~', '/h'), '/h');
  assert.equal(expandPath('${userHome}/c', '/h'), '/h/c');
  assert.equal(expandPath('${env:CACHE}/ll', '/h', undefined, { CACHE: '/var/cache' }), '/var/cache/ll');
  assert.equal(expandPath('${workspaceFolder}/x', '/h'), '${workspaceFolder}/x');
});

test('serverSettings maps every layerlens.* setting to the server settings object', () => {
  const values: Record<string, unknown> = {
    'server.path': '/x',
    'server.args': ['serve'],
    rules: { MaintainerDeprecated: 'off', CurlPipeShell: 'Error' },
    trustedRegistries: ['registry.example.com'],
    platform: 'linux/arm64',
    offline: true,
    mirrors: { 'docker.io': ['mirror.example'] },
    insecureRegistries: ['localhost:5000'],
    cacheDir: '/tmp/c',
    buildArgs: { BASE: 'alpine', N: 3 },
    ociLayouts: ['./layouts/a'],
    'trace.server': 'verbose',
    'format.indent': 'normalize',
    'format.continuationIndent': 2,
  };
  assert.deepEqual(serverSettings((k) => values[k]), {
    rules: { MaintainerDeprecated: 'off', CurlPipeShell: 'error' },
    trustedRegistries: ['registry.example.com'],
    platform: 'linux/arm64',
    offline: true,
    mirrors: { 'docker.io': ['mirror.example'] },
    insecureRegistries: ['localhost:5000'],
    cacheDir: '/tmp/c',
    buildArgs: { BASE: 'alpine', N: '3' },
    ociLayouts: ['./layouts/a'],
    trace: 'verbose',
    format: { indent: 'normalize', continuationIndent: 2 },
  });
});

test('serverSettings leaves defaults out so the server applies its own', () => {
  const defaults: Record<string, unknown> = {
    rules: {},
    trustedRegistries: [],
    platform: '',
    offline: false,
    mirrors: {},
    insecureRegistries: [],
    cacheDir: '',
    buildArgs: {},
    ociLayouts: [],
    'trace.server': 'off',
    'format.indent': 'preserve',
    'format.continuationIndent': 4,
  };
  assert.deepEqual(serverSettings((k) => defaults[k]), {
    offline: false,
    trace: 'off',
    format: { indent: 'preserve', continuationIndent: 4 },
  });
  assert.deepEqual(serverSettings(() => undefined), {});
});

test('serverSettings drops invalid entries and says why', () => {
  const problems: string[] = [];
  const s = serverSettings(
    (k) =>
      ({
        rules: { A: 'loud', B: 'hint', C: 3 },
        mirrors: { 'docker.io': 'one.example', 'ghcr.io': 7 },
        trustedRegistries: ['ok', 5, ''],
      })[k],
    problems,
  );
  assert.deepEqual(s, { rules: { B: 'hint' }, mirrors: { 'docker.io': ['one.example'] }, trustedRegistries: ['ok'] });
  assert.equal(problems.length, 3);
  assert.match(problems[0], /layerlens\.rules\.A/);
});

test('expandSettingPaths expands cacheDir and ociLayouts only', () => {
  assert.deepEqual(
    expandSettingPaths({ cacheDir: '~/c', ociLayouts: ['${workspaceFolder}/l'], platform: '~' }, '/h', '/ws'),
    { cacheDir: '/h/c', ociLayouts: ['/ws/l'], platform: '~' },
  );
});

test('configurationAnswer answers the layerlens section and null for others', () => {
  const s = { offline: true };
  assert.deepEqual(configurationAnswer([{ section: 'layerlens' }, { section: 'editor' }, {}], s), [s, null, s]);
});

test('serverArgs defaults to serve and drops --stdio', () => {
  assert.deepEqual(serverArgs(undefined), ['serve']);
  assert.deepEqual(serverArgs(['serve', '--stdio', '-v']), ['serve', '-v']);
  assert.deepEqual(serverArgs([]), []);
});
