// Tests of extension.ts's wiring with in-memory stand-ins for the 'vscode' and
// 'vscode-languageclient/node' modules (Node 20 has no mock.module, so Module._load is hooked
// before the extension is loaded). They check what activate() hands to the LanguageClient and
// how the commands, settings changes and progress behave. The real client against the real
// server is covered by test-vscode/ (code-server) and the protocol tests in src/e2e/.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, test } from 'node:test';

type Fn = (...args: any[]) => any;

const messages: { level: string; text: string }[] = [];
const commands = new Map<string, Fn>();
let settings: Record<string, unknown> = {};
let configListeners: Fn[] = [];
let activeEditor: any;
const clients: FakeClient[] = [];
const statusItem = { text: '', tooltip: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() {} };

const State = { Stopped: 1, Starting: 3, Running: 2 };

class FakeClient {
  state = State.Stopped;
  initializeResult: any = { capabilities: {} };
  requests: { type: any; params: any }[] = [];
  notifications: { method: string; params: any }[] = [];
  stateListeners: Fn[] = [];
  constructor(
    public id: string,
    public name: string,
    public serverOptions: any,
    public clientOptions: any,
  ) {
    clients.push(this);
  }
  async start(): Promise<void> {
    this.state = State.Running;
  }
  async stop(): Promise<void> {
    this.state = State.Stopped;
    for (const l of this.stateListeners) l({ oldState: State.Running, newState: State.Stopped });
  }
  onDidChangeState(l: Fn) {
    this.stateListeners.push(l);
    return { dispose() {} };
  }
  async sendRequest(type: any, params: any) {
    this.requests.push({ type, params });
    return null;
  }
  async sendNotification(method: string, params: any) {
    this.notifications.push({ method, params });
  }
}

const fakeVscode = {
  StatusBarAlignment: { Left: 1, Right: 2 },
  window: {
    createOutputChannel: () => ({ info() {}, warn() {}, error() {}, show() {}, dispose() {} }),
    createStatusBarItem: () => statusItem,
    showErrorMessage: async (text: string) => void messages.push({ level: 'error', text }),
    showWarningMessage: async (text: string) => void messages.push({ level: 'warning', text }),
    showQuickPick: async () => undefined,
    showInputBox: async () => undefined,
    get activeTextEditor() {
      return activeEditor;
    },
  },
  workspace: {
    workspaceFolders: [{ uri: { fsPath: '/ws' } }],
    getConfiguration: () => ({ get: (k: string) => settings[k] }),
    onDidChangeConfiguration: (l: Fn) => {
      configListeners.push(l);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand: (name: string, fn: Fn) => {
      assert.ok(!commands.has(name), `command ${name} registered twice`);
      commands.set(name, fn);
      return { dispose: () => commands.delete(name) };
    },
    executeCommand: async () => undefined,
  },
};

const fakeClientModule = {
  LanguageClient: FakeClient,
  State,
  TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 },
  ExecuteCommandRequest: { type: { method: 'workspace/executeCommand' } },
};

const realLoad = (Module as any)._load;
(Module as any)._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return fakeVscode;
  if (request === 'vscode-languageclient/node') return fakeClientModule;
  return realLoad.call(this, request, ...rest);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension: typeof import('../extension') = require('../extension');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlens-activate-'));
const serverBin = path.join(tmp, 'layerlens');
fs.writeFileSync(serverBin, '#!/bin/sh\n', { mode: 0o755 });
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function context(extensionPath = path.join(tmp, 'ext')) {
  return { extensionPath, subscriptions: [] as { dispose(): unknown }[] };
}

async function activate(s: Record<string, unknown>, extensionPath?: string) {
  settings = s;
  const ctx = context(extensionPath);
  await extension.activate(ctx as any);
  return ctx;
}

afterEach(async () => {
  await extension.deactivate();
  commands.clear();
  configListeners = [];
  messages.length = 0;
  clients.length = 0;
  activeEditor = undefined;
  statusItem.hide();
});

test('activate starts the server from layerlens.server.path with the mapped settings', async () => {
  await activate({
    'server.path': serverBin,
    rules: { MaintainerDeprecated: 'off' },
    offline: true,
    cacheDir: '${workspaceFolder}/.cache',
    'trace.server': 'off',
  });
  assert.equal(clients.length, 1);
  const c = clients[0];
  assert.equal(c.id, 'layerlens');
  assert.deepEqual(c.serverOptions, { command: serverBin, args: ['serve'], transport: 0 });
  assert.deepEqual(c.clientOptions.initializationOptions, {
    rules: { MaintainerDeprecated: 'off' },
    offline: true,
    cacheDir: '/ws/.cache',
    trace: 'off',
  });
  assert.ok(c.clientOptions.documentSelector.some((s: any) => s.language === 'dockerfile' && s.scheme === 'file'));
  // workspace/configuration is answered with the same object for section layerlens only.
  const answer = c.clientOptions.middleware.workspace.configuration({ items: [{ section: 'layerlens' }, { section: 'editor' }] });
  assert.deepEqual(answer, [c.clientOptions.initializationOptions, null]);
  assert.deepEqual([...commands.keys()].sort(), [
    'layerlens.pinAllBaseImages',
    'layerlens.restartServer',
    'layerlens.reviewBaseImage',
    'layerlens.showLog',
  ]);
  assert.equal(messages.length, 0, JSON.stringify(messages));
});

