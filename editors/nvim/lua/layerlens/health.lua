-- :checkhealth layerlens: is the server found and runnable, and which client API is in use.
local M = {}

-- vim.health on 0.10+, the older require('health') report_* functions before.
local health = vim.health or require('health')
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local err = health.error or health.report_error
local info = health.info or health.report_info
local start = health.start or health.report_start

function M.check()
  start('layerlens')
  local layerlens = require('layerlens')
  local v = vim.version()
  info(string.format('Neovim %d.%d.%d: client API "%s"', v.major, v.minor, v.patch, layerlens._api or layerlens.api()))
  if layerlens._api == nil then
    warn('require("layerlens").setup() has not run (fine if you use vim.lsp.enable("layerlens") on 0.11+)')
  end
  local cmd = layerlens._opts and layerlens._opts.cmd
  if cmd == nil and vim.fn.has('nvim-0.11') == 1 then
    -- vim.lsp.enable('layerlens') without setup(): lsp/layerlens.lua merged with vim.lsp.config.
    local cfg = vim.lsp.config.layerlens
    cmd = cfg and type(cfg.cmd) == 'table' and cfg.cmd or nil
  end
  cmd = cmd or layerlens.defaults.cmd
  local exe = vim.fn.exepath(cmd[1])
  if exe == '' then
    err(string.format('%s is not executable or not on PATH', cmd[1]), {
      'Install it: go install github.com/layerlens/layerlens/cmd/layerlens@latest',
      'or pass cmd = { "/path/to/layerlens", "serve", "--stdio" } to setup()',
    })
    return
  end
  local out = vim.fn.system({ exe, 'version' })
  if vim.v.shell_error ~= 0 then
    err(string.format('%s version failed: %s', exe, out))
  else
    ok(string.format('%s: %s', exe, vim.trim(out)))
  end
  local c = layerlens.client(0)
  if c then
    local cmds = ((c.server_capabilities or {}).executeCommandProvider or {}).commands or {}
    ok(string.format('attached to this buffer (client %d); server commands: %s', c.id, table.concat(cmds, ', ')))
  else
    info('no layerlens client is attached to the current buffer')
  end
end

return M
