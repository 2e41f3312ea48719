// The two Lua scripts of the Redis backplane. Each runs atomically in Redis, so every node sees
// one counter, one stream and one epoch, with no lock of its own.
#pragma once

#include <string_view>

namespace sse::server::detail {

/// Publishes one event. KEYS: counter, stream, epoch. ARGV: the epoch the node checked, the
/// stream's MAXLEN, topic, type, data, and "id" (numbered) or "none" (ephemeral).
///
/// A numbered event takes INCR counter as its id N and is added as stream entry N-0, so a
/// stream position and an event id are the same number; the reply is N. An ephemeral event takes
/// no number: it is added as C-* (C the counter now), after the last numbered entry; the reply
/// is 0. If the epoch is not the one the node checked (the data set changed under it), nothing is
/// written and the reply is the error "EPOCH ...". Numbers go through string.format('%d') because
/// Lua 5.1 numbers are doubles whose default formatting drops digits (exact up to 2^53).
inline constexpr std::string_view publish_script = R"lua(
if redis.call('GET', KEYS[3]) ~= ARGV[1] then
  return redis.error_reply('EPOCH the Redis data set changed since this node checked it')
end
if ARGV[6] == 'none' then
  local c = redis.call('GET', KEYS[1]) or '0'
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], c .. '-*', 't', ARGV[3], 'e', ARGV[4], 'd', ARGV[5])
  return 0
end
local n = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], string.format('%d', n) .. '-0',
           't', ARGV[3], 'e', ARGV[4], 'd', ARGV[5])
return n
)lua";

/// Checks the data set when a node (re)connects, and starts a new epoch when it may have lost
/// events. KEYS: epoch, counter, replid. ARGV: a new random epoch, the seed for a new counter
/// (the node's clock in microseconds, or more), the highest id the node has seen, the primary's
/// master_replid and master_replid2 (INFO replication).
///
/// A new epoch starts when there is none (a new or emptied data set: Redis restarted without
/// persistence, FLUSHALL), when the recorded replication id is the primary's previous one (a
/// replica was promoted: it may lack writes its old primary acknowledged), or when the counter
/// is below an id the node has seen (it went backwards). The counter then restarts above every
/// id issued before (the seed, or the counter if higher), so no id is ever issued twice. The
/// epoch is "RANDOM:REASON", so every node can tell why it changed. Replies {epoch, reason (''
/// when this call did not change it), counter}.
inline constexpr std::string_view check_script = R"lua(
local epoch = redis.call('GET', KEYS[1])
local counter = tonumber(redis.call('GET', KEYS[2]) or '0')
local known = redis.call('GET', KEYS[3])
local reason = ''
if not epoch then
  reason = 'new-data-set'
elseif known and known ~= ARGV[4] and known == ARGV[5] then
  reason = 'failover'
elseif counter < tonumber(ARGV[3]) then
  reason = 'counter-behind'
end
if reason ~= '' then
  epoch = ARGV[1] .. ':' .. reason
  local seed = tonumber(ARGV[2])
  if counter > seed then seed = counter end
  redis.call('SET', KEYS[1], epoch)
  redis.call('SET', KEYS[2], string.format('%d', seed))
  counter = seed
end
redis.call('SET', KEYS[3], ARGV[4])
return {epoch, reason, string.format('%d', counter)}
)lua";

}  // namespace sse::server::detail
