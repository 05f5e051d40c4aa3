-- Headless end-to-end test of the layerlens Neovim client against the real server binary.
-- Run through run.sh, which sets:
--   LAYERLENS_BIN   the server binary
--   LL_API          auto | start_client | start | config | native (lsp/layerlens.lua, no setup())
--                   | late (setup() after the Dockerfile is open)
--   LL_SETTINGS     offline (settings given) | none (no settings: workspace/configuration -> null)
--   LL_WORKDIR      an empty temporary directory
-- It opens a Dockerfile, waits for diagnostics, hovers, applies a quick fix, sees the diagnostics
-- refresh, checks the user commands, and stops the client. Any failure exits non-zero; a watchdog
-- exits with 3 if the whole run takes longer than 30 s.

local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local nvim_dir = vim.fn.fnamemodify(here, ':h')
vim.opt.runtimepath:prepend(nvim_dir)

local uv = vim.loop
local watchdog = uv.new_timer()
watchdog:start(30000, 0, function()
  io.stderr:write('FAIL: watchdog: the test did not finish within 30 s\n')
  os.exit(3)
end)

local api_name = os.getenv('LL_API') or 'auto'
local settings_mode = os.getenv('LL_SETTINGS') or 'offline'
local bin = assert(os.getenv('LAYERLENS_BIN'), 'LAYERLENS_BIN is not set')
local work = assert(os.getenv('LL_WORKDIR'), 'LL_WORKDIR is not set')
local has = function(v)
  return vim.fn.has('nvim-' .. v) == 1
end

local function log(fmt, ...)
  io.stdout:write(string.format('[%s/%s] ' .. fmt .. '\n', api_name, settings_mode, ...))
end

local function wait(ms, what, pred)
  if not vim.wait(ms, pred, 20) then
    error('timed out after ' .. ms .. ' ms waiting for ' .. what, 2)
  end
end

