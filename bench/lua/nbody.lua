-- N-body: the Jovian planets around the sun, 1,000,000 steps of 0.01 days.
-- Float arithmetic on small records. Twin of bench/pbs/nbody.pbs.
--
-- PBS v0 has no square root, so both twins compute it with the same Newton iteration
-- (`sqrt` below) instead of math.sqrt: every float operation happens in the same
-- order in both languages, so the results are bit-identical. The checksum line holds
-- the energy before and after, times 1e9, truncated toward zero.

local PI = 3.141592653589793
local SOLAR_MASS = 4.0 * PI * PI
local DAYS_PER_YEAR = 365.24
local STEPS = 1000000

-- Square root by Newton's method: scale x into [1, 4) by powers of 4 (exact),
-- start from a linear guess (within 3%) and refine four times.
local function sqrt(x)
  if x <= 0.0 then
    return 0.0
  end
  local m = x
  local scale = 1.0
  while m >= 4.0 do
    m = m * 0.25
    scale = scale * 2.0
  end
  while m < 1.0 do
    m = m * 4.0
    scale = scale * 0.5
  end
  local y = 0.343 * (2.0 + m)
  for _ = 1, 4 do
    y = 0.5 * (y + m / y)
  end
  return y * scale
end

local function body(x, y, z, vx, vy, vz, mass)
  return {
    x = x, y = y, z = z,
    vx = vx * DAYS_PER_YEAR, vy = vy * DAYS_PER_YEAR, vz = vz * DAYS_PER_YEAR,
    mass = mass * SOLAR_MASS,
  }
end

local function solar_system()
  return {
    body(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
    body(4.84143144246472090, -1.16032004402742839, -0.103622044471123109,
      0.00166007664274403694, 0.00769901118419740425, -0.0000690460016972063023,
      0.000954791938424326609),
    body(8.34336671824457987, 4.12479856412430479, -0.403523417114321381,
      -0.00276742510726862411, 0.00499852801234917238, 0.0000230417297573763929,
      0.000285885980666130812),
    body(12.8943695621391310, -15.1111514016986312, -0.223307578892655734,
      0.00296460137564761618, 0.00237847173959480950, -0.0000296589568540237556,
      0.0000436624404335156298),
    body(15.3796971148509165, -25.9193146099879641, 0.179258772950371181,
      0.00268067772490389322, 0.00162824170038242295, -0.0000951592254519715870,
      0.0000515138902046611451),
  }
end

local function offset_momentum(bodies)
  local px, py, pz = 0.0, 0.0, 0.0
  for i = 1, #bodies do
    local b = bodies[i]
    px = px + b.vx * b.mass
    py = py + b.vy * b.mass
    pz = pz + b.vz * b.mass
  end
  local sun = bodies[1]
  sun.vx = -px / SOLAR_MASS
  sun.vy = -py / SOLAR_MASS
  sun.vz = -pz / SOLAR_MASS
end

local function advance(bodies, dt)
  local n = #bodies
  for i = 1, n do
    local bi = bodies[i]
    for j = i + 1, n do
      local bj = bodies[j]
      local dx = bi.x - bj.x
      local dy = bi.y - bj.y
      local dz = bi.z - bj.z
      local d2 = dx * dx + dy * dy + dz * dz
      local mag = dt / (d2 * sqrt(d2))
      local mj = bj.mass * mag
      bi.vx = bi.vx - dx * mj
      bi.vy = bi.vy - dy * mj
      bi.vz = bi.vz - dz * mj
      local mi = bi.mass * mag
      bj.vx = bj.vx + dx * mi
      bj.vy = bj.vy + dy * mi
      bj.vz = bj.vz + dz * mi
    end
    bi.x = bi.x + dt * bi.vx
    bi.y = bi.y + dt * bi.vy
    bi.z = bi.z + dt * bi.vz
  end
end

local function energy(bodies)
  local e = 0.0
  local n = #bodies
  for i = 1, n do
    local bi = bodies[i]
    e = e + 0.5 * bi.mass * (bi.vx * bi.vx + bi.vy * bi.vy + bi.vz * bi.vz)
    for j = i + 1, n do
      local bj = bodies[j]
      local dx = bi.x - bj.x
      local dy = bi.y - bj.y
      local dz = bi.z - bj.z
      e = e - bi.mass * bj.mass / sqrt(dx * dx + dy * dy + dz * dz)
    end
  end
  return e
end

-- Like PBS `float as int`: truncates toward zero.
local function truncate(x)
  if x < 0.0 then
    return math.ceil(x)
  end
  return math.floor(x)
end

local bodies = solar_system()
offset_momentum(bodies)
local before = energy(bodies)
for _ = 1, STEPS do
  advance(bodies, 0.01)
end
local after = energy(bodies)
print("done " .. truncate(before * 1000000000.0) .. " " .. truncate(after * 1000000000.0))
