// Pure parts of the extension: finding the server binary and mapping VS Code settings to the
// server's settings object. Nothing here imports 'vscode', so `node --test` can exercise it.

import * as path from 'node:path';

/** Name of the server executable on this platform. */
export function serverExecutableName(platform: string): string {
  return platform === 'win32' ? 'layerlens.exe' : 'layerlens';
}

/** Inputs of {@link resolveServerPath}; the file-system and environment probes are injected. */
export interface ResolveInput {
  /** Value of the `layerlens.server.path` setting ('' when unset). */
  configured: string;
  /** Root directory of the installed extension. */
  extensionPath: string;
  /** `process.platform` and `process.arch`. */
  platform: string;
  arch: string;
  /** First workspace folder, if any, for `${workspaceFolder}` in the setting. */
  workspaceFolder?: string;
  /** Home directory, for `~` in the setting. */
  home: string;
  /** Value of the PATH environment variable. */
  pathEnv: string;
  /** Reports whether `p` is an existing regular file. */
  isFile: (p: string) => boolean;
}

/** Where a server binary was found. */
export type ServerSource = 'setting' | 'bundled' | 'path';

export interface Resolved {
  path: string;
  source: ServerSource;
}

/** The outcome of {@link resolveServerPath}: the binary, or every place that was tried. */
export type ResolveResult = { found: Resolved } | { found?: undefined; tried: string[]; error?: string };

/**
 * Expands a leading `~` and every `${workspaceFolder}`, `${userHome}` and `${env:NAME}` in p.
 * An unknown `${workspaceFolder}` (no folder open) is left as is, so the error names it.
 */
export function expandPath(p: string, home: string, workspaceFolder?: string, env: NodeJS.ProcessEnv = {}): string {
  let out = p.trim();
  if (out === '~') {
    out = home;
  } else if (out.startsWith('~/') || out.startsWith('~\\')) {
    out = path.join(home, out.slice(2));
  }
  out = out.replace(/\$\{userHome\}/g, home);
  if (workspaceFolder !== undefined) {
    out = out.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  out = out.replace(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => env[name] ?? '');
  return out;
}

/**
 * Finds the server, in this order:
 *  1. the `layerlens.server.path` setting: when set, it is the only candidate (a wrong setting is
 *     reported, never silently replaced by another binary);
 *  2. a binary bundled in the extension: `bin/<platform>-<arch>/layerlens`, then `bin/layerlens`;
 *  3. `layerlens` on PATH.
 */
export function resolveServerPath(input: ResolveInput, env: NodeJS.ProcessEnv = {}): ResolveResult {
  const exe = serverExecutableName(input.platform);
  const pathApi = input.platform === 'win32' ? path.win32 : path.posix;
  if (input.configured.trim() !== '') {
    let p = expandPath(input.configured, input.home, input.workspaceFolder, env);
    if (!pathApi.isAbsolute(p) && input.workspaceFolder !== undefined) {
      p = pathApi.join(input.workspaceFolder, p);
    }
    if (input.isFile(p)) {
      return { found: { path: p, source: 'setting' } };
    }
    return { tried: [p], error: `layerlens.server.path is set to "${input.configured}", but ${p} is not a file` };
  }
  const tried: string[] = [];
  const bundled = [
    pathApi.join(input.extensionPath, 'bin', `${input.platform}-${input.arch}`, exe),
    pathApi.join(input.extensionPath, 'bin', exe),
  ];
  for (const p of bundled) {
    tried.push(p);
    if (input.isFile(p)) {
      return { found: { path: p, source: 'bundled' } };
    }
  }
  const sep = input.platform === 'win32' ? ';' : ':';
  for (const dir of input.pathEnv.split(sep)) {
    if (dir === '') {
      continue;
    }
    const p = pathApi.join(dir, exe);
    tried.push(p);
    if (input.isFile(p)) {
      return { found: { path: p, source: 'path' } };
    }
  }
  return { tried };
}

/** Severity names the server accepts per rule. */
export const ruleLevels = ['off', 'error', 'warning', 'info', 'hint'] as const;
export type RuleLevel = (typeof ruleLevels)[number];

/**
 * The server's settings object, as sent in initializationOptions and as the answer to
 * `workspace/configuration` for section `layerlens`. Keys whose setting is empty are left out,
 * so the server applies its own default for them.
 */
export interface ServerSettings {
  rules?: Record<string, RuleLevel>;
  trustedRegistries?: string[];
  platform?: string;
  offline?: boolean;
  mirrors?: Record<string, string[]>;
  insecureRegistries?: string[];
  cacheDir?: string;
  buildArgs?: Record<string, string>;
  ociLayouts?: string[];
  trace?: 'off' | 'messages' | 'verbose';
  format?: { indent?: 'preserve' | 'normalize'; continuationIndent?: number };
}

/** Reads one setting below `layerlens.` (for example 'rules' or 'trace.server'). */
export type SettingGetter = (key: string) => unknown;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) {
    return undefined;
  }
  const out = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  return out.length > 0 ? out : undefined;
}

