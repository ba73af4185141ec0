/**
 * Appends N events to a stream and its partition in one atomic step.
 * KEYS[1] job/worker stream, KEYS[2] partition stream.
 * ARGV[1] expected version: 'any' or an integer (0 = the stream must not exist).
 * ARGV[2] stream id as a JSON string; ARGV[3] N; then N event envelopes, each the JSON
 * object `{"t":type,"d":data,"m":metadata}` (see event-codec.ts).
 * Stream entry ids are `0-<version>`, so versions are gap-free and XRANGE by version is
 * O(log n). The partition entry gets a time-based id and an envelope that also names its
 * stream and version: `{"s":streamId,"v":version,"t":…}`. Only the script knows the version,
 * so it splices those two members in front of the client's envelope.
 * Returns the new version, or the error `WRONG_VERSION <actual>`.
 */
export const APPEND_SCRIPT = `
local len = redis.call('XLEN', KEYS[1])
if ARGV[1] ~= 'any' and tonumber(ARGV[1]) ~= len then
  return redis.error_reply('WRONG_VERSION ' .. len)
end
local n = tonumber(ARGV[3])
local head = '{"s":' .. ARGV[2] .. ',"v":'
for i = 1, n do
  local e = ARGV[3 + i]
  local v = len + i
  redis.call('XADD', KEYS[1], '0-' .. v, 'e', e)
  redis.call('XADD', KEYS[2], '*', 'e', head .. v .. ',' .. string.sub(e, 2))
end
return len + n
`;
