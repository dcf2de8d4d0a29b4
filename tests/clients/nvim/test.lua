-- Headless Neovim driving the real `layergate lsp` through editors/neovim.
--
--   LAYERGATE=/abs/layergate PLUGIN=/abs/editors/neovim WS=/tmp/copy FILE=src/x.ts \
--   SUPPRESS=layers EXPECT="4:layers" nvim --headless -u NONE -i NONE -n -c "luafile test.lua"
--
-- 1. The oracle: `layergate check --format json` on the file's contents gives
--    the expected diagnostics (and they must match EXPECT, the fixture's
--    `//~` markers as "line:rule,...": the oracle cannot be empty by accident).
-- 2. Opening FILE starts the client through the plugin's FileType autocmd;
--    vim.diagnostic.get(buf) must equal the oracle exactly: line, byte
--    columns, code, severity, message, source.
-- 3. The "Suppress `SUPPRESS` on this line" code action is applied with
--    vim.lsp.util.apply_workspace_edit; the buffer change goes to the server
--    as didChange; the diagnostics must then equal the oracle on the new text,
--    which is the old set minus that one (no `suppression` warning: the
--    suppression is used and has a reason placeholder).
-- 4. :LayergateExplain opens the Markdown of `layergate explain` in a scratch
--    buffer; :LayergateRestart starts a new client that publishes again.
-- Exits 0 when every check passed, 1 otherwise (with the reasons on stdout).

local env = vim.env
local bin, plugin, ws, file = env.LAYERGATE, env.PLUGIN, env.WS, env.FILE
local suppress, expect_markers = env.SUPPRESS, env.EXPECT or ""
local record = env.RECORD -- optional: write the inline view here

local failures, passes = {}, 0
local function out(s)
  io.stdout:write(s .. "\n")
end
local function check(cond, what, detail)
  if cond then
    passes = passes + 1
    out("  ok   " .. what)
  else
    table.insert(failures, what)
    out("  FAIL " .. what .. (detail and ("\n" .. detail) or ""))
  end
  return cond
