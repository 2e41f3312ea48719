#include "sse/server/hub.hpp"

#include "sse/encoder.hpp"

namespace sse::server {
namespace {

fanout_options fanout_settings(const hub_options& o) {
    return {.shards = o.shards, .backlog_bytes = o.fanout_backlog, .slice = o.fanout_slice};
}

}  // namespace

hub::hub(hub_options options, metrics& stats)
    : stats_(stats),
      sequencer_(options, stats),
      fanout_(fanout_settings(options), options.first_id_base, stats,
              [this](std::span<const std::string_view> topics) { sequencer_.release(topics); }),
      emit_([this](sequenced_event&& e) { fanout_.push(std::move(e)); }),
      on_loss_([this](frame signal) { fanout_.push_comment(std::move(signal)); }),
      max_topic_length_(options.max_topic_length) {}

hub::~hub() = default;

publish_result hub::publish(std::string_view topic, std::string_view data, std::string_view type,
                            id_policy ids) {
    // Checked before sequencing, so a refused event takes no id. Publishers racing past the check
    // can overshoot the backlog by their own events, no more.
    if (!fanout_.has_room()) {
        metrics::add(stats_.publish_backlog_refusals);
        return {0, std::make_error_code(std::errc::resource_unavailable_try_again)};
    }
    const publish_result r = sequencer_.publish(topic, data, type, ids, emit_);
    if (!r.error) fanout_.wake();
    return r;
}

publish_result hub::ingest(std::uint64_t id, std::string_view topic, std::string_view data,
                           std::string_view type) {
    const publish_result r = sequencer_.ingest(id, topic, data, type, emit_, on_loss_);
    fanout_.wake();  // also after an error: a loss signal may have been pushed
    return r;
}

void hub::lose(std::string_view reason) {
    sequencer_.lose(reason, on_loss_);
    fanout_.wake();
}

std::error_code hub::validate(std::string_view topic, std::string_view type) const {
    if (topic.empty() || topic.size() > max_topic_length_)
        return std::make_error_code(std::errc::invalid_argument);
    std::string scratch;
    // Data is checked with a placeholder: any data encodes, only the type can be refused.
    return sse::encode({.type = type, .data = "x"}, scratch);
}

resume_result hub::subscribe(const std::shared_ptr<subscriber>& sub,
                             std::span<const std::string> topics,
                             std::optional<std::string_view> last_event_id,
                             std::error_code& error, std::size_t shard) {
    resume_result how = resume_result::live;
    if (shard >= fanout_.shard_count()) {
        error = std::make_error_code(std::errc::invalid_argument);
        return how;
    }
    error = fanout_.join(
        shard, sub,
        [&](std::uint64_t position, subscription_start& out) {
            return sequencer_.start(topics, last_event_id, position, out);
        },
        how);
    return how;
}

void hub::unsubscribe(const subscriber* sub) { fanout_.leave(sub); }

void hub::broadcast(const frame& f) { fanout_.broadcast(f); }

void hub::sweep() { sequencer_.sweep(); }

void hub::close_all(const frame& last) { fanout_.close_all(last); }

void hub::close_all_now(const frame& last) {
    for (const auto& sub : fanout_.leave_all()) sub->close(last);
}

std::uint64_t hub::last_id() const { return sequencer_.last_id(); }

std::size_t hub::subscriber_count() const { return fanout_.subscriber_count(); }

std::size_t hub::history_bytes() const { return sequencer_.history_bytes(); }

std::vector<std::pair<std::string, std::size_t>> hub::topic_subscribers() const {
    return sequencer_.topic_subscribers();
}

}  // namespace sse::server
