"""The Lua scripts that keep a session's delivery state in Redis (redis_backplane.py runs them).

Keys (sid: session id; r: role letter, "t" a visitor tab, "a" an agent; pid: tab id or agent id):

  cb:s:<sid>          hash: meta, state, num, focus (the focused tab)
  cb:t:<sid>          hash: tab id -> "1" connected / "0" away
  cb:a:<sid>          hash: agent id -> entry JSON
  cb:p:<sid>          list: visitor_event frames parked while no agent is in the session
  cb:pp:<sid>:<r><pid> hash of one participant: last (seq of the last frame queued for it),
                      in (seq of the last frame applied from it), node (the node holding its socket),
                      gen (attach count), f (a tab's focus flag), info (an agent's seat, JSON), ovf
  cb:np:<node>        set of "<sid> <r><pid>" the node attached (claimed by a live node when it dies)
  cb:nodes            zset: node -> time of its last heartbeat
  cb:ob:<sid>:<r><pid> zset: the frames queued for it and not yet acknowledged (score: seq)

A frame is put in a participant's zset and published to the node holding it in
one script, together with the sender's `in`: so once the service acknowledges a
frame, it is in Redis and every receiver's queue holds it, whichever node dies.
Node channels: cb:n:<node>; messages "F<sid> <r><len(pid)> <pid><frame JSON>" (a frame for a
participant) or "M<sid> <r><len(pid)> <pid>" (the participant attached on another node).
"""

_PUT = r"""
local function put(sid, r, pid, body, limit)
  local pk = 'cb:pp:' .. sid .. ':' .. r .. pid
  if redis.call('EXISTS', pk) == 0 then return end
  local seq = redis.call('HINCRBY', pk, 'last', 1)
  local f = '{"seq":' .. seq .. ',' .. string.sub(body, 2)
  local ok = 'cb:ob:' .. sid .. ':' .. r .. pid
  redis.call('ZADD', ok, seq, f)
  if redis.call('ZCARD', ok) > limit then
    redis.call('ZREMRANGEBYRANK', ok, 0, 0)
    redis.call('HSET', pk, 'ovf', '1')
  end
  redis.call('EXPIRE', ok, 86400)
  local node = redis.call('HGET', pk, 'node')
  if node then
    redis.call('PUBLISH', 'cb:n:' .. node, 'F' .. sid .. ' ' .. r .. string.len(pid) .. ' ' .. pid .. f)
  end
end
"""

# ARGV: sid, kind, body (frame JSON without seq), sender role+pid ('' none), sender seq,
#       park limit, queue limit, focus frame, blur frame
# kind: tab (the focused tab), agents, park (agents, else the park list), all, focus (body = tab id), end
RELAY = _PUT + r"""
local sid, kind, body = ARGV[1], ARGV[2], ARGV[3]
local limit = tonumber(ARGV[7])
if ARGV[4] ~= '' then redis.call('HSET', 'cb:pp:' .. sid .. ':' .. ARGV[4], 'in', ARGV[5]) end
if kind == 'tab' then
  local f = redis.call('HGET', 'cb:s:' .. sid, 'focus')
  if f then put(sid, 't', f, body, limit) end
  return 1
end
if kind == 'focus' then
  redis.call('HSET', 'cb:s:' .. sid, 'focus', body)
  for _, tab in ipairs(redis.call('HKEYS', 'cb:t:' .. sid)) do
    local pk = 'cb:pp:' .. sid .. ':t' .. tab
    local fl = redis.call('HGET', pk, 'f')
    if tab == body and fl ~= '1' then
      redis.call('HSET', pk, 'f', '1')
      put(sid, 't', tab, ARGV[8], limit)
    elseif tab ~= body and fl == '1' then
      redis.call('HSET', pk, 'f', '0')
      put(sid, 't', tab, ARGV[9], limit)
    end
  end
  return 1
end
local agents = redis.call('HKEYS', 'cb:a:' .. sid)
if kind == 'park' and #agents == 0 then
  local pl = 'cb:p:' .. sid
  redis.call('RPUSH', pl, body)
  redis.call('LTRIM', pl, -tonumber(ARGV[6]), -1)
  redis.call('EXPIRE', pl, 86400)
  return 2
end
for _, aid in ipairs(agents) do put(sid, 'a', aid, body, limit) end
if kind == 'all' or kind == 'end' then
  local tabs = redis.call('HKEYS', 'cb:t:' .. sid)
  for _, tab in ipairs(tabs) do put(sid, 't', tab, body, limit) end
  if kind == 'end' then
    for _, tab in ipairs(tabs) do redis.call('DEL', 'cb:pp:' .. sid .. ':t' .. tab, 'cb:ob:' .. sid .. ':t' .. tab) end
    for _, aid in ipairs(agents) do redis.call('DEL', 'cb:pp:' .. sid .. ':a' .. aid, 'cb:ob:' .. sid .. ':a' .. aid) end
    redis.call('DEL', 'cb:t:' .. sid, 'cb:a:' .. sid, 'cb:s:' .. sid, 'cb:p:' .. sid)
  end
end
return 1
"""