/**
 * Maps VS Code settings to the server's settings object. Invalid entries (a rule level that is
 * not one of {@link ruleLevels}, non-string list items) are dropped rather than sent, and the
 * names of the dropped entries are pushed to `problems` when it is given.
 */
export function serverSettings(get: SettingGetter, problems?: string[]): ServerSettings {
  const out: ServerSettings = {};
  const rules = get('rules');
  if (isRecord(rules)) {
    const r: Record<string, RuleLevel> = {};
    for (const [name, level] of Object.entries(rules)) {
      const l = typeof level === 'string' ? level.trim().toLowerCase() : '';
      if ((ruleLevels as readonly string[]).includes(l)) {
        r[name] = l as RuleLevel;
      } else {
        problems?.push(`layerlens.rules.${name}: "${String(level)}" is not one of ${ruleLevels.join(', ')}`);
      }
    }
    if (Object.keys(r).length > 0) {
      out.rules = r;
    }
  }
  const trusted = stringList(get('trustedRegistries'));
  if (trusted) {
    out.trustedRegistries = trusted;
  }
  const platform = get('platform');
  if (typeof platform === 'string' && platform.trim() !== '') {
    out.platform = platform.trim();
  }
  const offline = get('offline');
  if (typeof offline === 'boolean') {
    out.offline = offline;
  }
  const mirrors = get('mirrors');
  if (isRecord(mirrors)) {
    const m: Record<string, string[]> = {};
    for (const [registry, list] of Object.entries(mirrors)) {
      const l = typeof list === 'string' ? stringList([list]) : stringList(list);
      if (l) {
        m[registry] = l;
      } else {
        problems?.push(`layerlens.mirrors.${registry}: expected a list of mirror hosts`);
      }
    }
    if (Object.keys(m).length > 0) {
      out.mirrors = m;
    }
  }
  const insecure = stringList(get('insecureRegistries'));
  if (insecure) {
    out.insecureRegistries = insecure;
  }
  const cacheDir = get('cacheDir');
  if (typeof cacheDir === 'string' && cacheDir.trim() !== '') {
    out.cacheDir = cacheDir.trim();
  }
  const buildArgs = get('buildArgs');
  if (isRecord(buildArgs)) {
    const b: Record<string, string> = {};
    for (const [k, v] of Object.entries(buildArgs)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        b[k] = String(v);
      } else {
        problems?.push(`layerlens.buildArgs.${k}: expected a string`);
      }
    }
    if (Object.keys(b).length > 0) {
      out.buildArgs = b;
    }
  }
  const layouts = stringList(get('ociLayouts'));
  if (layouts) {
    out.ociLayouts = layouts;
  }
  const trace = get('trace.server');
  if (trace === 'off' || trace === 'messages' || trace === 'verbose') {
    out.trace = trace;
  }
  const format: NonNullable<ServerSettings['format']> = {};
  const indent = get('format.indent');
  if (indent === 'preserve' || indent === 'normalize') {
    format.indent = indent;
  }
  const ci = get('format.continuationIndent');
  if (typeof ci === 'number' && Number.isInteger(ci) && ci >= 0) {
    format.continuationIndent = ci;
  }
  if (Object.keys(format).length > 0) {
    out.format = format;
  }
  return out;
}

/**
 * Expands `~` and `${workspaceFolder}` in the path-valued server settings (cacheDir, ociLayouts),
 * so the server never has to know VS Code's variable syntax.
 */
export function expandSettingPaths(s: ServerSettings, home: string, workspaceFolder?: string): ServerSettings {
  const out: ServerSettings = { ...s };
  if (out.cacheDir !== undefined) {
    out.cacheDir = expandPath(out.cacheDir, home, workspaceFolder);
  }
  if (out.ociLayouts !== undefined) {
    out.ociLayouts = out.ociLayouts.map((p) => expandPath(p, home, workspaceFolder));
  }
  return out;
}

/**
 * Answers a `workspace/configuration` request: one entry per item, the settings object for
 * section `layerlens` (or no section), `null` for sections this extension does not own.
 */
export function configurationAnswer(items: { section?: string }[], settings: ServerSettings): (ServerSettings | null)[] {
  return items.map((item) => (item.section === undefined || item.section === 'layerlens' ? settings : null));
}

/** Keys (below `layerlens.`) whose change needs a server restart rather than a settings push. */
export const restartKeys = ['server.path', 'server.args'];

/** The server's arguments: the `layerlens.server.args` setting, `serve` by default. */
export function serverArgs(v: unknown): string[] {
  const l = Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
  // The client appends --stdio itself; drop a user-supplied one so it is not passed twice.
  return (l ?? ['serve']).filter((a) => a !== '--stdio');
}
