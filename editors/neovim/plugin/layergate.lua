-- Defines :LayergateExplain and :LayergateRestart as soon as the plugin is on
-- the runtimepath; the client itself starts only after
-- require("layergate").setup({...}).
if vim.g.loaded_layergate then
  return
end
vim.g.loaded_layergate = true

vim.api.nvim_create_user_command("LayergateExplain", function()
  require("layergate").explain()
end, { desc = "layergate: show the architecture (layergate/explain) as Markdown" })

vim.api.nvim_create_user_command("LayergateRestart", function()
  require("layergate").restart()
end, { desc = "layergate: restart the language server" })
