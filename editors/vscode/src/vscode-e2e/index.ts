// Runs inside a real VS Code extension host (code-server), loaded as extensionTestsPath by
// test-vscode/run.js, with this extension loaded from its development folder. It uses only the
// public VS Code API, as a user would through the UI, and writes its verdict to
// <workspace>/e2e-result.json, which run.js waits for.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const t0 = Date.now();
const lines: string[] = [];
function log(msg: string): void {
  lines.push(`[${Date.now() - t0} ms] ${msg}`);
}

/**
 * Polls until probe (or, when given, the async asyncProbe) returns a value; rejects after ms.
 * Polling is the only way to observe diagnostics and hovers through the public API.
 */
function wait<T>(
  what: string,
  ms: number,
  probe: () => T | undefined,
  asyncProbe?: () => Promise<T | undefined>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = async (): Promise<void> => {
      let v: T | undefined;
      try {
        v = asyncProbe !== undefined ? await asyncProbe() : probe();
      } catch (err) {
        reject(err);
        return;
      }
      if (v !== undefined) {
        resolve(v);
      } else if (Date.now() - start > ms) {
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      } else {
        setTimeout(() => void tick(), 50);
      }
    };
    void tick();
  });
}

function layerlensDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'layerlens');
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

async function scenario(ws: string): Promise<void> {
  log(`vscode ${vscode.version}`);
  const ext = vscode.extensions.getExtension('layerlens.layerlens');
  if (ext === undefined) {
    throw new Error('extension layerlens.layerlens is not installed');
  }
  const uri = vscode.Uri.file(path.join(ws, 'Dockerfile'));
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  if (doc.languageId !== 'dockerfile') {
    throw new Error(`language of Dockerfile is ${doc.languageId}`);
  }
  await ext.activate();
  log('extension active');

  const cmds = await vscode.commands.getCommands(true);
  for (const c of ['layerlens.restartServer', 'layerlens.pinAllBaseImages', 'layerlens.reviewBaseImage', 'layerlens.showLog']) {
    if (!cmds.includes(c)) {
      throw new Error(`command ${c} is not registered`);
    }
  }

  const first = await wait('layerlens diagnostics with UnknownInstruction', 20000, () => {
    const ds = layerlensDiagnostics(uri);
    return ds.some((d) => codeOf(d) === 'UnknownInstruction') ? ds : undefined;
  });
  for (const d of first) {
    log(`diag L${d.range.start.line} ${codeOf(d)} sev=${d.severity}: ${d.message}`);
  }
  // run.js turned NoHealthcheck off in the workspace settings.
  if (first.some((d) => codeOf(d) === 'NoHealthcheck')) {
    throw new Error('NoHealthcheck is off in layerlens.rules but reported');
  }

  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    uri,
    new vscode.Position(2, 1),
  );
  const hoverText = hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
  if (!/RUN/i.test(hoverText)) {
    throw new Error(`hover on "run": ${JSON.stringify(hoverText)}`);
  }
  log(`hover: ${hoverText.split('\n')[0]}`);

  // The quick fix for MaintainerDeprecated when it exists, else the first fix with an edit.
  const ordered = [...first].sort((a, b) => Number(codeOf(b) === 'MaintainerDeprecated') - Number(codeOf(a) === 'MaintainerDeprecated'));
  let chosen: { d: vscode.Diagnostic; a: vscode.CodeAction } | undefined;
  for (const d of ordered) {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      uri,
      d.range,
    );
    const a = actions.find(
      (x): x is vscode.CodeAction => 'edit' in x && x.edit !== undefined && !/^ignore/i.test(x.title),
    );
    if (a !== undefined) {
      chosen = { d, a };
      break;
    }
  }
  if (chosen === undefined) {
    throw new Error('no quick fix with an edit');
  }
  log(`code action for ${codeOf(chosen.d)}: ${chosen.a.title}`);
  if (!(await vscode.workspace.applyEdit(chosen.a.edit!))) {
    throw new Error('workspace.applyEdit returned false');
  }
  log(`applied: line ${chosen.d.range.start.line + 1} is now ${JSON.stringify(doc.lineAt(chosen.d.range.start.line).text)}`);
  const fixed = chosen.d;
  await wait('diagnostics refreshed after the edit', 20000, () => {
    const ds = layerlensDiagnostics(uri);
    const gone = !ds.some((d) => codeOf(d) === codeOf(fixed) && d.range.start.line === fixed.range.start.line);
    return gone && ds.some((d) => codeOf(d) === 'UnknownInstruction') ? true : undefined;
  });
  log('diagnostics refreshed after didChange');

  // layerlens.ociLayouts points at the repository's OCI layout: the image is reviewed from it.
  const reviewUri = vscode.Uri.file(path.join(ws, 'review.Dockerfile'));
  await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(reviewUri));
  const imageHover = await wait('a hover with the review of the image from the OCI layout', 20000, () => undefined as string | undefined, async () => {
    const hs = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', reviewUri, new vscode.Position(0, 10));
    const text = hs.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    return /trapped/.test(text) && /layout/.test(text) ? text : undefined;
  });
  log(`image hover: ${imageHover.split('\n')[0]}`);

  // The README promises an inlay hint after the image and a code lens on the FROM.
  const hint = await wait('an inlay hint after the image', 20000, () => undefined as string | undefined, async () => {
    const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>(
      'vscode.executeInlayHintProvider',
      reviewUri,
      new vscode.Range(0, 0, 2, 0),
    );
    const labels = hints.map((h) => (typeof h.label === 'string' ? h.label : h.label.map((p) => p.value).join('')));
    return labels.find((l) => /sha256|·/.test(l));
  });
  log(`inlay hint: ${hint}`);
  const lens = await wait('a code lens on the FROM', 20000, () => undefined as string | undefined, async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', reviewUri, 10);
    return lenses.map((l) => l.command?.title).find((t) => t !== undefined && /review/i.test(t));
  });
  log(`code lens: ${lens}`);

  // Pin All Base Images: the server answers workspace/executeCommand and then sends the edit
  // as workspace/applyEdit, which the language client applies to the open document.
  await vscode.commands.executeCommand('layerlens.reviewBaseImage');
  await vscode.commands.executeCommand('layerlens.pinAllBaseImages');
  const reviewDoc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === reviewUri.toString())!;
  const pinned = await wait('FROM pinned by layerlens.pinAllBaseImages', 20000, () => {
    const l = reviewDoc.lineAt(0).text;
    return /@sha256:[0-9a-f]{64}$/.test(l) ? l : undefined;
  });
  log(`pinned: ${pinned}`);

  await vscode.commands.executeCommand('layerlens.restartServer');
  await wait('diagnostics after a server restart', 20000, () =>
    layerlensDiagnostics(uri).some((d) => codeOf(d) === 'UnknownInstruction') ? true : undefined,
  );
  log('restart server: diagnostics back');
}

export async function run(): Promise<void> {
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (ws === undefined) {
    throw new Error('no workspace folder');
  }
  let ok = true;
  try {
    await scenario(ws);
  } catch (err) {
    ok = false;
    log(`FAIL: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  fs.writeFileSync(path.join(ws, 'e2e-result.json'), JSON.stringify({ ok, log: lines }, null, 2));
}
