/**
 * Writes read-model documents that are newer than the stored ones, and moves their index
 * entries in the same step. Documents are pure folds of their stream, so "newer wins" is
 * all the concurrency control a projection needs: redelivered or reordered events can
 * never move a document backwards.
 *
 * KEYS[i] the i-th doc hash. ARGV per doc i (3 values each): version; doc JSON ('' = a
 * tombstone, kept so old events cannot resurrect it); new index entries JSON
 * [[kind, key, member], …] (kind 'z': sorted set, score 0; 's': set).
 * Index keys carry the same `{gN}` hash tag as the docs, so one call stays in one slot.
 * The doc hash keeps its entries in field `ix`, so the old ones are removed without the
 * caller knowing them. Returns how many documents were written.
 */
export const WRITE_DOCS_SCRIPT = `
local written = 0
for i = 1, #KEYS do
  local v = tonumber(ARGV[i * 3 - 2])
  local stored = tonumber(redis.call('HGET', KEYS[i], 'v') or '0')
  if stored < v then
    local old = redis.call('HGET', KEYS[i], 'ix')
    if old then
      for _, e in ipairs(cjson.decode(old)) do
        if e[1] == 'z' then redis.call('ZREM', e[2], e[3]) else redis.call('SREM', e[2], e[3]) end
      end
    end
    local entries = ARGV[i * 3]
    for _, e in ipairs(cjson.decode(entries)) do
      if e[1] == 'z' then redis.call('ZADD', e[2], 0, e[3]) else redis.call('SADD', e[2], e[3]) end
    end
    redis.call('HSET', KEYS[i], 'v', v, 'd', ARGV[i * 3 - 1], 'ix', entries)
    written = written + 1
  end
end
return written
`;