test('the bundled binary is used when no setting is given', async () => {
  const ext = path.join(tmp, 'ext-bundled');
  fs.mkdirSync(path.join(ext, 'bin'), { recursive: true });
  fs.writeFileSync(path.join(ext, 'bin', 'layerlens'), '#!/bin/sh\n', { mode: 0o644 });
  await activate({ 'server.args': ['serve', '--log-level', 'debug'] }, ext);
  assert.equal(clients[0].serverOptions.command, path.join(ext, 'bin', 'layerlens'));
  assert.deepEqual(clients[0].serverOptions.args, ['serve', '--log-level', 'debug']);
  // A bundled binary that lost its executable bit gets it back.
  assert.ok(fs.statSync(path.join(ext, 'bin', 'layerlens')).mode & 0o100);
});

test('no server found: an error notification, no client', async () => {
  const oldPath = process.env.PATH;
  process.env.PATH = tmp + '/nothing-here';
  try {
    await activate({});
  } finally {
    process.env.PATH = oldPath;
  }
  assert.equal(clients.length, 0);
  assert.equal(messages.length, 1);
  assert.equal(messages[0].level, 'error');
  assert.match(messages[0].text, /no server binary found.*layerlens\.server\.path/);
  // Commands still exist and explain themselves.
  activeEditor = { document: { languageId: 'dockerfile', uri: { toString: () => 'file:///ws/Dockerfile' } } };
  await commands.get('layerlens.pinAllBaseImages')!();
  assert.match(messages[1].text, /not running/);
});

test('a wrong layerlens.server.path is reported and not replaced by PATH', async () => {
  await activate({ 'server.path': '/does/not/exist' });
  assert.equal(clients.length, 0);
  assert.match(messages[0].text, /layerlens\.server\.path is set to "\/does\/not\/exist"/);
});

test('server commands say when the server does not support them, and run when it does', async () => {
  await activate({ 'server.path': serverBin });
  const doc = {
    languageId: 'dockerfile',
    uri: { toString: () => 'file:///ws/Dockerfile' },
    getText: () => 'FROM golang:1.23 AS build\nRUN go build\nFROM alpine:3.20\nCOPY --from=build /x /x\n',
  };
  activeEditor = { document: doc, selection: { active: { line: 3 } } };
  await commands.get('layerlens.pinAllBaseImages')!();
  assert.match(messages[0].text, /Pin all base images is not supported by this server version/);
  assert.equal(clients[0].requests.length, 0);

  clients[0].initializeResult = { capabilities: { executeCommandProvider: { commands: ['layerlens.pinAll', 'layerlens.reviewImage'] } } };
  await commands.get('layerlens.pinAllBaseImages')!();
  await commands.get('layerlens.reviewBaseImage')!();
  assert.deepEqual(
    clients[0].requests.map((r) => r.params),
    [
      { command: 'layerlens.pinAll', arguments: ['file:///ws/Dockerfile'] },
      { command: 'layerlens.reviewImage', arguments: ['file:///ws/Dockerfile', { line: 2, character: 0 }] },
    ],
  );
  // Above the first FROM: every image of the file.
  activeEditor = { document: { ...doc, getText: () => '# comment\nFROM a\n' }, selection: { active: { line: 0 } } };
  await commands.get('layerlens.reviewBaseImage')!();
  assert.deepEqual(clients[0].requests[2].params, { command: 'layerlens.reviewImage', arguments: ['file:///ws/Dockerfile'] });
});

test('settings changes are pushed; server.path changes restart the client', async () => {
  await activate({ 'server.path': serverBin });
  settings = { 'server.path': serverBin, rules: { LatestTag: 'error' } };
  const change = (key: string) => ({ affectsConfiguration: (s: string) => s === 'layerlens' || s === `layerlens.${key}` });
  for (const l of configListeners) await l(change('rules'));
  assert.deepEqual(clients[0].notifications, [
    { method: 'workspace/didChangeConfiguration', params: { settings: { layerlens: { rules: { LatestTag: 'error' } } } } },
  ]);
  for (const l of configListeners) await l(change('server.path'));
  assert.equal(clients.length, 2);
  assert.equal(clients[0].state, State.Stopped);
  assert.equal(clients[1].state, State.Running);
});

test('work-done progress drives the status bar item', async () => {
  await activate({ 'server.path': serverBin });
  const mw = clients[0].clientOptions.middleware;
  const passed: unknown[] = [];
  const next = (_t: unknown, v: unknown) => passed.push(v);
  mw.handleWorkDoneProgress('tok', { kind: 'begin', title: 'Reviewing alpine:3.20' }, next);
  assert.ok(statusItem.visible);
  assert.equal(statusItem.text, '$(sync~spin) Reviewing alpine:3.20');
  mw.handleWorkDoneProgress('tok', { kind: 'report', percentage: 50 }, next);
  assert.equal(statusItem.text, '$(sync~spin) Reviewing alpine:3.20 (50%)');
  mw.handleWorkDoneProgress('tok', { kind: 'end' }, next);
  assert.ok(!statusItem.visible);
  // The client's own progress UI still gets every value.
  assert.equal(passed.length, 3);
});
