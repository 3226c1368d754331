-- Reads $PROMETEU_PROBES, one probe per line, `<file>\t<line>\t<byte column>\t…`
-- (line 1-based, byte column 0-based), and writes to $PROMETEU_NVIM_OUT the syntax
-- group syntax/pbs.vim gives each probed character. prometeu/tests/editors.rs probes
-- the start of every token the lexer finds, to check that the syntax file and the
-- lexer agree. Run headless with `-u NONE`.
local script_dir = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(script_dir, ":h"))
vim.cmd("filetype plugin on")
vim.cmd("syntax on")

local out = {}
local current
for _, probe in ipairs(vim.fn.readfile(vim.env.PROMETEU_PROBES)) do
  local file, line, column = probe:match("^([^\t]+)\t(%d+)\t(%d+)\t")
  if file ~= current then
    if current then vim.cmd("bwipeout!") end
    vim.cmd("edit " .. vim.fn.fnameescape(file))
    current = file
  end
  local id = vim.fn.synID(tonumber(line), tonumber(column) + 1, 1)
  table.insert(out, vim.fn.synIDattr(id, "name"))
end
vim.fn.writefile(out, vim.env.PROMETEU_NVIM_OUT)
vim.cmd("qa!")