# ARGV: sid, role+pid, frames... : queue frames for one participant (JSON without seq)
SEND_TO = _PUT + r"""
for i = 3, #ARGV do put(ARGV[1], string.sub(ARGV[2], 1, 1), string.sub(ARGV[2], 2), ARGV[i], 100000) end
return 1
"""

# ARGV: sid, agent id, queue limit: move the parked visitor events into the agent's queue
UNPARK_TO = _PUT + r"""
local pl = 'cb:p:' .. ARGV[1]
local parked = redis.call('LRANGE', pl, 0, -1)
redis.call('DEL', pl)
for _, body in ipairs(parked) do put(ARGV[1], 'a', ARGV[2], body, tonumber(ARGV[3])) end
return #parked
"""

# ARGV: sid, role, pid, node, last_seq (the peer's Inbox.last), acked (the peer's Outbox.acked), info JSON
# -> {exact 0/1, gen, last, in, info, frames...}; tells the node that held it before ("M")
ATTACH = r"""
local sid, r, pid, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local pk = 'cb:pp:' .. sid .. ':' .. r .. pid
local ok = 'cb:ob:' .. sid .. ':' .. r .. pid
local old = redis.call('HGET', pk, 'node')
if old and old ~= node then
  redis.call('PUBLISH', 'cb:n:' .. old, 'M' .. sid .. ' ' .. r .. string.len(pid) .. ' ' .. pid)
end
if redis.call('EXISTS', pk) == 1 and redis.call('HGET', pk, 'ovf') ~= '1' then
  local gen = redis.call('HINCRBY', pk, 'gen', 1)
  redis.call('HSET', pk, 'node', node)
  redis.call('SADD', 'cb:np:' .. node, sid .. ' ' .. r .. pid)
  redis.call('ZREMRANGEBYSCORE', ok, '-inf', ARGV[5])
  local out = {1, gen, redis.call('HGET', pk, 'last'), redis.call('HGET', pk, 'in') or '0',
               redis.call('HGET', pk, 'info') or ''}
  for _, f in ipairs(redis.call('ZRANGE', ok, 0, -1)) do out[#out + 1] = f end
  return out
end
redis.call('DEL', pk, ok)
redis.call('HSET', pk, 'last', ARGV[5], 'in', ARGV[6], 'node', node, 'gen', 1, 'info', ARGV[7])
redis.call('SADD', 'cb:np:' .. node, sid .. ' ' .. r .. pid)
redis.call('EXPIRE', pk, 86400)
return {0, 1, ARGV[5], ARGV[6], ARGV[7]}
"""

# ARGV: sid, role, pid, dead node: forget a participant the dead node held if no node took it over since;
# -> -1 (taken over), else the tabs left (a tab) or the agents left (an agent)
ORPHAN = r"""
local sid, r, pid = ARGV[1], ARGV[2], ARGV[3]
local pk = 'cb:pp:' .. sid .. ':' .. r .. pid
if redis.call('HGET', pk, 'node') ~= ARGV[4] then return -1 end
redis.call('DEL', pk, 'cb:ob:' .. sid .. ':' .. r .. pid)
if r == 't' then
  redis.call('HDEL', 'cb:t:' .. sid, pid)
  return redis.call('HLEN', 'cb:t:' .. sid)
end
redis.call('HDEL', 'cb:a:' .. sid, pid)
return redis.call('HLEN', 'cb:a:' .. sid)
"""

# ARGV: sid, role+pid, node, gen -> 1 when this node's attach is still the participant's latest
MINE = r"""
local pk = 'cb:pp:' .. ARGV[1] .. ':' .. ARGV[2]
if redis.call('HGET', pk, 'node') == ARGV[3] and redis.call('HGET', pk, 'gen') == ARGV[4] then return 1 end
return 0
"""

# ARGV: sid, role+pid, node, gen: forget the participant (its window ran out) if still this node's
DROP = r"""
local pk = 'cb:pp:' .. ARGV[1] .. ':' .. ARGV[2]
if redis.call('HGET', pk, 'node') == ARGV[3] and redis.call('HGET', pk, 'gen') == ARGV[4] then
  redis.call('DEL', pk, 'cb:ob:' .. ARGV[1] .. ':' .. ARGV[2])
  redis.call('SREM', 'cb:np:' .. ARGV[3], ARGV[1] .. ' ' .. ARGV[2])
  return 1
end
return 0
"""

# ARGV: role+pid key suffix, acked seq, ... pairs: drop what participants acknowledged (one call per flush)
TRIM = r"""
for i = 1, #ARGV, 2 do redis.call('ZREMRANGEBYSCORE', 'cb:ob:' .. ARGV[i], '-inf', ARGV[i + 1]) end
return 1
"""

CLAIM = """
local n = redis.call('LLEN', KEYS[1])
if ARGV[2] == '0' and n > 0 then return redis.call('LINDEX', KEYS[1], -1) end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return false
"""

MERGE = """
local s = redis.call('HGET', KEYS[1], 'state')
local t = {}
if s then t = cjson.decode(s) end
local p = cjson.decode(ARGV[1])
for k, v in pairs(p) do t[k] = v end
local out = cjson.encode(t)
if out == '[]' then out = '{}' end
redis.call('HSET', KEYS[1], 'state', out)
return out
"""
