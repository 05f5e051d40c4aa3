-- layerlens for Neovim: starts `layerlens serve --stdio` for Dockerfiles and adds user commands.
--
-- One setup() for every Neovim from 0.7 on:
--   0.11+     vim.lsp.config('layerlens', cfg) + vim.lsp.enable('layerlens')
--   0.8-0.10  a FileType autocmd calls vim.lsp.start(cfg)
--   0.7       vim.lsp.start_client(cfg) + vim.lsp.buf_attach_client, one client per root
--
-- Settings are the server's settings object (the same one VS Code sends): they go out as
-- initializationOptions and answer workspace/configuration for section "layerlens".
local M = {}

M.name = 'layerlens'

--- Default options; setup(opts) merges opts over these.
M.defaults = {
  -- Command that starts the server; the binary must be on PATH unless a full path is given.
  cmd = { 'layerlens', 'serve', '--stdio' },
  filetypes = { 'dockerfile' },
  -- The nearest directory holding one of these is the workspace root; else the file's directory.
  root_markers = { '.git', '.hg', '.jj' },
  -- The server's settings (see editors/README.md): rules, trustedRegistries, platform, offline,
  -- mirrors, insecureRegistries, cacheDir, buildArgs, ociLayouts, trace.
  settings = {},
  -- 'auto' picks the newest API this Neovim has: 'config' (0.11+), 'start' (0.8+), 'start_client'.
  api = 'auto',
  -- Also detect Containerfile, *.Containerfile, Containerfile.*, *.Dockerfile and Dockerfile.*.
  detect_filetypes = true,
  -- Passed through to the client config.
  on_attach = nil,
  capabilities = nil,
}

local has = function(v)
  return vim.fn.has('nvim-' .. v) == 1
end

--- Removes empty tables from t, in place and recursively, and returns t (nil if t ends up empty).
--- Lua's empty table encodes as a JSON array; the server wants objects or nothing.
local function prune(t)
  if type(t) ~= 'table' then
    return t
  end
  for k, v in pairs(t) do
    if type(v) == 'table' and v ~= vim.NIL and prune(v) == nil then
      t[k] = nil
    end
  end
  if next(t) == nil then
    return nil
  end
  return t
end
M._prune = prune

--- Finds the root directory of the file in bufnr: the nearest ancestor holding a marker.
local function find_root(bufnr, markers)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.loop.cwd()
  local d = dir
  while true do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(d .. '/' .. m) then
        return d
      end
    end
    local parent = vim.fn.fnamemodify(d, ':h')
    if parent == d then
      return dir
    end
    d = parent
  end
end
M._find_root = find_root

local function notify(msg, level)
  vim.notify('layerlens: ' .. msg, level or vim.log.levels.INFO)
end

--- Builds the client configuration from options (the part that every API variant shares).
function M.client_config(opts)
  local settings = prune(vim.deepcopy(opts.settings or {}))
  local cfg = {
    name = M.name,
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    settings = { layerlens = settings },
    on_attach = opts.on_attach,
    capabilities = opts.capabilities,
  }
  if settings ~= nil then
    cfg.init_options = settings
  end
  return cfg
end

--- before_init for configs that do not come from setup() (the 0.11 lsp/layerlens.lua file):
--- sends settings.layerlens as initializationOptions, dropping empty tables.
function M.before_init(params, config)
  if config.settings and config.settings.layerlens then
    local s = prune(config.settings.layerlens)
    config.settings.layerlens = s
    if params.initializationOptions == nil and s ~= nil then
      params.initializationOptions = s
    end
  end
end

--- client:is_stopped() on 0.11+, client.is_stopped() before (0.12 warns about the dot form).
function M._is_stopped(c)
  if has('0.11') then
    return c:is_stopped()
  end
  return c.is_stopped()
end

local started = {} -- 0.7: root directory -> client id

local function attach_start_client(bufnr, cfg, markers)
  local root = find_root(bufnr, markers)
  local id = started[root]
  if id ~= nil then
    local c = vim.lsp.get_client_by_id(id)
    if c == nil or M._is_stopped(c) then
      id = nil
    end
  end
  if id == nil then
    local c = vim.tbl_extend('force', cfg, { root_dir = root, workspace_folders = nil })
    c.filetypes, c.root_markers = nil, nil
    id = vim.lsp.start_client(c)
    if id == nil then
      notify('could not start ' .. table.concat(cfg.cmd, ' '), vim.log.levels.ERROR)
      return nil
    end
    started[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local function attach_start(bufnr, cfg, markers)
  local c = vim.tbl_extend('force', cfg, { root_dir = find_root(bufnr, markers) })
  c.filetypes, c.root_markers = nil, nil
  return vim.lsp.start(c, { bufnr = bufnr })
end

--- Which API setup() uses for this Neovim and options.
function M.api(opts)
  local api = (opts and opts.api) or 'auto'
  if api == 'auto' then
    if has('0.11') then
      return 'config'
    elseif has('0.8') then
      return 'start'
    end
    return 'start_client'
  end
  return api
end

local function detect_filetypes()
  local group = vim.api.nvim_create_augroup('layerlens_filetype', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufNewFile', 'BufRead' }, {
    group = group,
    pattern = { 'Containerfile', '*.Containerfile', 'Containerfile.*', '*.Dockerfile', 'Dockerfile.*', 'Dockerfile' },
    command = 'setfiletype dockerfile',
  })
