// @ts-check
// Real VS Code end-to-end test: starts code-server (VS Code 1.100's server and workbench) with
// this extension loaded from its development folder and out/vscode-e2e/index.js as the
// extension tests, opens the workbench in headless Chromium, and waits for the verdict that the
// in-host test writes to <workspace>/e2e-result.json.
//   CODE_SERVER_DIR=... LAYERLENS_BIN=... node test-vscode/run.js [VSIX...]
// With VSIX arguments it also installs each into a fresh extensions dir and checks the listing.
// Prints "N passed, N failed" and exits non-zero on failure.
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { createRequire } = require('node:module');

const ext = path.resolve(__dirname, '..');
const csDir = path.resolve(process.env.CODE_SERVER_DIR || path.join(ext, '../../.cache/editors/code-server'));
const bin = process.env.LAYERLENS_BIN;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium-headless-shell';
const entry = path.join(csDir, 'node_modules/code-server/out/node/entry.js');
const t0 = Date.now();
const log = (/** @type {string} */ m) => console.log(`[${Date.now() - t0} ms] ${m}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Runs code-server's CLI (install/list extensions) synchronously. */
function cli(/** @type {string[]} */ args) {
  return execFileSync(process.execPath, [entry, ...args], { encoding: 'utf8', timeout: 60000 });
}

async function workbenchTest() {
  if (!bin) throw new Error('LAYERLENS_BIN is not set');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlens-vscode-'));
  const ws = path.join(tmp, 'ws');
  fs.mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(ws, 'Dockerfile'), 'FROM alpine:3.19\nMAINTAINER me\nrun echo hi\nFOO bar\n');
  fs.writeFileSync(path.join(ws, 'review.Dockerfile'), 'FROM layerlens.test/demo/trapped:1.0\nRUN true\n');
  // The extension finds the server through the setting; offline keeps the test off the network.
  fs.writeFileSync(
    path.join(ws, '.vscode/settings.json'),
    JSON.stringify({
      'layerlens.server.path': bin,
      'layerlens.offline': true,
      'layerlens.cacheDir': path.join(tmp, 'cache'),
      'layerlens.trace.server': 'messages',
      // Checked by the in-host test: a rule turned off, and an image source from the repository.
      'layerlens.rules': { NoHealthcheck: 'off' },
      'layerlens.ociLayouts': [path.resolve(ext, '../../testdata/oci')],
    }),
  );
  fs.writeFileSync(path.join(tmp, 'config.yaml'), 'auth: none\n');
  const port = await freePort();
  const cs = spawn(
    process.execPath,
    [
      entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', path.join(tmp, 'user'),
      '--extensions-dir', path.join(tmp, 'extensions'),
      '--config', path.join(tmp, 'config.yaml'),
      ws,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: path.join(tmp, 'xdg') } },
  );
  let csOut = '';
  cs.stdout.on('data', (b) => (csOut += b));
  cs.stderr.on('data', (b) => (csOut += b));
  /** @type {any} */
  let browser;
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`code-server did not start:\n${csOut}`)), 30000);
      const check = () => {
        if (/HTTP server listening/.test(csOut)) {
          clearTimeout(timer);
          resolve(undefined);
        }
      };
      cs.stdout.on('data', check);
      cs.stderr.on('data', check);
      cs.on('exit', (code) => reject(new Error(`code-server exited with ${code}:\n${csOut}`)));
    });
    log(`code-server listening on ${port}`);
    const remote = `vscode-remote://127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `${remote}${ext}`],
      ['extensionTestsPath', `${remote}${path.join(ext, 'out/vscode-e2e/index.js')}`],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const { chromium } = createRequire(path.join(csDir, 'package.json'))('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
    const page = await browser.newPage();
    const consoleErrors = /** @type {string[]} */ ([]);
    page.on('console', (/** @type {any} */ m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 30000 });
    log('workbench loaded');
    const resultFile = path.join(ws, 'e2e-result.json');
    const deadline = Date.now() + 90000;
    while (!fs.existsSync(resultFile)) {
      if (Date.now() > deadline) {
        throw new Error(`no result after 90 s; browser console errors:\n${consoleErrors.slice(-20).join('\n')}\ncode-server:\n${csOut.slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    for (const l of result.log) console.log(`    ${l}`);
    if (!result.ok) throw new Error('the in-host test failed (see above)');
  } finally {
    if (browser) await browser.close().catch(() => undefined);
    cs.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function vsixTest(/** @type {string} */ vsix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlens-vsix-'));
  try {
    cli(['--extensions-dir', dir, '--install-extension', vsix]);
    const list = cli(['--extensions-dir', dir, '--list-extensions', '--show-versions']);
    const version = require('../package.json').version;
    if (!list.includes(`layerlens.layerlens@${version}`)) throw new Error(`installed extensions: ${list}`);
    const installed = fs.readdirSync(dir).find((d) => d.startsWith(`layerlens.layerlens-${version}`));
    if (installed === undefined) throw new Error(`nothing installed in ${dir}: ${fs.readdirSync(dir)}`);
    const server = path.join(dir, installed, 'bin', 'layerlens');
    if (/linux-x64/.test(vsix)) {
      // The executable bit must survive packaging and installation.
      fs.accessSync(server, fs.constants.X_OK);
      log(`installed ${path.basename(vsix)}: ${list.trim()}, ${server} is executable`);
    } else {
      log(`installed ${path.basename(vsix)}: ${list.trim()}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  let pass = 0;
  let fail = 0;
  const tests = [['real VS Code workbench', workbenchTest], ...process.argv.slice(2).map((v) => [`install ${path.basename(v)}`, () => vsixTest(v)])];
  for (const [name, fn] of /** @type {[string, () => any][]} */ (tests)) {
    try {
      await fn();
      pass++;
      log(`PASS ${name}`);
    } catch (err) {
      fail++;
      log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(fail === 0 ? 0 : 1);
})();
