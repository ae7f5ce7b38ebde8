"""The Redis meter's Lua scripts, in a module of their own: no Django, so the bench's
bare floor app can make the very check-and-record call a metered read makes."""

# KEYS: reader set, address counter (or ""); ARGV: article, limit, ttl, address cap.
# Returns {recorded, count, already_read, address_count}.
RECORD_SCRIPT = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return {1, redis.call('SCARD', KEYS[1]), 1, 0}
end
local count = redis.call('SCARD', KEYS[1])
if count >= tonumber(ARGV[2]) then
  return {0, count, 0, 0}
end
local address_count = 0
local cap = tonumber(ARGV[4])
if KEYS[2] ~= '' and cap > 0 then
  address_count = tonumber(redis.call('GET', KEYS[2]) or '0')
  if address_count >= cap then
    return {0, count, 0, address_count}
  end
  address_count = redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, count + 1, 0, address_count}
"""

MERGE_SCRIPT = """
redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return 1
"""
