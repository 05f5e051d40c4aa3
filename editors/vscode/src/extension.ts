// The layerlens VS Code extension: starts `layerlens serve --stdio` through vscode-languageclient
// for Dockerfiles, keeps its settings in sync, shows image reviews in the status bar and adds a
// few commands. The logic that needs no VS Code API lives in config.ts, progress.ts and
// dockerfile.ts, where node --test covers it.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  Resolved,
  configurationAnswer,
  expandSettingPaths,
  resolveServerPath,
  restartKeys,
  serverArgs,
  serverSettings,
  ServerSettings,
} from './config';
import { fromForLine, fromLines } from './dockerfile';
import { ProgressTracker, ProgressValue } from './progress';

const section = 'layerlens';

/** Server-side commands (workspace/executeCommand) that the client commands forward to. */
const serverCommand = {
  pinAll: 'layerlens.pinAll',
  reviewImage: 'layerlens.reviewImage',
} as const;

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
const progress = new ProgressTracker();

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The server settings built from the current `layerlens.*` configuration. */
function currentSettings(problems?: string[]): ServerSettings {
  const cfg = vscode.workspace.getConfiguration(section);
  return expandSettingPaths(
    serverSettings((key) => cfg.get(key), problems),
    os.homedir(),
    workspaceFolder(),
  );
}

function findServer(context: vscode.ExtensionContext): Resolved | undefined {
  const cfg = vscode.workspace.getConfiguration(section);
  const result = resolveServerPath(
    {
      configured: cfg.get<string>('server.path') ?? '',
      extensionPath: context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      workspaceFolder: workspaceFolder(),
      home: os.homedir(),
      pathEnv: process.env.PATH ?? '',
      isFile,
    },
    process.env,
  );
  if (result.found !== undefined) {
    return result.found;
  }
  log.error(`no layerlens server found; tried:\n  ${result.tried.join('\n  ')}`);
  const msg =
    result.error ??
    'layerlens: no server binary found. Install layerlens on your PATH, or set "layerlens.server.path".';
  void vscode.window.showErrorMessage(msg, 'Open Settings', 'Show Log').then((choice) => {
    if (choice === 'Open Settings') {
      void vscode.commands.executeCommand('workbench.action.openSettings', 'layerlens.server.path');
    } else if (choice === 'Show Log') {
      log.show();
    }
  });
  return undefined;
}

/** Makes a bundled binary executable; a VSIX normally keeps the bit, but some unpackers drop it. */
function ensureExecutable(p: string): void {
  if (process.platform === 'win32') {
    return;
  }
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(p, 0o755);
    } catch (err) {
      log.warn(`cannot make ${p} executable: ${String(err)}`);
    }
  }
}

function renderProgress(): void {
  const v = progress.view();
  if (v === undefined) {
    statusItem.hide();
    return;
  }
  statusItem.text = v.text;
  statusItem.tooltip = v.tooltip;
  statusItem.show();
}

