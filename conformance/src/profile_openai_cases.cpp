// Profile cases for OpenAI's streaming APIs, graded on one answer to the user's request (-d):
// openai-chat (Chat Completions, `stream: true`: unnamed events, JSON chunks, `data: [DONE]`) and
// openai-responses (Responses API: named events, `sequence_number`, one terminal event).
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "answer_stream.hpp"
#include "server_cases.hpp"

namespace sse::conformance {

namespace {

constexpr const char* done_marker = "[DONE]";

bool is_done(const answer_event& e) { return e.event.data == done_marker; }

// ---- openai-chat -------------------------------------------------------------------------------

outcome chat_data_json(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    if (a->events.empty())
        return outcome::failed("the answer carried no event" + std::string(a->cap.ended ? "" : "; " + timeout_note(ctx, *a)),
                               "chat.completion.chunk objects as data, then data: [DONE]", a->body_start(), a->raw);
    std::vector<std::string> problems;
    std::size_t chunks = 0;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        if (is_done(e)) continue;
        if (!e.json) problems.push_back(describe_event(e, i + 1) + ": not JSON (" + e.json_error + ")");
        else if (!e.json->is_object()) problems.push_back(describe_event(e, i + 1) + ": JSON but not an object");
        else ++chunks;
    }
    if (!problems.empty()) return failed_with(problems, "every data: a JSON object, except the final [DONE]", *a);
    return outcome::passed(std::to_string(chunks) + " JSON chunks" +
                           (a->events.back().event.data == done_marker ? " and [DONE]" : ""));
}

outcome chat_done(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < a->events.size(); ++i)
        if (is_done(a->events[i])) at.push_back(i);
    const std::string expected = "data: [DONE] once, as the last event, then the end of the stream";
    if (at.empty())
        return outcome::failed("no data: [DONE] in " + std::to_string(a->events.size()) + " events" +
                                   (a->cap.ended ? " (the stream ended without it)" : "; " + timeout_note(ctx, *a)),
                               expected, a->events.empty() ? a->body_start() : describe_event(a->events.back(), a->events.size()),
                               a->raw);
    if (at.size() > 1)
        return outcome::failed("data: [DONE] came " + std::to_string(at.size()) + " times (events #" +
                                   std::to_string(at[0] + 1) + " and #" + std::to_string(at[1] + 1) + ")",
                               expected, describe_event(a->events[at[1]], at[1] + 1), a->raw);
    if (at[0] + 1 != a->events.size())
        return outcome::failed("event " + describe_event(a->events[at[0] + 1], at[0] + 2) + " came after data: [DONE] (#" +
                                   std::to_string(at[0] + 1) + "); clients stop reading at [DONE] and lose it",
                               expected, std::to_string(a->events.size() - at[0] - 1) + " events after [DONE]", a->raw);
    if (!a->cap.ended)
        return outcome::failed("data: [DONE] came last, but " + timeout_note(ctx, *a) + " after it", expected,
                               "the stream stayed open after [DONE]", a->raw);
    return outcome::passed("data: [DONE] once, last of " + std::to_string(a->events.size()) + " events; the stream ended");
}

outcome chat_chunk_ids(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::vector<std::string> problems;
    std::optional<std::string> id;
    std::size_t chunks = 0, errors = 0;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        if (!e.json || !e.json->is_object()) continue;  // openai-chat/data/1 reports these
        const auto& j = *e.json;
        // A mid-stream failure comes as `data: {"error": {...}}`, not as a chunk (the SDKs raise it).
        if (j.contains("error") && !j.contains("object")) {
            ++errors;
            continue;
        }
        ++chunks;
        const auto object = j.find("object");
        if (object == j.end() || *object != "chat.completion.chunk")
            problems.push_back(describe_event(e, i + 1) + ": object is " +
                               (object == j.end() ? std::string("missing") : object->dump()));
        const auto cid = j.find("id");
        if (cid == j.end() || !cid->is_string() || cid->get<std::string>().empty()) {
            problems.push_back(describe_event(e, i + 1) + ": no id");
            continue;
        }
        if (!id) id = cid->get<std::string>();
        else if (*id != cid->get<std::string>())
            problems.push_back(describe_event(e, i + 1) + ": id " + cid->dump() + " differs from the first chunk's \"" +
                               *id + "\"");
    }
    if (chunks == 0) return outcome::failed("no JSON chunk in the answer", "chat.completion.chunk objects", a->body_start(), a->raw);
    if (!problems.empty()) return failed_with(problems, "every chunk: object \"chat.completion.chunk\", the same id", *a);
    return outcome::passed(std::to_string(chunks) + " chunks, object chat.completion.chunk, id " + *id +
                           (errors ? "; " + std::to_string(errors) + " error payloads" : ""));
}

