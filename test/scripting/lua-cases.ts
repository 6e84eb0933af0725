// Pieces the Lua chunk cases of the library tests are written with.

/** A Lua expression for exactly this double (literals are parsed correctly rounded on both sides). */
export function luaNumber(x: number): string {
  if (Number.isNaN(x)) return '(0/0)';
  if (x === Infinity) return '(1/0)';
  if (x === -Infinity) return '(-1/0)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${String(x)})` : String(x);
}

/** A Lua string literal holding these bytes (every byte escaped as \ddd: binary-safe). */
export function luaBytes(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  let s = "'";
  for (const c of bytes) s += '\\' + String(c).padStart(3, '0');
  return s + "'";
}

/**
 * Helpers defined at the top of each chunk: `j(...)` joins all its arguments (nil, booleans and
 * numbers through tostring) with ','; `hex(s)` is s in hex; `e(f, ...)` is f's error text or,
 * when f succeeds, 'ok:' and its results joined; `x(f, ...)` the same with every value exact:
 * numbers with 17 digits, strings in hex.
 */
export const PRELUDE = [
  'local function j(...) local t = {} for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end return table.concat(t, ",") end',
  'local function hex(s) return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end)) end',
  'local function e(f, ...) local r = {pcall(f, ...)} if r[1] then return "ok:" .. j(unpack(r, 2, table.maxn(r))) end return "err:" .. tostring(r[2]) end',
  'local function exact(v) if type(v) == "number" then return string.format("%.17g", v) elseif type(v) == "string" then return "<" .. hex(v) .. ">" end return tostring(v) end',
  'local function x(f, ...) local r = {pcall(f, ...)} if not r[1] then return "err:" .. tostring(r[2]) end local t = {} for i = 2, table.maxn(r) do t[#t + 1] = exact(r[i]) end return "ok:" .. table.concat(t, ",") end',
  '',
].join(' ');

/** A chunk returning its expressions' values joined by '|'. */
export function chunkOf(exprs: readonly string[]): string {
  return PRELUDE + 'return table.concat({' + exprs.map((x) => `tostring(${x})`).join(', ') + "}, '|')";
}
