-- Sieve of Eratosthenes below 2,000,000: a big boolean list, tight loops, indexing.
-- Twin of bench/pbs/sieve.pbs; prints one checksum line (the number of primes).

local LIMIT = 2000000

local function count_primes(limit)
  local composite = {}
  for i = 1, limit do
    composite[i] = false
  end
  -- i * i stays below the limit, so the PBS twin never overflows its 32-bit int.
  local i = 2
  while i * i < limit do
    if not composite[i] then
      local j = i * i
      while j < limit do
        composite[j] = true
        j = j + i
      end
    end
    i = i + 1
  end
  local count = 0
  for k = 2, limit - 1 do
    if not composite[k] then
      count = count + 1
    end
  end
  return count
end

print("done " .. count_primes(LIMIT))
