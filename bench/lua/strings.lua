-- String building: concatenation of numbers and separators into growing lines,
-- lengths and bytewise comparisons. Twin of bench/pbs/strings.pbs.
--
-- Each line is built by repeated `..`, the same way the PBS twin uses `+` (PBS has
-- no string buffer), so both copy the same bytes. The checksum line holds the total
-- length of every line built and how many lines sorted before the previous one.

local LINES = 50000
local PARTS = 100

local function build_line(n)
  local line = "line " .. n .. ":"
  for part = 0, PARTS - 1 do
    line = line .. " " .. (n * part % 9973) .. ","
  end
  return line
end

local total = 0
local descents = 0
local previous = ""
for n = 0, LINES - 1 do
  local line = build_line(n)
  total = total + #line
  if line < previous then
    descents = descents + 1
  end
  previous = line
end
print("done " .. total .. " " .. descents)