outcome chat_finish_reason(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    struct state {
        std::size_t last = 0;               // the last event (index) carrying this choice
        std::optional<std::size_t> finished;  // where it got a finish_reason
        std::string reason;
    };
    std::map<long long, state> choices;
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        if (!e.json || !e.json->is_object() || !e.json->contains("choices") || !(*e.json)["choices"].is_array()) continue;
        for (const auto& c : (*e.json)["choices"]) {
            if (!c.is_object() || !c.contains("index") || !c["index"].is_number_integer()) {
                problems.push_back(describe_event(e, i + 1) + ": a choice without an integer index");
                continue;
            }
            auto& s = choices[c["index"].get<long long>()];
            if (s.finished)
                problems.push_back(describe_event(e, i + 1) + ": choice " + c["index"].dump() +
                                   " came again after its finish_reason in #" + std::to_string(*s.finished + 1));
            s.last = i;
            const auto fr = c.find("finish_reason");
            if (fr != c.end() && fr->is_string() && !s.finished) {
                s.finished = i;
                s.reason = fr->get<std::string>();
            }
        }
    }
    if (choices.empty())
        return outcome::failed("no chunk carried a choice", "choices with an index, the last one with a finish_reason",
                               a->body_start(), a->raw);
    std::string reasons;
    for (const auto& [index, s] : choices) {
        if (!s.finished)
            problems.push_back("choice " + std::to_string(index) + " never got a finish_reason (its last chunk: " +
                               describe_event(a->events[s.last], s.last + 1) + ")");
        else reasons += (reasons.empty() ? "" : ", ") + std::to_string(index) + ": " + s.reason;
    }
    if (!problems.empty())
        return failed_with(problems, "each choice index: a string finish_reason in its last chunk", *a);
    return outcome::passed("finish_reason per choice: " + reasons);
}

