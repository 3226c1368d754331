-- Neovim loads editors/nvim as a runtime directory: `*.pbs` gets the `pbs` filetype and
-- syntax/pbs.vim colours it. Run headless with `-u NONE` from the repository root
-- (prometeu/tests/editors.rs does); writes what it saw to $PROMETEU_NVIM_OUT:
--   probe <text> <syntax group>     for the probes below,
--   untokenized <file>:<line>:<col> for a non-blank character with no syntax group,
--   error <file>:<line>:<col> <grp> for an error group in a program that lexes clean,
--   files <count>                   how many .pbs files of the repository were checked.
local script_dir = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
local editors_nvim = vim.fn.fnamemodify(script_dir, ":h")
local repo = vim.fn.fnamemodify(editors_nvim, ":h:h")
vim.opt.runtimepath:prepend(editors_nvim)
vim.cmd("filetype plugin on")
vim.cmd("syntax on")

local out = {}
local function saw(line) table.insert(out, line) end

local function group_at(line, col)
  return vim.fn.synIDattr(vim.fn.synID(line, col, 1), "name")
end

-- Probes: one line per lexical class of docs/spec/pbs-language.md §2.
local probe_lines = {
  'import { Vec2 as V } from "@math";',
  '/// Documented.',
  'pub declare struct P(x: float) { pub const ZERO: P = P(0.0); }',
  'fn frame() { let mut n: list<ref<P>> = alloc list<ref<P>>(); }',
  'let s = "tab\\t \\u{1F600} bad\\q"; // TODO note',
  'let a = 0x1F + 1_000 + 640b + 6.02E-3 + 12abc + weak;',
  'if o when { some(v) -> self.x, none -> LoadError.NotFound, _ -> true }',
  'x ~= y # python',
  "let c = 'c' $ 1..5;",
}
vim.cmd("enew")
vim.bo.filetype = "pbs"
vim.api.nvim_buf_set_lines(0, 0, -1, false, probe_lines)
local probes = {
  { 1, "import" }, { 1, "Vec2" }, { 1, "as" }, { 1, '"@math"' }, { 1, ";" },
  { 2, "///" }, { 3, "pub" }, { 3, "declare" }, { 3, "struct" }, { 3, "P(" }, { 3, "float" },
  { 3, "const" }, { 3, "ZERO" }, { 3, "0.0" },
  { 4, "fn" }, { 4, "frame" }, { 4, "let" }, { 4, "mut" }, { 4, "list" }, { 4, "<" }, { 4, "alloc" },
  { 5, "\\t" }, { 5, "\\u{1F600}" }, { 5, "\\q" }, { 5, "TODO" }, { 5, "note" },
  { 6, "0x1F" }, { 6, "1_000" }, { 6, "640b" }, { 6, "6.02E-3" }, { 6, "12abc" }, { 6, "weak" },
  { 7, "if" }, { 7, "when" }, { 7, "some" }, { 7, "->" }, { 7, "self" }, { 7, "none" },
  { 7, "LoadError" }, { 7, "NotFound" }, { 7, "_" }, { 7, "true" },
  { 8, "~=" }, { 8, "#" }, { 8, "python" },
  { 9, "'" }, { 9, "$" }, { 9, ".." },
}
for _, probe in ipairs(probes) do
  local line, text = probe[1], probe[2]
  local col = probe_lines[line]:find(text, 1, true)
  saw(string.format("probe %s %s", text, col and group_at(line, col) or "NOT-FOUND"))
end

-- Every .pbs file of the repository: each non-blank character has a group; programs
-- that lex clean (examples except diagnostics, bench, conformance) show no error.
local function valid_program(relative)
  return (relative:match("^examples/") and not relative:match("^examples/diagnostics/"))
    or relative:match("^bench/") or relative:match("^tests/conformance/")
end
local error_groups = {
  pbsInvalidChar = true, pbsNumberError = true, pbsEscapeError = true, pbsReserved = true,
  pbsForeignMark = true, pbsForeignOperator = true,
}
-- Directories that hold no source of the repository (build output, installs), as in
-- editors/vscode/test/grammar.test.js.
local skipped_dirs = { target = true, node_modules = true, build = true, corpus = true, artifacts = true }
local count = 0
for _, path in ipairs(vim.fn.globpath(repo, "**/*.pbs", false, true)) do
  local relative = path:sub(#repo + 2)
  local skipped = false
  for component in relative:gmatch("[^/]+") do
    if skipped_dirs[component] or component:sub(1, 1) == "." then skipped = true end
  end
  if not skipped then
    count = count + 1
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    if vim.bo.filetype ~= "pbs" then saw("filetype " .. relative .. " " .. vim.bo.filetype) end
    local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
    for line_number, text in ipairs(lines) do
      for col = 1, #text do
        if not text:sub(col, col):match("%s") then
          local group = group_at(line_number, col)
          if group == "" then
            saw(string.format("untokenized %s:%d:%d", relative, line_number, col))
          elseif error_groups[group] and valid_program(relative) then
            saw(string.format("error %s:%d:%d %s", relative, line_number, col, group))
          end
        end
      end
    end
    vim.cmd("bwipeout!")
  end
end
saw("files " .. count)
vim.fn.writefile(out, vim.env.PROMETEU_NVIM_OUT)
vim.cmd("qa!")
