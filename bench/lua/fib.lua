-- Recursive Fibonacci: call overhead and integer arithmetic.
-- Twin of bench/pbs/fib.pbs; prints one checksum line.

local function fib(n)
  if n < 2 then
    return n
  end
  return fib(n - 1) + fib(n - 2)
end

print("done " .. fib(32))
