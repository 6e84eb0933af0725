/**
 * Differential harness for the C-API Lua libraries (cjson, cmsgpack, ...): the same chunk runs
 * in a Lua state of respdb's engine (standard libraries plus the library under test) and on a
 * redis-server through EVAL, and each side's result comes back as a byte string (latin1), or
 * "error: <message>" when the chunk raised. Chunks return strings; SERIALIZE_LUA, prepended to
 * both, turns any value into one (table keys sorted, so pairs() order does not matter).
 * Both states live for the whole test, as Redis keeps its one state between scripts.
 */
import { LuaBinding, T_STRING } from '../../lib/scripting/lua-api.js';
import { RawClient } from './resp-client.js';
import { startRedis, type TapLike } from './servers.js';

/** Defines local S(v) (one value to a string) and R(...) (all its arguments, with their count). */
export const SERIALIZE_LUA = `
local function S(v)
  local t = type(v)
  if t == 'string' then return string.format('%q', v)
  elseif t == 'number' then
    if v ~= v then return 'nan' end
    return string.format('%.17g', v)
  elseif t == 'table' then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      local ta, tb = type(a), type(b)
      if ta ~= tb then return ta < tb end
      if ta == 'number' or ta == 'string' then return a < b end
      return tostring(a) < tostring(b)
    end)
    local out = {}
    for _, k in ipairs(keys) do out[#out + 1] = '[' .. S(k) .. ']=' .. S(v[k]) end
    return '{' .. table.concat(out, ',') .. '}'
  elseif t == 'userdata' then
    if v == cjson.null then return 'cjson.null' end
    return 'userdata'
  else return tostring(v) end
end
local function R(...) return S({n = select('#', ...), ...}) end
`;

export interface LibPair {
  /** The chunk's result on respdb's engine and on redis-server. */
  run(chunk: string): Promise<{ ours: string; redis: string }>;
}

export async function libPair(t: TapLike, open: (b: LuaBinding, L: number) => void): Promise<LibPair> {
  const b = await LuaBinding.create();
  const L = b.newState();
  b.fn('luaL_openlibs')(L);
  open(b, L);
  const proc = await startRedis();
  const client = await RawClient.connect(proc.port, proc.host);
  t.teardown(async () => {
    b.close(L);
    await client.close().catch(() => {});
    await proc.stop();
  });
  const runOurs = (chunk: string): string => {
    const code = Buffer.from(chunk, 'latin1');
    let status = b.load(L, code, '@user_script');
    if (status === 0) status = b.pcall(L, 0, 1);
    const type = b.type(L, -1);
    const text = b.toLatin1(L, -1);
    b.setTop(L, 0);
    if (status !== 0) return `error: ${text}`;
    return type === T_STRING ? text! : `non-string result of type ${type}`;
  };
  const runRedis = async (chunk: string): Promise<string> => {
    const r = await client.send('EVAL', Buffer.from(chunk, 'latin1'), '0');
    if (r.t === 'bulk' && r.v) return r.v.toString('latin1');
    if (r.t === 'error') return `error: ${r.v}`;
    return `non-string reply ${JSON.stringify(r)}`;
  };
  return {
    async run(chunk) {
      const full = SERIALIZE_LUA + chunk;
      return { ours: runOurs(full), redis: await runRedis(full) };
    },
  };
}
