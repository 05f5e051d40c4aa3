-- Neovim 0.11+ native client config for layerlens. With editors/nvim on 'runtimepath':
--   vim.lsp.enable('layerlens')
-- and, for settings (the same object VS Code sends; see editors/README.md):
--   vim.lsp.config('layerlens', { settings = { layerlens = { offline = true } } })
return {
  cmd = { 'layerlens', 'serve', '--stdio' },
  filetypes = { 'dockerfile' },
  root_markers = { '.git', '.hg', '.jj' },
  -- settings.layerlens also goes out as initializationOptions.
  before_init = function(params, config)
    local ok, layerlens = pcall(require, 'layerlens')
    if ok then
      layerlens.before_init(params, config)
    elseif config.settings and config.settings.layerlens and next(config.settings.layerlens) ~= nil then
      params.initializationOptions = params.initializationOptions or config.settings.layerlens
    end
  end,
}
