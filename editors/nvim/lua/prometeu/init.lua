-- The Prometeu language server for Neovim's built-in LSP client (0.7+, no plugins):
--
--   require("prometeu").setup()                         -- `prometeu lsp` on the PATH
--   require("prometeu").setup({ cmd = { "/path/to/prometeu", "lsp" } })
--
-- with editors/nvim on the runtimepath (it also brings the `pbs` filetype, syntax
-- colouring and buffer settings). Every PBS buffer is attached to one server per
-- project: the nearest directory holding `prometeu.json`, or the file's own directory
-- for a loose file. On Neovim 0.8+ `vim.lsp.start` does the reuse; on 0.7 this module
-- keeps one client per root itself.
local M = {}

--- What `setup` starts unless told otherwise.
M.defaults = {
  cmd = { "prometeu", "lsp" },
  root_markers = { "prometeu.json" },
  -- Passed to the server as `initializationOptions` and served on
  -- `workspace/configuration` (vim.lsp answers it from `settings`).
  init_options = nil,
  settings = {},
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(M.defaults)

--- The nearest directory at or above `path` holding one of `markers`, or nil.
function M.find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then return dir end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then return nil end
    dir = parent
  end
end

--- The client configuration for a buffer whose file is `path`.
function M.client_config(path)
  local config = M.config
  local root = M.find_root(path, config.root_markers) or vim.fn.fnamemodify(path, ":p:h")
  return {
    name = "prometeu",
    cmd = config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
    init_options = config.init_options,
    settings = config.settings,
    on_attach = config.on_attach,
    capabilities = config.capabilities,
  }
end

-- Neovim 0.7 has no vim.lsp.start: one client per root, reused while it runs.
local clients_by_root = {}

--- Attaches buffer `bufnr` (default: the current one) to its project's server and
--- returns the client id, or nil for a buffer without a file.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" or path:match("^%a[%w+.-]*://") then return nil end
  local client_config = M.client_config(path)
  if vim.lsp.start then
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end
  local id = clients_by_root[client_config.root_dir]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(client_config)
    clients_by_root[client_config.root_dir] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
  return id
end

--- The command of the server's references code lens (`arguments = { uri, position }`):
--- lists the references in the quickfix window, as `vim.lsp.buf.references()` does.
function M.show_references(command, ctx)
  local uri, position = command.arguments[1], command.arguments[2]
  local params = { textDocument = { uri = uri }, position = position, context = { includeDeclaration = false } }
  vim.lsp.buf_request(ctx and ctx.bufnr or vim.uri_to_bufnr(uri), "textDocument/references", params)
end

--- Starts the server for every PBS buffer, now and later. `options` override
--- `M.defaults` (`cmd`, `root_markers`, `init_options`, `settings`, `on_attach`,
--- `capabilities`).
function M.setup(options)
  M.config = vim.tbl_extend("force", vim.deepcopy(M.defaults), options or {})
  vim.lsp.commands["prometeu.showReferences"] = M.show_references
  local group = vim.api.nvim_create_augroup("prometeu_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "pbs",
    callback = function(event) M.attach(event.buf) end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == "pbs" then M.attach(bufnr) end
  end
end

return M
