-- Neovim's own LSP client (0.7+, no plugins) drives `prometeu lsp` the way the
-- README's editor setup does: open a file of a project, type a mistake, read the
-- diagnostic, hover and go to a definition in a dependency, apply a quick fix, complete
-- after a `.`. Writes what it saw to
-- $PROMETEU_NVIM_OUT, one line per fact; `prometeu/tests/lsp.rs` checks the lines.
-- Run from a directory holding copies of `town` and `mathlib`.
vim.filetype.add({ extension = { pbs = "pbs" } })
local seen = {}
local function saw(fact) table.insert(seen, fact) end

vim.cmd("edit town/src/main.pbs")
local client_id = vim.lsp.start_client({
  name = "prometeu",
  cmd = { vim.env.PROMETEU_BIN, "lsp" },
  root_dir = vim.fn.getcwd() .. "/town",
})
vim.lsp.buf_attach_client(0, client_id)
vim.wait(10000, function()
  local client = vim.lsp.get_client_by_id(client_id)
  return client ~= nil and client.initialized
end)

-- Type a mistake inside `frame`: the server publishes it for this buffer.
local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
local frame_line
for index, text in ipairs(lines) do
  if text:find("^fn frame%(%)") then frame_line = index end
end
vim.api.nvim_buf_set_lines(0, frame_line, frame_line, false, { '    let n: int = "x";' })
vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end)
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  saw("diagnostic " .. diagnostic.code .. " line " .. diagnostic.lnum)
end

-- Hover and definition on `lerp`, imported from the `math` dependency.
lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
for index, text in ipairs(lines) do
  local column = text:find("lerp%(20")
  if column then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      position = { line = index - 1, character = column },
    }
    for _, reply in pairs(vim.lsp.buf_request_sync(0, "textDocument/hover", params, 10000) or {}) do
      if reply.result then saw("hover " .. reply.result.contents.value:match("fn lerp%b()")) end
    end
    for _, reply in pairs(vim.lsp.buf_request_sync(0, "textDocument/definition", params, 10000) or {}) do
      if reply.result and reply.result[1] then
        saw("definition " .. reply.result[1].targetUri:match("[^/]+/src/[^/]+$"))
      end
    end
  end
end

-- A quick fix for the unused `n`, applied by Neovim itself: the warning goes.
local unused
for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
  if diagnostic.code == "W_UNUSED_LOCAL" then unused = diagnostic end
end
if unused then
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    range = {
      start = { line = unused.lnum, character = unused.col },
      ["end"] = { line = unused.end_lnum, character = unused.end_col },
    },
    context = { diagnostics = {}, only = { "quickfix" } },
  }
  for _, reply in pairs(vim.lsp.buf_request_sync(0, "textDocument/codeAction", params, 10000) or {}) do
    for _, action in ipairs(reply.result or {}) do
      if action.isPreferred then
        saw("code action " .. action.title)
        vim.lsp.util.apply_workspace_edit(action.edit, "utf-16")
      end
    end
  end
  vim.wait(10000, function()
    for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
      if diagnostic.code == "W_UNUSED_LOCAL" then return false end
    end
    return true
  end)
  for _, diagnostic in ipairs(vim.diagnostic.get(0)) do
    saw("after the fix " .. diagnostic.code)
  end
end

-- Completion right after `Color.`: the prelude struct's constants and functions.
lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
for index, text in ipairs(lines) do
  local column = text:find("Color%.rgb%(90")
  if column then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      position = { line = index - 1, character = column - 1 + #"Color." },
    }
    for _, reply in pairs(vim.lsp.buf_request_sync(0, "textDocument/completion", params, 10000) or {}) do
      local labels = {}
      for _, item in ipairs((reply.result or {}).items or reply.result or {}) do
        labels[item.label] = true
      end
      if labels.RED and labels.rgb and not labels.frame then saw("completion Color.RED Color.rgb") end
    end
  end
end

vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end)
saw("stopped")
vim.fn.writefile(seen, vim.env.PROMETEU_NVIM_OUT)
vim.cmd("qa!")