local function run()
  local needs = { config = '0.11', native = '0.11', start = '0.8' }
  if needs[api_name] and not has(needs[api_name]) then
    log('SKIP: needs Neovim %s', needs[api_name])
    return 'skip'
  end
  local layerlens = require('layerlens')

  vim.fn.mkdir(work .. '/.git', 'p')
  local path = work .. '/Dockerfile'
  local settings = nil
  local from = 'alpine:3.19'
  if settings_mode == 'offline' then
    -- Offline with a private cache: the test never reaches a registry.
    -- rules: one rule off proves the settings reach the server; the empty `buildArgs`
    -- table must be dropped before sending (Lua's {} would arrive as a JSON array).
    -- ociLayouts: the repository's test images, for the pin-all step.
    settings = {
      offline = true,
      cacheDir = work .. '/cache',
      rules = { NoHealthcheck = 'off' },
      buildArgs = {},
      ociLayouts = { vim.fn.fnamemodify(nvim_dir .. '/../../testdata/oci', ':p') },
    }
  else
    -- No settings at all: Neovim answers workspace/configuration with null. FROM scratch keeps
    -- the server away from registries even without offline mode.
    from = 'scratch'
  end
  vim.fn.writefile({ 'FROM ' .. from, 'MAINTAINER me', 'run echo hi', 'FOO bar' }, path)

  local cmd = { bin, 'serve', '--stdio' }
  local function open()
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
    -- With -u NONE there is no filetype detection; set it as an ftplugin-enabled config would.
    if vim.bo.filetype ~= 'dockerfile' then
      vim.bo.filetype = 'dockerfile'
    end
    return vim.api.nvim_get_current_buf()
  end
  local bufnr
  if api_name == 'late' then
    -- setup() after the Dockerfile is open, as when a plugin manager loads the module on
    -- `ft = 'dockerfile'`: the FileType event has already passed.
    bufnr = open()
    layerlens.setup({ cmd = cmd, settings = settings })
  elseif api_name == 'native' then
    -- The 0.11 form users write: lsp/layerlens.lua from the runtimepath, plus overrides.
    vim.lsp.config('layerlens', { cmd = cmd, settings = settings and { layerlens = settings } or nil })
    vim.lsp.enable('layerlens')
    layerlens.create_commands()
  else
    layerlens.setup({ cmd = cmd, api = api_name, settings = settings })
  end

  bufnr = bufnr or open()

  local client
  wait(10000, 'the client to attach and initialize', function()
    client = layerlens.client(bufnr)
    return client ~= nil and client.initialized ~= false and client.server_capabilities ~= nil
  end)
  log('attached: %s (api %s, root %s)', client.name, layerlens._api or api_name, tostring(client.config.root_dir))
  assert(client.config.root_dir == work or client.config.root_dir == vim.loop.fs_realpath(work),
    'root_dir = ' .. tostring(client.config.root_dir))

  -- 1. Diagnostics.
  local diags
  wait(10000, 'diagnostics with UnknownInstruction on line 4', function()
    diags = vim.diagnostic.get(bufnr)
    for _, d in ipairs(diags) do
      if d.code == 'UnknownInstruction' and d.lnum == 3 then
        return true
      end
    end
    return false
  end)
  local names = {}
  for _, d in ipairs(diags) do
    assert(d.source == 'layerlens', 'source = ' .. tostring(d.source))
    table.insert(names, string.format('%s@%d', tostring(d.code), d.lnum))
  end
  table.sort(names)
  log('diagnostics: %s', table.concat(names, ', '))
  local function has_code(code)
    for _, d in ipairs(diags) do
      if d.code == code then
        return true
      end
    end
    return false
  end
  if settings then
    assert(not has_code('NoHealthcheck'), 'NoHealthcheck is off in the settings but reported')
  else
    -- No settings (workspace/configuration answered with null) must mean the defaults.
    assert(has_code('MaintainerDeprecated') and has_code('NoHealthcheck'),
      'with no settings the default rules should run: ' .. table.concat(names, ', '))
  end

  -- 2. Hover on the lower-case `run`.
  local uri = vim.uri_from_bufnr(bufnr)
  local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover',
    { textDocument = { uri = uri }, position = { line = 2, character = 1 } }, 5000)
  local text = ''
  for _, r in pairs(res or {}) do
    if r.result and r.result.contents then
      local c = r.result.contents
      text = type(c) == 'string' and c or (c.value or vim.inspect(c))
    end
  end
  assert(text:upper():find('RUN'), 'hover text: ' .. text)
  log('hover: %s', (text:gsub('\n.*', '')))

  -- 3. Quick fix: the first code action with an edit that is not an "Ignore" action,
  -- preferring MaintainerDeprecated's.
  table.sort(diags, function(a, b)
    return (a.code == 'MaintainerDeprecated' and 1 or 0) > (b.code == 'MaintainerDeprecated' and 1 or 0)
  end)
  local fix, fixed
  for _, d in ipairs(diags) do
    -- 0.10+ keeps the whole LSP diagnostic in user_data.lsp; 0.7 keeps only code and data there.
    -- (vim.diagnostic columns are byte columns; the fixture is ASCII, so they equal UTF-16 ones.)
    local lsp_diag = vim.tbl_extend('force', {
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
      severity = d.severity, message = d.message, code = d.code, source = d.source,
    }, (d.user_data and d.user_data.lsp) or {})
    local r = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
      textDocument = { uri = uri },
      range = lsp_diag.range,
      context = { diagnostics = { lsp_diag } },
    }, 5000)
    for _, resp in pairs(r or {}) do
      for _, a in ipairs(resp.result or {}) do
        if fix == nil and a.edit and not a.title:lower():match('^ignore') then
          fix, fixed = a, d
        end
      end
    end
    if fix then
      break
    end
  end
  assert(fix, 'no quick fix with an edit for any diagnostic')
  log('code action for %s: %s', tostring(fixed.code), fix.title)
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
  if fixed.code == 'MaintainerDeprecated' then
    local l2 = vim.api.nvim_buf_get_lines(bufnr, 1, 2, false)[1]
    assert(l2:match('^LABEL '), 'line 2 after the fix: ' .. l2)
  end

  -- 4. The server saw didChange (debounced by 150 ms) and republished without that finding.
  wait(10000, 'diagnostics without ' .. tostring(fixed.code) .. ' on line ' .. (fixed.lnum + 1), function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == fixed.code and d.lnum == fixed.lnum then
        return false
      end
    end
    -- The parse error on the FOO line must still be there: an empty set would also "pass".
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == 'UnknownInstruction' then
        return true
      end
    end
    return false
  end)
  log('diagnostics refreshed after didChange')

  -- 5. User commands exist and either run or say the server does not support them.
  assert(vim.fn.exists(':LayerlensPinAll') == 2, ':LayerlensPinAll missing')
  assert(vim.fn.exists(':LayerlensReviewImage') == 2, ':LayerlensReviewImage missing')
  local cmds = ((client.server_capabilities or {}).executeCommandProvider or {}).commands or {}
  local notes = {}
  local orig_notify = vim.notify
  vim.notify = function(msg)
    table.insert(notes, msg)
  end
  -- A command the server does not advertise is refused with a message, not sent.
  layerlens.execute('layerlens.noSuchCommand', 'No such command', {}, bufnr)
  assert(notes[1] and notes[1]:find('No such command is not supported by this server version'), vim.inspect(notes))
  table.remove(notes, 1)
  if not vim.tbl_contains(cmds, 'layerlens.pinAll') then
    vim.cmd('LayerlensPinAll')
    assert(notes[1] and notes[1]:find('not supported by this server version'), 'pin-all message: ' .. vim.inspect(notes))
    log('LayerlensPinAll: %s', notes[1])
  elseif settings == nil then
    log('LayerlensPinAll not run: without offline settings it would need a registry')
  else
    -- A second Dockerfile whose images come from the repository's OCI layout.
    local pin_path = work .. '/pin.Dockerfile'
    vim.fn.writefile({ 'FROM layerlens.test/demo/clean:1.0 AS a', 'RUN true', 'FROM layerlens.test/demo/trapped:1.0' }, pin_path)
    vim.cmd('edit ' .. vim.fn.fnameescape(pin_path))
    local pbuf = vim.api.nvim_get_current_buf()
    if vim.bo[pbuf].filetype ~= 'dockerfile' then
      vim.bo[pbuf].filetype = 'dockerfile'
    end
    wait(10000, 'the client to attach to pin.Dockerfile', function()
      return layerlens.client(pbuf) ~= nil
    end)
    vim.api.nvim_win_set_cursor(0, { 3, 0 })
    vim.cmd('LayerlensReviewImage')
    vim.cmd('LayerlensPinAll')
    -- The server answers pinAll at once and sends the edit as workspace/applyEdit later.
    wait(20000, 'both FROM lines pinned by workspace/applyEdit', function()
      local l = vim.api.nvim_buf_get_lines(pbuf, 0, -1, false)
      return l[1]:match('^FROM layerlens%.test/demo/clean:1%.0@sha256:%x+ AS a$') ~= nil
        and l[3]:match('^FROM layerlens%.test/demo/trapped:1%.0@sha256:%x+$') ~= nil
    end)
    log('LayerlensPinAll: %s', vim.api.nvim_buf_get_lines(pbuf, 2, 3, false)[1])
    assert(#notes == 0, 'notifications: ' .. vim.inspect(notes))
  end
  vim.notify = orig_notify

  -- 6. :checkhealth layerlens finds the binary.
  vim.cmd('checkhealth layerlens')
  local report = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  assert(report:find('OK', 1, true) and report:find(bin, 1, true), 'checkhealth layerlens:\n' .. report)
  log('checkhealth: %s', (report:match('[^\n]*' .. vim.pesc(bin) .. '[^\n]*') or ''):gsub('^%s*', ''))

  -- 7. Stop cleanly.
  if has('0.11') then
    client:stop()
  else
    vim.lsp.stop_client(client.id)
  end
  wait(5000, 'the client to stop', function()
    return layerlens._is_stopped(client)
  end)
  log('stopped')
  return 'pass'
end

local ok, res = xpcall(run, debug.traceback)
watchdog:stop()
if not ok then
  io.stderr:write('FAIL: ' .. tostring(res) .. '\n')
  vim.cmd('cquit 1')
elseif res == 'skip' then
  vim.cmd('cquit 77')
else
  io.stdout:write('PASS\n')
  vim.cmd('qall!')
end