// Whether the user's request body asks for the usage chunk (stream_options.include_usage).
bool usage_asked(const std::string& body) {
    try {
        const auto j = nlohmann::json::parse(body);
        const auto so = j.find("stream_options");
        return so != j.end() && so->is_object() && so->value("include_usage", false);
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

outcome chat_usage(context& ctx) {
    auto& s = server_of(ctx);
    if (!usage_asked(s.request.body))
        return outcome::skipped_because("the request (-d) does not set stream_options.include_usage: no usage chunk "
                                        "to check");
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::vector<std::size_t> chunks;  // JSON chunks, in order
    for (std::size_t i = 0; i < a->events.size(); ++i)
        if (a->events[i].json && a->events[i].json->is_object()) chunks.push_back(i);
    const std::string expected = "the last chunk before [DONE]: empty choices and a usage object; usage: null on every "
                                 "chunk before it";
    if (chunks.empty()) return outcome::failed("no JSON chunk in the answer", expected, a->body_start(), a->raw);
    std::vector<std::string> problems;
    for (std::size_t k = 0; k + 1 < chunks.size(); ++k) {
        const auto& e = a->events[chunks[k]];
        const auto& j = *e.json;
        if (j.contains("error") && !j.contains("object")) continue;  // an error payload, not a chunk
        if (!j.contains("usage"))
            problems.push_back(describe_event(e, chunks[k] + 1) + ": no usage field (with include_usage every other "
                                                                  "chunk carries usage: null)");
        else if (!j["usage"].is_null())
            problems.push_back(describe_event(e, chunks[k] + 1) + ": usage before the last chunk (clients take the last one)");
    }
    const auto& last = a->events[chunks.back()];
    const auto& j = *last.json;
    if (!j.contains("usage") || !j["usage"].is_object())
        problems.insert(problems.begin(), "the last chunk " + describe_event(last, chunks.back() + 1) + " has no usage object");
    if (!j.contains("choices") || !j["choices"].is_array() || !j["choices"].empty())
        problems.insert(problems.begin(), "the last chunk " + describe_event(last, chunks.back() + 1) +
                                              " has choices that are not an empty array");
    if (!problems.empty()) return failed_with(problems, expected, *a);
    return outcome::passed("usage chunk last (#" + std::to_string(chunks.back() + 1) + "): " + clip(j["usage"].dump(), 120));
}

outcome chat_unnamed(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    if (a->event_fields.empty()) return outcome::passed("no event: field: every event is an unnamed message event");
    std::set<std::string> names(a->event_fields.begin(), a->event_fields.end());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return outcome::failed(std::to_string(a->event_fields.size()) + " event: fields (" + list +
                               "): an EventSource delivers named events only to listeners of that name, not to "
                               "onmessage, and clients written for the API expect data-only events",
                           "data-only events (no event: field)", "event: " + list, a->raw);
}

// ---- openai-responses --------------------------------------------------------------------------

bool is_terminal(const std::string& type) {
    return type == "response.completed" || type == "response.failed" || type == "response.incomplete";
}

outcome responses_sequence(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::vector<std::string> problems;
    std::optional<long long> previous;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        if (!e.json || !e.json->is_object()) continue;  // openai-responses/event/1 reports these
        const auto sn = e.json->find("sequence_number");
        if (sn == e.json->end() || !sn->is_number_integer()) {
            problems.push_back(describe_event(e, i + 1) + ": no integer sequence_number");
            continue;
        }
        const auto n = sn->get<long long>();
        if (previous && n <= *previous)
            problems.push_back(describe_event(e, i + 1) + ": sequence_number " + std::to_string(n) + " after " +
                               std::to_string(*previous));
        previous = n;
    }
    if (!previous) return outcome::failed("no event carried a sequence_number", "a sequence_number on every event",
                                          a->body_start(), a->raw);
    if (!problems.empty()) return failed_with(problems, "sequence_number strictly increasing, on every event", *a);
    return outcome::passed("sequence_number strictly increasing, last " + std::to_string(*previous));
}

outcome responses_created(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    if (a->events.empty()) return outcome::failed("the answer carried no event", "response.created first", a->body_start(), a->raw);
    const auto& first = a->events.front();
    if (type_of(first) != "response.created")
        return outcome::failed("the first event is not response.created", "response.created first",
                               describe_event(first, 1), a->raw);
    return outcome::passed("response.created first");
}

outcome responses_terminal(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    const std::string expected = "exactly one response.completed, response.failed or response.incomplete, last";
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < a->events.size(); ++i)
        if (is_terminal(type_of(a->events[i]))) at.push_back(i);
    if (at.empty())
        return outcome::failed("no terminal event in " + std::to_string(a->events.size()) + " events" +
                                   (a->cap.ended ? " (the stream ended without one)" : "; " + timeout_note(ctx, *a)),
                               expected, a->events.empty() ? a->body_start() : describe_event(a->events.back(), a->events.size()),
                               a->raw);
    if (at.size() > 1)
        return outcome::failed(std::to_string(at.size()) + " terminal events", expected,
                               describe_event(a->events[at[0]], at[0] + 1) + "; " + describe_event(a->events[at[1]], at[1] + 1),
                               a->raw);
    if (at[0] + 1 != a->events.size())
        return outcome::failed(describe_event(a->events[at[0] + 1], at[0] + 2) + " came after the terminal " +
                                   type_of(a->events[at[0]]) + " (#" + std::to_string(at[0] + 1) + ")",
                               expected, std::to_string(a->events.size() - at[0] - 1) + " events after it", a->raw);
    if (!a->cap.ended)
        return outcome::failed(type_of(a->events[at[0]]) + " came last, but " + timeout_note(ctx, *a) + " after it",
                               expected + ", then the end of the stream", "the stream stayed open", a->raw);
    return outcome::passed(type_of(a->events[at[0]]) + " once, last; the stream ended");
}