end
local function finish()
  out(("nvim %s: %d checks passed, %d failed"):format(file, passes, #failures))
  vim.cmd("cquit " .. ((#failures == 0 and passes > 0) and 0 or 1))
end
local function die(msg)
  table.insert(failures, msg)
  out("  FAIL " .. msg)
  finish()
end

local ok_main, err_main = xpcall(function()
  vim.o.swapfile = false
  vim.o.more = false
  vim.opt.runtimepath:prepend(plugin)
  vim.notify = function(msg)
    out("    notify: " .. msg)
  end
  vim.cmd("filetype on")
  vim.cmd("cd " .. vim.fn.fnameescape(ws))

  -- keep the raw LSP diagnostics as published (for the code action context)
  local raw = {}
  local publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
  vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
    if result then
      raw[result.uri] = result.diagnostics
    end
    return publish(err, result, ctx, config)
  end

  local layergate = require("layergate")
  layergate.setup({ cmd = { bin, "lsp" } })

  local severities = { error = 1, warning = 2, info = 3, hint = 4 }

  -- the oracle: `layergate check --format json --stdin-filename FILE` on `text`
  local function oracle(text)
    local json = vim.fn.system({ bin, "check", "--format", "json", "--no-cache", "--stdin-filename", file }, text)
    if vim.v.shell_error > 1 then
      error("layergate check failed (" .. vim.v.shell_error .. "): " .. json)
    end
    local lines = vim.split(text, "\n", { plain = true })
    local function bytecol(line, col) -- 1-based line, 1-based scalar column -> 0-based byte
      local l = lines[line] or ""
      local ok, b = pcall(vim.str_byteindex, l, col - 1)
      return ok and b or #l
    end
    local res = {}
    for _, d in ipairs(vim.json.decode(json).diagnostics) do
      if d.file == file then
        table.insert(res, {
          lnum = d.line - 1,
          col = bytecol(d.line, d.column),
          end_lnum = d.end_line - 1,
          end_col = bytecol(d.end_line, d.end_column),
          code = d.rule,
          severity = severities[d.severity],
          message = d.message,
          source = "layergate",
        })
      end
    end
    return res
  end

  local function norm(list)
    local rows = {}
    for _, d in ipairs(list) do
      table.insert(
        rows,
        ("%d:%d-%d:%d %s sev=%s src=%s %s"):format(
          d.lnum + 1,
          d.col,
          d.end_lnum + 1,
          d.end_col,
          tostring(d.code),
          tostring(d.severity),
          tostring(d.source),
          d.message
        )
      )
    end
    table.sort(rows)
    return table.concat(rows, "\n")
  end
  local function markers(list) -- "line:rule,..." by line, then rule
    local rows = {}
    for _, d in ipairs(list) do
      table.insert(rows, { d.lnum + 1, d.code })
    end
    table.sort(rows, function(a, b)
      return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
    end)
    local s = {}
    for _, r in ipairs(rows) do
      table.insert(s, r[1] .. ":" .. r[2])
    end
    return table.concat(s, ",")
  end

  local path = ws .. "/" .. file
  local disk = table.concat(vim.fn.readfile(path, "b"), "\n")
  local expected = oracle(disk)
  check(
    markers(expected) == expect_markers,
    "oracle (layergate check --format json) matches the fixture markers " .. expect_markers,
    "  got " .. markers(expected)
  )

  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local client
  check(
    vim.wait(10000, function()
      client = layergate.get_client(buf)
      return client ~= nil and vim.lsp.buf_is_attached(buf, client.id)
    end, 20),
    "the plugin started `layergate lsp` and attached it (filetype " .. vim.bo[buf].filetype .. ")"
  )
  if not client then
    return die("no client")
  end

  local function status()
    local r
    if vim.fn.has("nvim-0.11") == 1 then
      r = client:request_sync("layergate/status", nil, 60000, buf)
    else
      r = client.request_sync("layergate/status", nil, 60000, buf)
    end
    vim.wait(100) -- let queued publishDiagnostics notifications be handled
    return r and r.result
  end

  local function settle_to(want, timeout)
    local want_s = norm(want)
    vim.wait(timeout, function()
      return norm(vim.diagnostic.get(buf)) == want_s
    end, 20)
    status()
    return norm(vim.diagnostic.get(buf))
  end

  local got = settle_to(expected, 30000)
  check(
    got == norm(expected),
    ("diagnostics of %s equal layergate check's (%d)"):format(file, #expected),
    "  want:\n" .. norm(expected) .. "\n  got:\n" .. got
  )

  if record then
    -- the inline view a person sees: each flagged line, then its diagnostics
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local outl = { ("$ nvim %s    (client %s, offset encoding %s)"):format(file, client.name, client.offset_encoding) }
    local names = { "E", "W", "I", "H" }
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(outl, ("%4d | %s"):format(d.lnum + 1, lines[d.lnum + 1]))
      table.insert(
        outl,
        ("     | %s%s %s [%s] %s"):format(string.rep(" ", d.col), string.rep("^", math.max(1, d.end_col - d.col)), names[d.severity], d.code, d.message)
      )
    end
    vim.fn.writefile(outl, record)
  end

  if suppress and suppress ~= "" then
    local uri = vim.uri_from_bufnr(buf)
    -- the LSP diagnostic as the server sent it: pushed (0.7: captured above)
    -- or pulled (0.10+ keeps the whole LSP diagnostic in user_data.lsp)
    local target
    for _, d in ipairs(raw[uri] or {}) do
      if d.code == suppress then
        target = d
        break
      end
    end
    if target == nil then
      for _, d in ipairs(vim.diagnostic.get(buf)) do
        local l = d.user_data and d.user_data.lsp
        if d.code == suppress and l and l.range then
          target = l
          break
        end
      end
    end
    if not check(target ~= nil, "a published `" .. suppress .. "` diagnostic to suppress") then
      return finish()
    end
    local params = {
      textDocument = { uri = uri },
      range = target.range,
      context = { diagnostics = { target } },
    }
    local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000) or {}
    local actions = (responses[client.id] or {}).result or {}
    local titles, action = {}, nil
    for _, a in ipairs(actions) do
      table.insert(titles, a.title)
      if a.title == ("Suppress `%s` on this line"):format(suppress) then
        action = a
      end
    end
    out("    code actions: " .. table.concat(titles, " | "))
    if not check(action ~= nil and action.edit ~= nil, "a \"Suppress `" .. suppress .. "` on this line\" action with an edit") then
      return finish()
    end
    local line_before = vim.api.nvim_buf_get_lines(buf, target.range.start.line, target.range.start.line + 1, false)[1]
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
    local now = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    local indent = line_before:match("^%s*")
    check(
      now[target.range.start.line + 1] == indent .. "// layergate-ignore " .. suppress .. ": <reason>"
        and now[target.range.start.line + 2] == line_before,
      "the edit inserted `// layergate-ignore " .. suppress .. ": <reason>` above the line",
      "  line: " .. tostring(now[target.range.start.line + 1])
    )

    -- what the old set minus the suppressed one looks like on the new text
    local shifted = {}
    for _, d in ipairs(expected) do
      if not (d.code == suppress and d.lnum == target.range.start.line) then
        local c = vim.deepcopy(d)
        if c.lnum >= target.range.start.line then
          c.lnum, c.end_lnum = c.lnum + 1, c.end_lnum + 1
        end
        table.insert(shifted, c)
      end
    end
    local after = oracle(table.concat(now, "\n") .. "\n")
    -- the quick fix's `<reason>` placeholder is no reason: one `suppression`
    -- warning on the inserted comment, and nothing else new
    local rest, placeholder = {}, 0
    for _, d in ipairs(after) do
      if d.code == "suppression" and d.lnum == target.range.start.line and d.message:find("placeholder", 1, true) then
        placeholder = placeholder + 1
      else
        table.insert(rest, d)
      end
    end
    check(
      norm(rest) == norm(shifted) and placeholder == 1,
      "oracle after the edit: the same diagnostics minus the suppressed one, and a `suppression` warning on the placeholder",
      "  oracle:\n" .. norm(after) .. "\n  expected besides the placeholder warning:\n" .. norm(shifted)
    )
    got = settle_to(after, 20000)
    check(
      got == norm(after),
      ("after didChange the diagnostics equal layergate check's on the new text (%d)"):format(#after),
      "  want:\n" .. norm(after) .. "\n  got:\n" .. got
    )
    expected = after
  end

  -- :LayergateExplain opens `layergate explain`'s Markdown in a scratch buffer
  local cli = vim.fn.system({ bin, "explain" })
  vim.cmd("LayergateExplain")
  local scratch
  vim.wait(10000, function()
    scratch = vim.api.nvim_get_current_buf()
    return scratch ~= buf
  end, 20)
  local md = table.concat(vim.api.nvim_buf_get_lines(scratch, 0, -1, false), "\n")
  check(
    scratch ~= buf and vim.bo[scratch].filetype == "markdown" and vim.bo[scratch].buftype == "nofile",
    ":LayergateExplain opened a scratch markdown buffer"
  )
  check(
    vim.trim(md) == vim.trim(cli) and #md > 0,
    ":LayergateExplain shows the Markdown of `layergate explain` (" .. #md .. " bytes)",
    "  explain:\n" .. md:sub(1, 400) .. "\n  cli:\n" .. cli:sub(1, 400)
  )
  vim.cmd("close")
  vim.cmd("buffer " .. buf)

  -- :LayergateRestart: a new client attaches and publishes the same set again
  local old_id = client.id
  vim.cmd("LayergateRestart")
  local new
  vim.wait(15000, function()
    new = layergate.get_client(buf)
    return new ~= nil and new.id ~= old_id and vim.lsp.buf_is_attached(buf, new.id)
  end, 20)
  check(new ~= nil and new.id ~= old_id, ":LayergateRestart started a new client for the buffer")
  if new then
    client = new
    -- the new client's diagnostics: pushed, or pulled (0.10+: own namespace)
    local function of_new()
      local push_ns = vim.lsp.diagnostic.get_namespace(new.id)
      local ds = vim.diagnostic.get(buf, { namespace = push_ns })
      local ok, pull_ns = pcall(vim.lsp.diagnostic.get_namespace, new.id, true)
      if ok and pull_ns and pull_ns ~= push_ns then
        vim.list_extend(ds, vim.diagnostic.get(buf, { namespace = pull_ns }))
      end
      return ds
    end
    vim.wait(20000, function()
      return norm(of_new()) == norm(expected)
    end, 20)
    status()
    check(
      norm(of_new()) == norm(expected),
      ("the restarted server reports the same diagnostics (%d)"):format(#expected),
      "  got:\n" .. norm(of_new())
    )
  end
end, debug.traceback)

if not ok_main then
  die("error: " .. tostring(err_main))
else
  finish()
end
