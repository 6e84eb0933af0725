// Lua chunks exercising cjson, each returning a string (R and S come from the harness's
// serializer). Chunks that change settings do it on a cjson.new() table: the redis-server side
// keeps one Lua state for all of them, so a change to cjson itself would leak into later cases.

/** A Lua string literal of s (latin1 bytes), control bytes as decimal escapes. */
export const Q = (s: string) =>
  "'" +
  s.replace(/[\\'\x00-\x1f\x7f-\xff]/g, (c) => (c === '\\' || c === "'" ? '\\' + c : '\\' + String(c.charCodeAt(0)).padStart(3, '0'))) +
  "'";
const decode = (json: string, mod = 'cjson') => `return R(pcall(${mod}.decode, ${Q(json)}))`;
const decodeIn = (json: string) => `return R(pcall(function() return cjson.decode(${Q(json)}) end))`;
const encode = (lua: string) => `return R(pcall(cjson.encode, ${lua}))`;
const withNew = (setup: string, body: string) => `local c = cjson.new() ${setup} ${body}`;

export const CJSON_MODULE_CASES = [
  `local t = {} for k, v in pairs(cjson) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return table.concat(t, ' ')`,
  `return R(cjson._NAME, cjson._VERSION, type(cjson.null), cjson.null == cjson.new().null)`,
  `local c = cjson.new() local t = {} for k, v in pairs(c) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return R(table.concat(t, ' '), c.encode == cjson.encode, c.new == cjson.new)`,
  `return R(cjson.encode_sparse_array(), cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision())`,
  `return R(cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers(), cjson.encode_keep_buffer())`,
  `local a, b = cjson.new(), cjson.new() a.encode_max_depth(3) return R(a.encode_max_depth(), b.encode_max_depth(), cjson.encode_max_depth())`,
];

export const CJSON_OPTION_CASES = [
  withNew('', `return R(c.encode_max_depth(2^32 + 5), c.encode_max_depth('7'), c.encode_max_depth(7.9), c.encode_max_depth(nil))`),
  withNew('', `return R(pcall(c.encode_max_depth, 0))`),
  withNew('', `return R(pcall(c.encode_max_depth, 2^31))`),
  withNew('', `return R(pcall(c.encode_max_depth, 0/0))`),
  withNew('', `return R(pcall(c.encode_max_depth, 'x'))`),
  withNew('', `return R(pcall(c.encode_max_depth, true))`),
  withNew('', `return R(pcall(c.encode_max_depth, 1, 2))`),
  withNew('', `return R(pcall(c.encode_max_depth, nil, 3))`),
  withNew('', `return R(pcall(function() return c.encode_max_depth(-1) end))`),
  withNew('', `return R(pcall(function() return c.decode_max_depth({}) end))`),
  withNew('', `return R(c.encode_number_precision(1), pcall(c.encode_number_precision, 15))`),
  withNew('', `return R(pcall(c.encode_number_precision, 0))`),
  withNew('', `return R(c.encode_sparse_array(true, 0, 0))`),
  withNew('', `return R(c.encode_sparse_array(nil, 3))`),
  withNew('', `return R(c.encode_sparse_array(true, 0.5, 3.9))`),
  withNew('', `return R(c.encode_sparse_array('on'), c.encode_sparse_array('off'))`),
  withNew('', `return R(pcall(c.encode_sparse_array, 1, 2, 3, 4))`),
  withNew('', `return R(pcall(c.encode_sparse_array, 1, 2, 3, 4, 5))`),
  withNew('', `return R(pcall(c.encode_sparse_array, 'yes'))`),
  withNew('', `return R(pcall(c.encode_sparse_array, 1))`),
  withNew('', `return R(pcall(c.encode_sparse_array, {}))`),
  withNew('', `return R(pcall(c.encode_sparse_array, true, {}))`),
  withNew('', `return R(pcall(c.encode_sparse_array, true, -1))`),
  withNew('', `return R(pcall(c.encode_sparse_array, true, 1, -1))`),
  withNew('', `return R(c.encode_keep_buffer(false), c.encode_keep_buffer('on'), pcall(c.encode_keep_buffer, 'null'))`),
  withNew('', `return R(c.encode_invalid_numbers(true), c.encode_invalid_numbers('null'), c.encode_invalid_numbers('off'))`),
  withNew('', `return R(pcall(function() return c.encode_invalid_numbers('x') end))`),
  withNew('', `return R(c.decode_invalid_numbers('off'), pcall(c.decode_invalid_numbers, 'null'))`),
  withNew('', `return R(pcall(c.decode_invalid_numbers, 1, 2))`),
];

export const CJSON_ENCODE_CASES = [
  encode(`{1e15, 0.1, -0, 2^53, 123456789012345, 1/3, 1e-5, 1e100, -1.5e-300, 100, 1e14, 12345678901234567}`),
  encode(`{10000000000000.5, 10000000000001.5, 0.000125, 5e-324, 1.7976931348623157e308, 2^63, -2^63, 0.1 + 0.2}`),
  encode(`{1e-4, 1e-5, 123456.789e3, 99999999999999.5, 0.00001234567890123456}`),
  withNew('c.encode_number_precision(3)', `return c.encode({1234.5678, 0.00012345, 1e-5, 123, 1234, 0.5, 999.5, 1e21})`),
  withNew('c.encode_number_precision(1)', `return c.encode({15, 25, 35, 0.05, 9.5, 0.25, 0.35})`),
  withNew('c.encode_number_precision(6)', `return c.encode({math.pi, -math.pi, 1/3, 2/3, 1e6, 123456.5, 1234567})`),
  encode(`1/0`), encode(`-1/0`), encode(`0/0`), encode(`{a = {1/0}}`), encode(`{[1/0] = 1}`), encode(`{[-1/0] = 1}`),
  withNew('c.encode_invalid_numbers(true)', `return R(c.encode({1/0, -1/0, 0/0, -(0/0)}), c.encode({[1/0] = 1}))`),
  withNew(`c.encode_invalid_numbers('null')`, `return R(c.encode({1/0, -1/0, 0/0}), c.encode(0/0))`),
  encode(`'a/b\\1\\127\\128\\255"\\\\'`),
  `local s = '' for i = 0, 255 do s = s .. string.char(i) end return cjson.encode(s)`,
  encode(`'a\\0b'`), encode(`''`), encode(`'\\t\\n\\r\\b\\f'`),
  encode(`{1, 2, 'x', {}, x = 1}`), encode(`{[1] = 1, [2] = 2, x = 1}`), encode(`{[1] = 1, [3] = 3}`),
  encode(`{[1] = 1, [20] = 3}`), encode(`{[1] = 1, [11] = 3}`), encode(`{[1] = 1, [10] = 3}`), encode(`{[0] = 1}`),
  encode(`{[1.5] = 1, [-3] = 2}`), encode(`{[0.5] = 1, [1e20] = 2, [-0] = 3}`), encode(`{[2^31] = 1}`), encode(`{[2^31 - 1] = 1}`),
  encode(`{[1] = 1, [2^40] = 1}`), encode(`{[2^53] = 1}`), encode(`{['1'] = 1, [2] = 2}`),
  encode(`{cjson.null, true, false, ''}`), encode(`cjson.null`), encode(`nil`), encode(`true`), encode(`false`), encode(`42`), encode(`'str'`),
  encode(`{}`), encode(`{{}, {{}}, {a = {}}}`), encode(`{a = {b = {c = {1, 2, {d = 'e'}}}}}`),
  encode(`{[true] = 1}`), encode(`{[{}] = 1}`), encode(`{[cjson.null] = 1}`), encode(`{f = function() end}`), encode(`function() end`),
  encode(`coroutine.create(function() end)`), encode(`{a = coroutine.create(function() end)}`), encode(`{1, 2, function() end}`),
  `return R(pcall(function() return cjson.encode({f = function() end}) end))`,
  `return R(pcall(function() return cjson.encode(1, 2) end))`,
  `return R(pcall(cjson.encode))`, `return R(pcall(cjson.encode, 1, 2))`,
  withNew('c.encode_sparse_array(true)', `return R(c.encode({[1] = 1, [20] = 2}), c.encode({[1.5] = 1, [2] = 2}))`),
  withNew('c.encode_sparse_array(false, 0)', `return R(c.encode({[1] = 1, [200] = 2}))`),
  withNew('c.encode_sparse_array(false, 1, 0)', `return R(pcall(c.encode, {1, 2, nil, 4}))`),
  withNew('c.encode_sparse_array(false, 1, 0)', `return R(pcall(c.encode, {[1] = 1, [3] = 3}))`),
  withNew('c.encode_sparse_array(true)', `return R(pcall(c.encode, {[1/0] = 1}))`),
  withNew('c.encode_max_depth(2)', `return R(pcall(c.encode, {{1}}), pcall(c.encode, {{{1}}}))`),
  withNew('c.encode_max_depth(2)', `return R(select(2, pcall(c.encode, {{{1}}})))`),
  `local t = {} t[1] = t return R(pcall(cjson.encode, t))`,
  `local t = {} local cur = t for i = 1, 999 do cur[1] = {} cur = cur[1] end return R(pcall(cjson.encode, t))`,
  `local t = {} local cur = t for i = 1, 1000 do cur[1] = {} cur = cur[1] end return R(pcall(cjson.encode, t))`,
  withNew('c.encode_max_depth(5000)', `local t = {} local cur = t for i = 1, 4000 do cur[1] = {} cur = cur[1] end return R(pcall(c.encode, t))`),
  // Past Lua's stack limit: arrays take one slot a level, objects two.
  withNew('c.encode_max_depth(100000)', `local t = {} local cur = t for i = 1, 10000 do cur[1] = {} cur = cur[1] end return R(pcall(c.encode, t))`),
  withNew('c.encode_max_depth(100000)', `local t = {} local cur = t for i = 1, 10000 do cur.a = {} cur = cur.a end return R(pcall(c.encode, t))`),
  withNew('c.encode_max_depth(100000)', `local t = {} local cur = t for i = 1, 10000 do cur.a = {} cur = cur.a end return R(pcall(function() return c.encode(t) end))`),
  // Object key order is the table's own (lua_next), the same in both Lua 5.1 builds.
  encode(`{alpha = 1, beta = 2, gamma = 3, delta = 4, epsilon = {z = 1, y = 2, x = 3}, [5] = 'five', [7.5] = 'x'}`),
  `local t = {} for i = 1, 50 do t['k' .. i] = i end return cjson.encode(t)`,
  `local t = {} for i = 1, 50 do t[i] = i * 1.5 end t[25] = nil return R(pcall(cjson.encode, t))`,
];

export const CJSON_DECODE_CASES = [
  decode('{'), decode('['), decode(''), decode('  '), decode('[1,]'), decode('{"a":1,}'), decode('{"a" 1}'), decode('{1:1}'),
  decode('[1 2]'), decode('1 2'), decode('truex'), decode('tru'), decode('x'), decode(']'), decode('[1}'), decode('{"a":1]'),
  decode('{"a"}'), decode('{"a":}'), decode('[,1]'), decode(',') , decode(':'), decode('{"a":1 "b":2}'), decode('[true,false,null]'),
  decode('"\\u00e9\\ud83d\\ude00\\u0000x"'), decode('"\\ud83d"'), decode('"\\ude00"'), decode('"\\ud83dx"'), decode('"\\ud83d\\u0041"'),
  decode('"\\u0080\\u07ff\\u0800\\uffff\\udbff\\udfff\\uD83D\\uDE00\\u00C9"'), decode('"\\x"'), decode('"abc'), decode('"a\nb"'),
  decode('"\\/\\b\\f\\n\\r\\t\\\\\\""'), decode('"\\u12"'), decode('"\\u00G0"'), decode('"\\'), decode('"\\u'), decode('"\\ud800\\'),
  decode('"\\ud800\\u'), decode('["a", "\\q"]'), decode('{"\\q": 1}'), decode('{"a\\u0000b": "c\\u0000d"}'),
  `return R(pcall(cjson.decode, '[1]' .. string.char(0) .. 'x'))`,
  `return R(pcall(cjson.decode, '"a' .. string.char(0) .. 'b"'))`,
  `return R(pcall(cjson.decode, '"a' .. string.char(1, 200, 255) .. 'b"'))`,
  `return R(pcall(cjson.decode, string.char(0)))`,
  decode('[0x10, -0x10, 1e5, 1E+2, 1.5e-3, -0, 0, 01, 1., -inf, Infinity, NaN, 0x1p4, 1e400, -1e400, 12345678901234567890]'),
  decode('[.5]'), decode('[-]'), decode('[+1]'), decode('[+x]'), decode('[1.5e]'), decode('[1.5e+]'), decode('[0x]'), decode('[nan(123)]'),
  decode('[nan(12]'), decode('[infinity]'), decode('[infinit]'), decode('[inx]'), decode('[-nan]'), decode('[0x1.8p1]'), decode('[0X1F]'),
  decode('[0xg]'), decode('[1e5x]'), decode(' \t\r\n[ 1 ]\n'), decode('[1]\v'), decode('[-.5]'), decode('[0x.8]'), decode('[0x1p-3]'),
  decode('[1e-400, 4.9e-324, 2.2250738585072014e-308, 0.1, 123456789.123456789]'), decode('[00]'), decode('[-01]'), decode('[--1]'),
  decode('[1.2.3]'), decode('[1e5e5]'), decode('[Inf, -Infinity, NAN, nAn]'), decode('[-0x1P+2]'), decode('[0x10000000000000001]'),
  decode('[1,2,{"a":null}]'), decode('{"a":1,"a":2}'), decode('{}'), decode('[]'), decode('""'), decode('null'), decode('[null,null]'),
  decode('true'), decode('false'), decode('12'), decode('-12.5e3'), decode('"x"'), decode('{"a":[1,{"b":[[]]}],"c":{}}'),
  `return R(pcall(cjson.decode))`, `return R(pcall(cjson.decode, 1, 2))`, `return R(pcall(cjson.decode, {}))`, `return R(pcall(cjson.decode, 12))`,
  `return R(pcall(cjson.decode, nil))`, `return R(pcall(cjson.decode, true))`,
  decodeIn('{'), decodeIn('[1,'), decodeIn('"\\x"'),
  withNew('c.decode_invalid_numbers(false)', `return R(pcall(c.decode, '[0x10]'))`),
  ...['[-0x10]', '[01]', '[-01]', '[+1]', '[inf]', '[-inf]', '[nan]', '[-Infinity]', '[1e5]', '[-0]', '[0]', '[0.5]', '[-]', '[-x]', '[0e1]'].map(
    (j) => withNew('c.decode_invalid_numbers(false)', `return R(pcall(c.decode, ${Q(j)}))`),
  ),
  withNew('c.decode_max_depth(2)', `return R(pcall(c.decode, '[[1]]'), (pcall(c.decode, '[[[1]]]')), select(2, pcall(c.decode, '[[[1]]]')), select(2, pcall(c.decode, '{"a":{"b":{}}}')))`),
  `return R(pcall(cjson.decode, string.rep('[', 1001) .. string.rep(']', 1001)))`,
  `local ok, v = pcall(cjson.decode, string.rep('[', 1000) .. string.rep(']', 1000)) return R(ok, type(v))`,
  `return R(pcall(cjson.decode, string.rep('[', 1000)))`,
  `return R(pcall(cjson.decode, string.rep('{"a":', 1001)))`,
  withNew('c.decode_max_depth(100000)', `local ok, v = pcall(c.decode, string.rep('[', 20000)) return R(ok, v)`),
  withNew('c.decode_max_depth(100000)', `local ok, v = pcall(c.decode, string.rep('{"a":', 20000)) return R(ok, v)`),
  withNew('c.decode_max_depth(100000)', `local ok, v = pcall(c.decode, string.rep('[', 7000) .. string.rep(']', 7000)) return R(ok, type(v))`),
  // A NUL among the first two bytes reads as UTF-16/32.
  decode('\0null'), decode('n\0ull'), decode('"\0'), decode('\0'), decode('1\0'), decode('12\0'), decodeIn('a\0'),
  // Decoded tables re-encode in the same key order as on Redis (same insertion, same table sizes).
  `return cjson.encode(cjson.decode('{"b":1,"a":2,"c":{"y":1,"x":2,"z":[3,2,1]},"d":null,"e":true,"f":"s","g":1.5,"h":[]}'))`,
  `local t = {} for i = 1, 40 do t[#t + 1] = '"key' .. i .. '":' .. i end return cjson.encode(cjson.decode('{' .. table.concat(t, ',') .. '}'))`,
  `local v = cjson.decode('[1,null,3]') return R(#v, v[2] == cjson.null)`,
];