outcome responses_delta_item(context& ctx) {
    std::optional<outcome> instead;
    const auto* a = answer_of(ctx, instead);
    if (!a) return *instead;
    std::map<std::string, long long> open;  // item id -> output_index, between added and done
    std::vector<std::string> problems;
    std::size_t deltas = 0;
    static const nlohmann::json none;
    for (std::size_t i = 0; i < a->events.size(); ++i) {
        const auto& e = a->events[i];
        const std::string type = type_of(e);
        const auto& j = e.json ? *e.json : none;
        if (type == "response.output_item.added" || type == "response.output_item.done") {
            const auto item = j.find("item");
            const auto oi = j.find("output_index");
            if (item == j.end() || !item->is_object() || !item->contains("id") || !(*item)["id"].is_string() ||
                oi == j.end() || !oi->is_number_integer()) {
                problems.push_back(describe_event(e, i + 1) + ": no item.id or output_index");
                continue;
            }
            const auto id = (*item)["id"].get<std::string>();
            if (type == "response.output_item.added") open[id] = oi->get<long long>();
            else open.erase(id);
        } else if (type == "response.output_text.delta") {
            ++deltas;
            const auto id = j.find("item_id");
            const auto oi = j.find("output_index");
            if (id == j.end() || !id->is_string() || oi == j.end() || !oi->is_number_integer()) {
                problems.push_back(describe_event(e, i + 1) + ": no item_id or output_index");
                continue;
            }
            const auto it = open.find(id->get<std::string>());
            if (it == open.end())
                problems.push_back(describe_event(e, i + 1) + ": item_id " + id->dump() +
                                   " was not added (or already done) by a response.output_item.added before it");
            else if (it->second != oi->get<long long>())
                problems.push_back(describe_event(e, i + 1) + ": output_index " + oi->dump() + " but item " + id->dump() +
                                   " was added at " + std::to_string(it->second));
        }
    }
    if (!problems.empty())
        return failed_with(problems, "each output_text.delta after the output_item.added of its item_id and output_index", *a);
    if (deltas == 0)
        return outcome::skipped_because("no response.output_text.delta in this answer: nothing to check" + cap_note(*a));
    return outcome::passed(std::to_string(deltas) + " text deltas, each for an added item");
}

}  // namespace

