// A small LSP client for the end-to-end tests, built on VS Code's own protocol library
// (vscode-languageserver-protocol, the layer under vscode-languageclient). It spawns the real
// server binary over pipes, answers the server's requests the way VS Code does, and records
// diagnostics and progress so tests can wait on them without sleeping.

import { ChildProcess, spawn } from 'node:child_process';
import {
  ApplyWorkspaceEditParams,
  ConfigurationParams,
  createProtocolConnection,
  Diagnostic,
  InitializeParams,
  InitializeResult,
  ProtocolConnection,
  PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol/node';

/** The server binary under test: LAYERLENS_BIN, which .ci/editors.sh always sets. */
export function serverBinary(): string {
  const bin = process.env.LAYERLENS_BIN;
  if (bin === undefined || bin === '') {
    throw new Error('LAYERLENS_BIN is not set: point it at a built layerlens binary');
  }
  return bin;
}

export interface ClientOptions {
  /** initializationOptions sent with initialize; undefined sends none. */
  initializationOptions?: unknown;
  /** Answers one workspace/configuration item; the default answers `null` (as Neovim does). */
  configuration?: (section: string | undefined) => unknown;
  /** Extra environment for the server process. */
  env?: NodeJS.ProcessEnv;
}

interface Waiter {
  pred: () => boolean;
  resolve: () => void;
}

/** One running server plus the client side of the connection. */
export class Client {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  /** Last published diagnostics per URI, with the version they were published for. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Number of publishDiagnostics notifications received per URI. */
  readonly publishCount = new Map<string, number>();
  /** Every $/progress value received, in order. */
  readonly progress: { token: string | number; value: { kind: string; title?: string } }[] = [];
  /** Every workspace/configuration request's items. */
  readonly configurationRequests: ConfigurationParams[] = [];
  /** Every workspace/applyEdit request. */
  readonly appliedEdits: ApplyWorkspaceEditParams[] = [];
  /** Document texts the client holds, so applyEdit requests can be applied to them. */
  readonly texts = new Map<string, { text: string; version: number }>();
  stderr = '';
  initializeResult?: InitializeResult;
  private exitCode: Promise<number | null>;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: ClientOptions = {}) {
    this.proc = spawn(serverBinary(), ['serve', '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    this.exitCode = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    // A server that dies makes writes fail with EPIPE; the exit is reported by initialize/shutdown.
    this.proc.stdin!.on('error', () => undefined);
    this.proc.stderr!.on('data', (b: Buffer) => {
      this.stderr += b.toString();
    });
    this.conn = createProtocolConnection(
      new StreamMessageReader(this.proc.stdout!),
      new StreamMessageWriter(this.proc.stdin!),
    );
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.publishCount.set(p.uri, (this.publishCount.get(p.uri) ?? 0) + 1);
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { token: string | number; value: { kind: string } }) => {
      this.progress.push(p);
      this.wake();
    });
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onNotification('window/showMessage', () => undefined);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('workspace/configuration', (p: ConfigurationParams) => {
      this.configurationRequests.push(p);
      this.wake();
      return p.items.map((it) => (this.opts.configuration ? this.opts.configuration(it.section) : null));
    });
    this.conn.onRequest('workspace/applyEdit', (p: ApplyWorkspaceEditParams) => {
      this.appliedEdits.push(p);
      this.applyWorkspaceEdit(p.edit);
      this.wake();
      return { applied: true };
    });
    this.conn.listen();
  }

  /** Runs initialize + initialized with VS Code's position encoding (UTF-16 only). */
  async initialize(rootUri: string | null): Promise<InitializeResult> {
    const params: InitializeParams = {
      processId: process.pid,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'ws' }] : null,
      initializationOptions: this.opts.initializationOptions,
      capabilities: {
        general: { positionEncodings: ['utf-16'] },
        workspace: {
          configuration: true,
          applyEdit: true,
          workspaceEdit: { documentChanges: true },
          didChangeConfiguration: { dynamicRegistration: false },
          executeCommand: { dynamicRegistration: false },
        },
        window: { workDoneProgress: true },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {
            dataSupport: true,
            isPreferredSupport: true,
            codeActionLiteralSupport: {
              codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source', 'source.fixAll'] },
            },
          },
        },
      },
    };
    const exited = this.exitCode.then((code) => {
      throw new Error(`the server exited (code ${code}) before answering initialize; stderr:\n${this.stderr.slice(-2000)}`);
    });
    this.initializeResult = await Promise.race([this.conn.sendRequest<InitializeResult>('initialize', params), exited]);
    await this.conn.sendNotification('initialized', {});
    return this.initializeResult;
  }

  async open(uri: string, text: string): Promise<void> {
    this.texts.set(uri, { text, version: 1 });
    await this.conn.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'dockerfile', version: 1, text },
    });
  }

  /** Sends the client's current text of uri as a full-document change with the next version. */
  async sendFullChange(uri: string): Promise<number> {
    const d = this.texts.get(uri)!;
    d.version++;
    await this.conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: d.version },
      contentChanges: [{ text: d.text }],
    });
    return d.version;
  }

  /** Applies a WorkspaceEdit (changes or documentChanges) to the client's texts. */
  applyWorkspaceEdit(edit: WorkspaceEdit): void {
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      this.applyTextEdits(uri, edits);
    }
    for (const dc of edit.documentChanges ?? []) {
      if ('textDocument' in dc) {
        this.applyTextEdits(
          dc.textDocument.uri,
          dc.edits.filter((e): e is TextEdit => 'range' in e),
        );
      }
    }
  }

  applyTextEdits(uri: string, edits: TextEdit[]): void {
    const d = this.texts.get(uri);
    if (d === undefined) {
      throw new Error(`edit for a document the client does not hold: ${uri}`);
    }
    d.text = applyEdits(d.text, edits);
  }

  /** Resolves once pred() holds, re-checked after every message; rejects after ms. */
  waitFor(what: string, pred: () => boolean, ms = 10000): Promise<void> {
    if (pred()) {
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const w: Waiter = { pred, resolve: () => undefined };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; server stderr:\n${this.stderr.slice(-2000)}`));
      }, ms);
      w.resolve = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(w);
    });
  }

  /** Waits for diagnostics of uri published for exactly `version` (or without a version). */
  async diagnosticsFor(uri: string, version: number, pred: (d: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    await this.waitFor(`diagnostics of ${uri} v${version}`, () => {
      const p = this.diagnostics.get(uri);
      return p !== undefined && (p.version === undefined || p.version === version) && pred(p.diagnostics);
    });
    return this.diagnostics.get(uri)!.diagnostics;
  }

  /** shutdown + exit; resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    await this.conn.sendRequest('shutdown');
    await this.conn.sendNotification('exit');
    const code = await Promise.race([
      this.exitCode,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000).unref()),
    ]);
    this.conn.dispose();
    if (code === 'timeout') {
      throw new Error('the server did not exit within 5 s of exit');
    }
    return code;
  }

  /** Kills the server if it still runs (test cleanup). */
  kill(): void {
    this.conn.dispose();
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGKILL');
    }
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}

/** UTF-16 offset of an LSP position in text (JavaScript strings are UTF-16 already). */
export function offsetAt(text: string, pos: { line: number; character: number }): number {
  let off = 0;
  for (let l = 0; l < pos.line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) {
      return text.length;
    }
    off = nl + 1;
  }
  const end = text.indexOf('\n', off);
  const lineLen = (end < 0 ? text.length : end) - off;
  return off + Math.min(pos.character, lineLen);
}

/** Applies non-overlapping LSP text edits to text. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const withOffsets = edits.map((e) => ({ s: offsetAt(text, e.range.start), e: offsetAt(text, e.range.end), t: e.newText }));
  withOffsets.sort((a, b) => b.s - a.s || b.e - a.e);
  let out = text;
  for (const e of withOffsets) {
    out = out.slice(0, e.s) + e.t + out.slice(e.e);
  }
  return out;
}
