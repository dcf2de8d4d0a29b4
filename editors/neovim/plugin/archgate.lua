-- Defines :ArchgateExplain and :ArchgateRestart as soon as the plugin is on
-- the runtimepath; the client itself starts only after
-- require("archgate").setup({...}).
if vim.g.loaded_archgate then
  return
end
vim.g.loaded_archgate = true

vim.api.nvim_create_user_command("ArchgateExplain", function()
  require("archgate").explain()
end, { desc = "archgate: show the architecture (archgate/explain) as Markdown" })

vim.api.nvim_create_user_command("ArchgateRestart", function()
  require("archgate").restart()
end, { desc = "archgate: restart the language server" })