void register_profile_openai_cases(registry& r) {
    const std::string chat_ref = "OpenAI API reference, Create chat completion, `stream`: ";
    const std::string chunk_ref = "OpenAI API reference, The chat completion chunk object: ";
    r.add({.id = "openai-chat/data/1",
           .description = "every data: of the answer is a JSON object, except the final [DONE]",
           .requirement = chat_ref + "\"Tokens will be sent as data-only server-sent events as they become available, "
                                     "with the stream terminated by a `data: [DONE]` message.\"; each is \"a streamed chunk "
                                     "of a chat completion response\"",
           .level = level::must, .target = target::server, .run = on_answer(chat_data_json), .profile = "openai-chat"});
    r.add({.id = "openai-chat/done/1",
           .description = "data: [DONE] comes exactly once, last, and the stream then ends",
           .requirement = chat_ref + "\"with the stream terminated by a `data: [DONE]` message\"",
           .level = level::must, .target = target::server, .run = on_answer(chat_done), .profile = "openai-chat"});
    r.add({.id = "openai-chat/chunk/1",
           .description = "every chunk has object chat.completion.chunk and the same id",
           .requirement = chunk_ref + "`id`: \"A unique identifier for the chat completion. Each chunk has the same ID.\" "
                                      "`object`: \"The object type, which is always `chat.completion.chunk`.\"",
           .level = level::must, .target = target::server, .run = on_answer(chat_chunk_ids), .profile = "openai-chat"});
    r.add({.id = "openai-chat/finish-reason/1",
           .description = "each choice index gets a finish_reason in its last chunk",
           .requirement = chunk_ref + "`choices[].finish_reason`: \"The reason the model stopped generating tokens.\" "
                                      "(null until the choice's last chunk); `choices[].index`: \"The index of the choice "
                                      "in the list of choices.\"",
           .level = level::must, .target = target::server, .run = on_answer(chat_finish_reason), .profile = "openai-chat"});
    r.add({.id = "openai-chat/usage/1",
           .description = "with stream_options.include_usage, the usage chunk (empty choices) comes last before [DONE], "
                          "every other chunk with usage: null",
           .requirement = "OpenAI API reference, `stream_options.include_usage`: \"If set, an additional chunk will be "
                          "streamed before the `data: [DONE]` message. The `usage` field on this chunk shows the token "
                          "usage statistics for the entire request, and the `choices` field will always be an empty "
                          "array. All other chunks will also include a `usage` field, but with a null value.\"",
           .level = level::must, .target = target::server, .run = on_answer(chat_usage), .profile = "openai-chat"});
    r.add({.id = "openai-chat/unnamed/1",
           .description = "the answer's events are unnamed (no event: field), as the API sends them",
           .requirement = chat_ref + "\"data-only server-sent events\"; HTML 9.2.6: an event with a type other than "
                                     "\"message\" does not reach `onmessage`, so a client written for the API misses it "
                                     "(a SHOULD: clients that read every event still work)",
           .level = level::should, .target = target::server, .run = on_answer(chat_unnamed), .profile = "openai-chat"});

    const std::string resp_ref = "OpenAI API reference, Responses streaming events: ";
    r.add({.id = "openai-responses/event/1",
           .description = "every event's event: name equals the type of its JSON data",
           .requirement = resp_ref + "each event's data carries `type` (e.g. \"The type of the event. Always "
                                     "`response.created`.\"), and the API sends it as the SSE event name; clients "
                                     "dispatch on either",
           .level = level::must, .target = target::server, .run = on_answer(event_named_by_type), .profile = "openai-responses"});
    r.add({.id = "openai-responses/sequence/1",
           .description = "sequence_number is present and strictly increasing",
           .requirement = resp_ref + "`sequence_number`: \"The sequence number for this event.\" on every event; "
                                     "clients order and deduplicate by it",
           .level = level::must, .target = target::server, .run = on_answer(responses_sequence), .profile = "openai-responses"});
    r.add({.id = "openai-responses/created/1",
           .description = "the first event is response.created",
           .requirement = resp_ref + "`response.created`: \"An event that is emitted when a response is created.\"",
           .level = level::must, .target = target::server, .run = on_answer(responses_created), .profile = "openai-responses"});
    r.add({.id = "openai-responses/terminal/1",
           .description = "exactly one response.completed, response.failed or response.incomplete, last",
           .requirement = resp_ref + "`response.completed`: \"Emitted when the model response is complete.\"; "
                                     "`response.failed`: \"An event that is emitted when a response fails.\"; "
                                     "`response.incomplete`: \"An event that is emitted when a response finishes as "
                                     "incomplete.\"",
           .level = level::must, .target = target::server, .run = on_answer(responses_terminal), .profile = "openai-responses"});
    r.add({.id = "openai-responses/delta/1",
           .description = "each output_text.delta refers to an item added before it (same item_id and output_index)",
           .requirement = resp_ref + "`response.output_text.delta`: `item_id`: \"The ID of the output item that the text "
                                     "delta was added to.\"; `response.output_item.added`: \"Emitted when a new output "
                                     "item is added.\"",
           .level = level::must, .target = target::server, .run = on_answer(responses_delta_item), .profile = "openai-responses"});
}

}  // namespace sse::conformance
