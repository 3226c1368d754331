-- require("prometeu").setup() from editors/nvim drives `prometeu lsp` ($PROMETEU_BIN):
-- a PBS buffer attaches to the server of its project, a second file of the project
-- reuses that client, a file of another project gets its own, and hover works. Run
-- headless with `-u NONE` from a directory holding copies of the example projects
-- `town` and `mathlib` (prometeu/tests/editors.rs does); writes what it saw to
-- $PROMETEU_NVIM_OUT, one line per fact.
local script_dir = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(script_dir, ":h"))
vim.cmd("filetype plugin on")
vim.cmd("syntax on")

local out = {}
local function saw(line) table.insert(out, line) end
local cwd = vim.fn.getcwd()
local function relative(path) return path:sub(#cwd + 2) end

local prometeu = require("prometeu")
prometeu.setup({ cmd = { vim.env.PROMETEU_BIN, "lsp" } })

local function attached_client(bufnr)
  local found
  vim.wait(10000, function()
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.initialized then found = client return true end
    end
    return false
  end)
  return found
end

vim.cmd("edit town/src/main.pbs")
saw("filetype " .. vim.bo.filetype)
local town = attached_client(0)
saw("root " .. (town and relative(town.config.root_dir) or "none"))

vim.cmd("edit town/src/ui/hud.pbs")
local hud = attached_client(0)
saw("same project, same client " .. tostring(hud ~= nil and town ~= nil and hud.id == town.id))

vim.cmd("edit mathlib/src/lib.pbs")
local mathlib = attached_client(0)
saw("root " .. (mathlib and relative(mathlib.config.root_dir) or "none"))
saw("other project, other client " .. tostring(mathlib ~= nil and town ~= nil and mathlib.id ~= town.id))

vim.cmd("buffer town/src/main.pbs")
local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
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
    break
  end
end

-- The references lens runs its command through vim.lsp.commands: the quickfix list
-- fills (Hud is used by main.pbs).
vim.cmd("buffer town/src/ui/hud.pbs")
local lens_params = { textDocument = { uri = vim.uri_from_bufnr(0) } }
for _, reply in pairs(vim.lsp.buf_request_sync(0, "textDocument/codeLens", lens_params, 10000) or {}) do
  for _, lens in ipairs(reply.result or {}) do
    if lens.command and lens.command.command == "prometeu.showReferences" and lens.command.title ~= "0 references" then
      vim.fn.setqflist({})
      vim.lsp.commands[lens.command.command](lens.command, { bufnr = 0 })
      vim.wait(10000, function() return #vim.fn.getqflist() > 0 end)
      saw("references lens lists " .. tostring(#vim.fn.getqflist() > 0))
      break
    end
  end
end

vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(20000, function() return #vim.lsp.get_active_clients() == 0 end)
saw("stopped " .. #vim.lsp.get_active_clients())
vim.fn.writefile(out, vim.env.PROMETEU_NVIM_OUT)
vim.cmd("qa!")