end

--- Sets the client up. opts: see M.defaults.
function M.setup(opts)
  opts = vim.tbl_deep_extend('force', M.defaults, opts or {})
  if opts.detect_filetypes then
    detect_filetypes()
  end
  local cfg = M.client_config(opts)
  local api = M.api(opts)
  if api == 'config' then
    if not has('0.11') then
      error('layerlens: api "config" needs Neovim 0.11')
    end
    cfg.name = nil
    vim.lsp.config(M.name, cfg)
    vim.lsp.enable(M.name)
  else
    if api == 'start' and not has('0.8') then
      error('layerlens: api "start" needs Neovim 0.8')
    end
    local attach = api == 'start' and attach_start or attach_start_client
    local group = vim.api.nvim_create_augroup('layerlens_lsp', { clear = true })
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = opts.filetypes,
      callback = function(ev)
        attach(ev.buf, cfg, opts.root_markers)
      end,
    })
    -- Buffers whose FileType event came before setup() (a plugin manager that loads this module
    -- on `ft = 'dockerfile'` does exactly that).
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(opts.filetypes, vim.bo[b].filetype) then
        attach(b, cfg, opts.root_markers)
      end
    end
  end
  M.create_commands()
  M._api = api
  M._opts = opts
end

--- The layerlens client attached to bufnr, if any.
function M.client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local clients
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  else
    clients = {}
    for _, c in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if c.name == M.name then
        table.insert(clients, c)
      end
    end
  end
  return clients[1]
end

local function request(client, method, params, handler, bufnr)
  if has('0.11') then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Runs a server command (workspace/executeCommand) if the server advertises it.
--- Returns false, with a notification, when it cannot.
function M.execute(command, title, args, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.client(bufnr)
  if client == nil then
    notify(title .. ': no layerlens server is attached to this buffer', vim.log.levels.WARN)
    return false
  end
  local caps = client.server_capabilities or {}
  local cmds = (caps.executeCommandProvider or {}).commands or {}
  if not vim.tbl_contains(cmds, command) then
    notify(title .. ' is not supported by this server version', vim.log.levels.WARN)
    return false
  end
  -- Edits come back as workspace/applyEdit, which Neovim's default handler applies.
  request(client, 'workspace/executeCommand', { command = command, arguments = args }, function(err)
    if err then
      notify(title .. ' failed: ' .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
    end
  end, bufnr)
  return true
end

--- Pins every FROM image of the buffer to a digest.
function M.pin_all(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  return M.execute('layerlens.pinAll', 'Pin all base images', { vim.uri_from_bufnr(bufnr) }, bufnr)
end

--- Re-reviews base images (server command layerlens.reviewImage, arguments [uri, position]):
--- the FROM of the stage the cursor is in, or every image of the buffer when all is true or the
--- cursor is above the first FROM.
function M.review_image(all, bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local title = 'Re-review base image'
  local uri = vim.uri_from_bufnr(bufnr)
  if not all then
    local cursor = vim.api.nvim_win_get_cursor(0)[1] - 1
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, cursor + 1, false)
    for i = #lines, 1, -1 do
      local prev = lines[i - 1]
      local continued = prev ~= nil and prev:match('\\%s*$') and not prev:match('^%s*#')
      local indent = lines[i]:lower():match('^(%s*)from%s')
      if not continued and indent then
        -- The FROM keyword's position; leading blanks are ASCII, so bytes equal UTF-16 units.
        return M.execute('layerlens.reviewImage', title, { uri, { line = i - 1, character = #indent } }, bufnr)
      end
    end
  end
  return M.execute('layerlens.reviewImage', title, { uri }, bufnr)
end

function M.create_commands()
  vim.api.nvim_create_user_command('LayerlensPinAll', function()
    M.pin_all(0)
  end, { desc = 'layerlens: pin all base images of this Dockerfile to digests' })
  vim.api.nvim_create_user_command('LayerlensReviewImage', function(c)
    M.review_image(c.bang, 0)
  end, { bang = true, desc = 'layerlens: re-review the base image of this stage (with !: all images of the file)' })
end

return M
