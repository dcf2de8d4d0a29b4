-- layergate for Neovim: starts `layergate lsp` for Rust/TypeScript/JavaScript
-- (and TOML) buffers under a directory holding `layergate.toml`.
--
--   require("layergate").setup({})                       -- `layergate lsp` from PATH
--   require("layergate").setup({ cmd = { "/path/to/layergate", "lsp" } })
--
-- Works on Neovim 0.7 (`vim.lsp.start_client` + `vim.lsp.buf_attach_client`)
-- and on 0.8+ (`vim.lsp.start`). Commands: :LayergateExplain, :LayergateRestart.

local M = {}

local defaults = {
  -- the server command; the first word is looked up on PATH
  cmd = { "layergate", "lsp" },
  -- buffers of these filetypes get the client
  filetypes = { "rust", "typescript", "typescriptreact", "javascript", "javascriptreact", "python", "toml" },
  -- the workspace root is the nearest directory holding one of these
  root_markers = { "layergate.toml" },
  -- client name (also the name used by :LspInfo)
  name = "layergate",
  -- passed through to the client as is
  on_attach = nil,
  capabilities = nil,
  handlers = nil,
  init_options = nil,
  cmd_env = nil,
  -- false: no autocommand; call require("layergate").attach(bufnr) yourself
  autostart = true,
}

M.config = vim.deepcopy(defaults)

-- client ids started by this plugin, by root directory
local clients = {}

local uv = vim.uv or vim.loop
local has_start = vim.lsp.start ~= nil
local is_windows = uv.os_uname().sysname:find("Windows") ~= nil
local sep = is_windows and "\\" or "/"

-- Client methods take `self` from 0.11 on (`client:stop()`); before, they
-- were closures (`client.stop()`).
local method_calls = vim.fn.has("nvim-0.11") == 1
local function call(client, name, ...)
  if method_calls then
    return client[name](client, ...)
  end
  return client[name](...)
end

local function notify(msg, level)
  vim.notify("layergate: " .. msg, level or vim.log.levels.INFO)
end

local function dirname(path)
  local d = path:match("^(.*)[/\\][^/\\]*$")
  if d == nil or d == "" then
    return sep
  end
  return d
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

