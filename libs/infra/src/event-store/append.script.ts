/**
 * Appends N events to a stream and its partition in one atomic step.
 * KEYS[1] job/worker stream, KEYS[2] partition stream.
 * ARGV[1] expected version: 'any' or an integer (0 = the stream must not exist).
 * ARGV[2] stream id; ARGV[3] N; then N × (type, data JSON, metadata JSON).
 * Stream entry ids are `0-<version>`, so versions are gap-free and XRANGE by version is
 * O(log n). The partition entry gets a time-based id and names its stream.
 * Returns the new version, or the error `WRONG_VERSION <actual>`.
 */
export const APPEND_SCRIPT = `
local len = redis.call('XLEN', KEYS[1])
if ARGV[1] ~= 'any' and tonumber(ARGV[1]) ~= len then
  return redis.error_reply('WRONG_VERSION ' .. len)
end
local n = tonumber(ARGV[3])
for i = 0, n - 1 do
  local t, d, m = ARGV[4 + i * 3], ARGV[5 + i * 3], ARGV[6 + i * 3]
  local v = len + i + 1
  redis.call('XADD', KEYS[1], '0-' .. v, 't', t, 'd', d, 'm', m)
  redis.call('XADD', KEYS[2], '*', 's', ARGV[2], 'v', v, 't', t, 'd', d, 'm', m)
end
return len + n
`;