async function startClient(context: vscode.ExtensionContext): Promise<void> {
  const server = findServer(context);
  if (server === undefined) {
    return;
  }
  if (server.source === 'bundled') {
    ensureExecutable(server.path);
  }
  const args = serverArgs(vscode.workspace.getConfiguration(section).get('server.args'));
  log.info(`starting ${server.path} ${args.join(' ')} --stdio (found by ${server.source})`);
  const serverOptions: ServerOptions = {
    command: server.path,
    args,
    // With an explicit stdio transport the client appends --stdio to args.
    transport: TransportKind.stdio,
  };
  const problems: string[] = [];
  const initializationOptions = currentSettings(problems);
  for (const p of problems) {
    log.warn(`ignored setting ${p}`);
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'dockerfile' },
      { scheme: 'untitled', language: 'dockerfile' },
    ],
    initializationOptions,
    outputChannel: log,
    traceOutputChannel: log,
    middleware: {
      workspace: {
        // Answer with the mapped settings object, not VS Code's raw nested layerlens.* tree.
        configuration: (params) => configurationAnswer(params.items, currentSettings()),
      },
      handleWorkDoneProgress: (token, params, next) => {
        if (progress.update(token, params as ProgressValue)) {
          renderProgress();
        }
        next(token, params);
      },
    },
  };
  const c = new LanguageClient(section, 'layerlens', serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (e.newState === State.Stopped) {
      progress.clear();
      renderProgress();
    }
  });
  client = c;
  try {
    await c.start();
  } catch (err) {
    log.error(`the layerlens server failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(`layerlens: the server failed to start (${String(err)}). See the log.`, 'Show Log').then(
      (choice) => {
        if (choice === 'Show Log') {
          log.show();
        }
      },
    );
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c === undefined) {
    return;
  }
  try {
    if (c.state !== State.Stopped) {
      await c.stop(5000);
    }
  } catch (err) {
    log.warn(`stopping the server: ${String(err)}`);
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stopClient();
  await startClient(context);
}

/** Reports whether the running server advertises the workspace command `name`. */
function serverSupports(name: string): boolean {
  const cmds = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  return cmds.includes(name);
}

/** Runs a server command, or explains why it cannot. */
async function runServerCommand(name: string, title: string, args: unknown[]): Promise<void> {
  if (client === undefined || client.state !== State.Running) {
    void vscode.window.showWarningMessage(`layerlens: ${title}: the server is not running.`);
    return;
  }
  if (!serverSupports(name)) {
    void vscode.window.showWarningMessage(`layerlens: ${title} is not supported by this server version.`);
    return;
  }
  try {
    // Edits come back as workspace/applyEdit, which the client applies.
    await client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: args });
  } catch (err) {
    void vscode.window.showErrorMessage(`layerlens: ${title} failed: ${String(err)}`);
  }
}

function activeDockerfile(title: string): vscode.TextEditor | undefined {
  const ed = vscode.window.activeTextEditor;
  if (ed === undefined || ed.document.languageId !== 'dockerfile') {
    void vscode.window.showWarningMessage(`layerlens: ${title}: open a Dockerfile first.`);
    return undefined;
  }
  return ed;
}

async function pinAll(): Promise<void> {
  const title = 'Pin all base images';
  const ed = activeDockerfile(title);
  if (ed !== undefined) {
    await runServerCommand(serverCommand.pinAll, title, [ed.document.uri.toString()]);
  }
}

/**
 * Re-reviews base images (server command layerlens.reviewImage, arguments [uri, position]):
 * the FROM of the stage the cursor is in; above the first FROM, every image of the file.
 */
async function reviewImage(): Promise<void> {
  const title = 'Re-review base image';
  const ed = activeDockerfile(title);
  if (ed === undefined) {
    return;
  }
  const uri = ed.document.uri.toString();
  const f = fromForLine(fromLines(ed.document.getText()), ed.selection.active.line);
  const args: unknown[] = f === undefined ? [uri] : [uri, { line: f.line, character: f.character }];
  await runServerCommand(serverCommand.reviewImage, title, args);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel('layerlens', { log: true });
  statusItem = vscode.window.createStatusBarItem('layerlens.progress', vscode.StatusBarAlignment.Left, 0);
  statusItem.name = 'layerlens';
  statusItem.command = 'layerlens.showLog';
  context.subscriptions.push(
    log,
    statusItem,
    vscode.commands.registerCommand('layerlens.restartServer', () => restart(context)),
    vscode.commands.registerCommand('layerlens.showLog', () => log.show()),
    vscode.commands.registerCommand('layerlens.pinAllBaseImages', pinAll),
    vscode.commands.registerCommand('layerlens.reviewBaseImage', reviewImage),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(section)) {
        return;
      }
      if (restartKeys.some((k) => e.affectsConfiguration(`${section}.${k}`))) {
        await restart(context);
        return;
      }
      if (client?.state === State.Running) {
        // Push the new settings; a server that prefers to pull can ignore them and ask with
        // workspace/configuration, which the middleware answers with the same object.
        await client.sendNotification('workspace/didChangeConfiguration', {
          settings: { [section]: currentSettings() },
        });
      }
    }),
    { dispose: () => void stopClient() },
  );
  await startClient(context);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