--- The nearest directory at or above `path` (a file or a directory) that
--- holds one of the root markers, or nil.
function M.find_root(path)
  if path == nil or path == "" then
    return nil
  end
  path = vim.fn.fnamemodify(path, ":p")
  local stat = uv.fs_stat(path)
  local dir = (stat and stat.type == "directory") and path:gsub("[/\\]$", "") or dirname(path)
  if dir == "" then
    dir = sep
  end
  while true do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(dir .. sep .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

local function is_prefix(root, path)
  return path == root or path:sub(1, #root + 1) == root .. sep
end

local function live_client(id)
  local c = id and vim.lsp.get_client_by_id(id)
  if c == nil or (c.is_stopped and call(c, "is_stopped")) then
    return nil
  end
  return c
end

--- The client serving `path`: a running layergate client whose root contains
--- it (the server of an outer root also covers nested `layergate.toml` files).
local function client_for_path(path)
  local best, best_len = nil, -1
  for root, id in pairs(clients) do
    local c = live_client(id)
    if c == nil then
      clients[root] = nil
    elseif is_prefix(root, path) and #root > best_len then
      best, best_len = c, #root
    end
  end
  return best
end

--- Where the npm and Mason installs put the binary, for a `cmd[1]` that is
--- not on PATH (as Mason's own bin directory, or `npm install -g layergate`
--- with a prefix the editor's PATH lacks). Never the workspace's own
--- node_modules: a repository's files are not run.
function M.install_dirs()
  local dirs = {}
  local data = vim.fn.stdpath("data")
  if type(data) == "string" then
    table.insert(dirs, data .. "/mason/bin")
  end
  local prefix = vim.env.npm_config_prefix or vim.env.NPM_CONFIG_PREFIX
  if prefix and prefix ~= "" then
    table.insert(dirs, prefix .. "/bin")
  end
  local home = vim.env.HOME
  if home and home ~= "" then
    table.insert(dirs, home .. "/.cargo/bin")
    table.insert(dirs, home .. "/.local/bin")
    table.insert(dirs, home .. "/.npm-global/bin")
  end
  table.insert(dirs, "/usr/local/bin")
  return dirs
end

--- The command to run: `cmd` as configured when its program is executable
--- (on PATH or a path), else the same program found in `install_dirs()`;
--- nil when neither has it.
function M.resolve_cmd()
  local cmd = M.config.cmd
  if vim.fn.executable(cmd[1]) == 1 then
    return cmd
  end
  if not cmd[1]:find("/", 1, true) then
    for _, dir in ipairs(M.install_dirs()) do
      local candidate = dir .. "/" .. cmd[1]
      if vim.fn.executable(candidate) == 1 then
        local resolved = vim.deepcopy(cmd)
        resolved[1] = candidate
        return resolved
      end
    end
  end
  return nil
end

local function client_config(root, cmd)
  local cfg = M.config
  return {
    name = cfg.name,
    cmd = cmd or cfg.cmd,
    cmd_env = cfg.cmd_env,
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") },
    },
    capabilities = cfg.capabilities or vim.lsp.protocol.make_client_capabilities(),
    handlers = cfg.handlers,
    init_options = cfg.init_options,
    on_attach = cfg.on_attach,
    on_exit = function(_, _, client_id)
      for r, id in pairs(clients) do
        if id == client_id then
          clients[r] = nil
        end
      end
    end,
  }
end

--- Starts (or reuses) the client for `bufnr` and attaches it. Returns the
--- client id, or nil when the buffer is not under a `layergate.toml`.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" then
    return nil
  end
  local path = vim.fn.fnamemodify(name, ":p")
  local existing = client_for_path(path)
  if existing then
    if not vim.lsp.buf_is_attached(bufnr, existing.id) then
      vim.lsp.buf_attach_client(bufnr, existing.id)
    end
    return existing.id
  end
  local root = M.find_root(path)
  if root == nil then
    return nil
  end
  local cmd = M.resolve_cmd()
  if cmd == nil then
    notify(
      ("`%s` not found on PATH or in Mason's, npm's and cargo's bin directories: install it (npm install -g layergate, :MasonInstall layergate once it is in the registry, or cargo install --locked layergate) or pass cmd = { '/path/to/layergate', 'lsp' } to setup()"):format(
        M.config.cmd[1]
      ),
      vim.log.levels.ERROR
    )
    return nil
  end
  local id
  if has_start then
    -- 0.8's vim.lsp.start attaches the current buffer (opts.bufnr is 0.9+)
    vim.api.nvim_buf_call(bufnr, function()
      id = vim.lsp.start(client_config(root, cmd), {
        bufnr = bufnr,
        reuse_client = function(client, conf)
          return client.name == conf.name and client.config.root_dir == conf.root_dir
        end,
      })
    end)
  else
    id = vim.lsp.start_client(client_config(root, cmd))
    if id then
      vim.lsp.buf_attach_client(bufnr, id)
    end
  end
  if id then
    clients[root] = id
  end
  return id
end

--- The layergate client attached to `bufnr`, else the one serving its path,
--- else any running one.
function M.get_client(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  for root, id in pairs(clients) do
    local c = live_client(id)
    if c and vim.lsp.buf_is_attached(bufnr, id) then
      return c
    elseif c == nil then
      clients[root] = nil
    end
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name ~= "" then
    local c = client_for_path(vim.fn.fnamemodify(name, ":p"))
    if c then
      return c
    end
  end
  for _, id in pairs(clients) do
    local c = live_client(id)
    if c then
      return c
    end
  end
  return nil
end

local function request(client, method, params, handler, bufnr)
  return call(client, "request", method, params, handler, bufnr)
end

--- Opens `text` in a new scratch buffer with filetype markdown.
function M.open_scratch(text, title)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, title)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, "\n", { plain = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = "markdown"
  return buf
end

--- :LayergateExplain — the architecture as Markdown (`layergate/explain`).
--- `on_result(markdown)` replaces opening the scratch buffer (for tests).
function M.explain(on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.get_client(bufnr)
  if client == nil then
    M.attach(bufnr)
    client = M.get_client(bufnr)
  end
  if client == nil then
    notify("no layergate server for this buffer (no layergate.toml above it?)", vim.log.levels.WARN)
    return
  end
  request(client, "layergate/explain", nil, function(err, result)
    if err then
      notify("layergate/explain failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    local md = result and result.markdown or ""
    if on_result then
      on_result(md)
    else
      M.open_scratch(md, "layergate://explain")
    end
  end, bufnr)
end

--- :LayergateRestart — stops every layergate client and starts them again for
--- the loaded buffers.
function M.restart()
  local ids = {}
  for root, id in pairs(clients) do
    local c = vim.lsp.get_client_by_id(id)
    if c then
      table.insert(ids, id)
      call(c, "stop")
    end
    clients[root] = nil
  end
  local function all_stopped()
    for _, id in ipairs(ids) do
      local c = vim.lsp.get_client_by_id(id)
      if c and not (c.is_stopped and call(c, "is_stopped")) then
        return false
      end
    end
    return true
  end
  local tries = 0
  local function again()
    tries = tries + 1
    if not all_stopped() and tries < 50 then
      vim.defer_fn(again, 100)
      return
    end
    if not all_stopped() then
      for _, id in ipairs(ids) do
        local c = vim.lsp.get_client_by_id(id)
        if c then
          call(c, "stop", true)
        end
      end
    end
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
        M.attach(b)
      end
    end
    notify("restarted")
  end
  vim.defer_fn(again, 50)
end

local commands_defined = false
local function define_commands()
  if commands_defined then
    return
  end
  commands_defined = true
  vim.api.nvim_create_user_command("LayergateExplain", function()
    M.explain()
  end, { desc = "layergate: show the architecture (layergate/explain) as Markdown" })
  vim.api.nvim_create_user_command("LayergateRestart", function()
    M.restart()
  end, { desc = "layergate: restart the language server" })
end

--- setup({ cmd = {...}, filetypes = {...}, root_markers = {...}, on_attach = fn,
---         capabilities = tbl, handlers = tbl, init_options = tbl, cmd_env = tbl,
---         autostart = true })
function M.setup(opts)
  opts = opts or {}
  vim.validate({
    cmd = { opts.cmd, "table", true },
    filetypes = { opts.filetypes, "table", true },
    root_markers = { opts.root_markers, "table", true },
    on_attach = { opts.on_attach, "function", true },
  })
  M.config = vim.tbl_extend("force", vim.deepcopy(defaults), opts)
  define_commands()
  local group = vim.api.nvim_create_augroup("layergate", { clear = true })
  if M.config.autostart then
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = M.config.filetypes,
      callback = function(args)
        M.attach(args.buf)
      end,
      desc = "layergate: start or attach the language server",
    })
    -- buffers already open when setup() runs (e.g. setup in a lazy loader)
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(M.config.filetypes, vim.bo[b].filetype) then
        M.attach(b)
      end
    end
  end
  return M
end

return M
