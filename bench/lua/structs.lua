-- Struct-heavy updates: 1,000 particles (nested position and velocity records)
-- bounce inside a box for 10,000 steps. Twin of bench/pbs/structs.pbs.
--
-- PBS structs are values; the idiomatic Lua record is a table updated in place, so
-- this twin mutates its tables instead of building new ones (the cheaper choice for
-- Lua). The checksum folds the sum of the positions of every step into 24 bits
-- (it stays below 2^31, so the 32-bit PBS int agrees) and counts the bounces.

local COUNT = 1000
local STEPS = 10000
local WIDTH = 32000
local HEIGHT = 18000

-- The PBS twin's 31-bit linear congruential generator; the product stays below 2^62,
-- and masking keeps the same low bits the 32-bit PBS product wraps to.
local seed = 12345
local function next_random(max)
  seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
  return (seed >> 16) % max
end

local function spawn()
  return {
    pos = { x = next_random(WIDTH), y = next_random(HEIGHT) },
    vel = { x = next_random(61) - 30, y = next_random(61) - 30 },
    bounces = 0,
  }
end

local function step(p)
  local pos, vel = p.pos, p.vel
  pos.x = pos.x + vel.x
  pos.y = pos.y + vel.y
  if pos.x < 0 or pos.x >= WIDTH then
    vel.x = -vel.x
    p.bounces = p.bounces + 1
  end
  if pos.y < 0 or pos.y >= HEIGHT then
    vel.y = -vel.y
    p.bounces = p.bounces + 1
  end
end

local particles = {}
for i = 1, COUNT do
  particles[i] = spawn()
end

local check = 0
for _ = 1, STEPS do
  local sum_x, sum_y = 0, 0
  for i = 1, COUNT do
    local p = particles[i]
    step(p)
    sum_x = sum_x + p.pos.x
    sum_y = sum_y + p.pos.y
  end
  check = (check * 31 + sum_x + sum_y) & 0xFFFFFF
end

local bounces = 0
for i = 1, COUNT do
  bounces = bounces + particles[i].bounces
end
print("done " .. check .. " " .. bounces)
