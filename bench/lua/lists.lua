-- List-heavy allocation: every round builds a list of 1,000 fresh lists of up to 50
-- ints, reads them, trims each by popping, and drops them all for the collector.
-- Twin of bench/pbs/lists.pbs.
--
-- About 12 million pushes and 500,000 short-lived lists in all; the PBS twin's live
-- data stays far below its 16 MiB heap while it allocates several times that. The
-- checksum folds every round's sum into 24 bits and counts the elements seen.

local ROUNDS = 500
local ROWS = 1000
local KEEP = 10

local function build_rows(round)
  local rows = {}
  for r = 0, ROWS - 1 do
    local row = {}
    for c = 0, r % 50 do
      row[#row + 1] = r + c + round
    end
    rows[#rows + 1] = row
  end
  return rows
end

local check = 0
local seen = 0
for round = 0, ROUNDS - 1 do
  local rows = build_rows(round)
  local sum = 0
  for _, row in ipairs(rows) do
    seen = seen + #row
    while #row > KEEP do
      sum = sum + table.remove(row)
    end
    for _, v in ipairs(row) do
      sum = sum - v
    end
  end
  check = (check * 31 + sum) & 0xFFFFFF
end
print("done " .. check .. " " .. seen)
