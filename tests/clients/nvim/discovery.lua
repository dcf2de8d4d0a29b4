-- The plugin finds the binary where installers put it when it is not on
-- PATH (a GUI or remote Neovim often has a login shell's PATH):
--   HOME=/tmp/h PATH=/usr/bin:/bin PLUGIN=/abs/editors/neovim LAYERGATE=/abs/layergate \
--   nvim --headless -u NONE -i NONE -n -c "luafile discovery.lua"
-- 1. nothing installed: resolve_cmd() is nil;
-- 2. ~/.cargo/bin/layergate (cargo install): that path, the arguments kept;
-- 3. Mason's bin directory wins over ~/.cargo/bin (it comes first);
-- 4. an explicit cmd is used as configured, never searched for.
local failures, passes = {}, 0
local function print(s)
  io.stdout:write(s .. "\n")
end
local function check(cond, what, detail)
  if cond then
    passes = passes + 1
    print("  ok   " .. what)
  else
    table.insert(failures, what)
    print("  FAIL " .. what .. (detail and ("\n" .. detail) or ""))
  end
end
local ok, err = pcall(function()
  vim.opt.runtimepath:prepend(vim.env.PLUGIN)
  local lg = require("layergate")
  lg.setup({})
  check(vim.fn.executable("layergate") == 0, "layergate is not on this PATH")
  check(lg.resolve_cmd() == nil, "nothing installed: no command")
  local home = vim.env.HOME
  vim.fn.mkdir(home .. "/.cargo/bin", "p")
  vim.loop.fs_symlink(vim.env.LAYERGATE, home .. "/.cargo/bin/layergate")
  local cmd = lg.resolve_cmd()
  check(cmd ~= nil and cmd[1] == home .. "/.cargo/bin/layergate" and cmd[2] == "lsp",
    "cargo's ~/.cargo/bin/layergate is found", vim.inspect(cmd))
  local mason = vim.fn.stdpath("data") .. "/mason/bin"
  vim.fn.mkdir(mason, "p")
  vim.loop.fs_symlink(vim.env.LAYERGATE, mason .. "/layergate")
  cmd = lg.resolve_cmd()
  check(cmd ~= nil and cmd[1] == mason .. "/layergate", "Mason's bin directory comes first", vim.inspect(cmd))
  lg.setup({ cmd = { home .. "/nowhere/layergate", "lsp" } })
  check(lg.resolve_cmd() == nil, "an explicit path that does not exist is not searched for elsewhere")
end)
if not ok then
  table.insert(failures, tostring(err))
  print("  FAIL " .. tostring(err))
end
print(("nvim discovery: %d checks passed, %d failed"):format(passes, #failures))
vim.cmd("cquit " .. ((#failures == 0 and passes > 0) and 0 or 1))
