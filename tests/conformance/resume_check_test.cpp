// check_resume on its own: repeats, gaps, truncation signals and the id orders.
#include <gtest/gtest.h>

#include "resume_check.hpp"

namespace sse::conformance {
namespace {

std::vector<seen_event> with_ids(std::initializer_list<const char*> ids) {
    std::vector<seen_event> out;
    for (const char* id : ids) out.push_back({"", std::string("d") + id, id});
    return out;
}

const auto no_signal = [](const seen_event&) { return false; };
const auto truncat = [](const seen_event& e) { return e.type == "truncated"; };

verdict graded(const std::vector<seen_event>& before, const std::vector<seen_event>& after, id_order order,
               const std::function<bool(const seen_event&)>& signal = no_signal) {
    const auto o = check_resume(before, after, order, signal);
    EXPECT_TRUE(o.has_value());
    return o ? o->result : verdict::skipped;
}

TEST(resume_check, consecutive_integers_are_recognised_and_a_jump_is_a_gap) {
    const auto before = with_ids({"7", "8", "9"});
    EXPECT_EQ(graded(before, with_ids({"10", "11"}), id_order::automatic), verdict::pass);
    const auto gap = check_resume(before, with_ids({"12", "13"}), id_order::automatic, no_signal);
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->result, verdict::fail);
    EXPECT_NE(gap->message.find("ids 10-11 never came"), std::string::npos) << gap->message;
    EXPECT_EQ(graded(before, with_ids({"9", "10"}), id_order::automatic), verdict::fail);  // the last one again
    EXPECT_EQ(graded(before, with_ids({"1", "2"}), id_order::automatic), verdict::fail);   // from the start
}

TEST(resume_check, a_truncation_signal_first_excuses_a_gap_but_not_a_repeat) {
    const auto before = with_ids({"1", "2"});
    auto after = with_ids({"5"});
    after.insert(after.begin(), seen_event{"truncated", "{}", ""});
    EXPECT_EQ(graded(before, after, id_order::automatic, truncat), verdict::pass);
    // After the first event the signal comes too late.
    auto late = with_ids({"3", "6"});
    late.insert(late.begin() + 1, seen_event{"truncated", "{}", "3"});
    EXPECT_EQ(graded(before, late, id_order::automatic, truncat), verdict::fail);
    auto repeat = with_ids({"2"});
    repeat.insert(repeat.begin(), seen_event{"truncated", "{}", ""});
    EXPECT_EQ(graded(before, repeat, id_order::automatic, truncat), verdict::fail);
}

TEST(resume_check, opaque_ids_grade_only_repeats_and_report_the_rest) {
    const auto before = with_ids({"b7f", "a01"});  // not counting up: opaque
    EXPECT_EQ(graded(before, with_ids({"zz9", "c3"}), id_order::automatic), verdict::info);
    EXPECT_EQ(graded(before, with_ids({"b7f"}), id_order::automatic), verdict::fail);
    EXPECT_EQ(graded(with_ids({"1", "2"}), with_ids({"9"}), id_order::opaque), verdict::info);
}

TEST(resume_check, lexical_and_explicit_integer_orders) {
    const auto before = with_ids({"2026-01-01T00:00:01", "2026-01-01T00:00:05"});
    EXPECT_EQ(graded(before, with_ids({"2026-01-01T00:00:09"}), id_order::lexical), verdict::pass);
    EXPECT_EQ(graded(before, with_ids({"2026-01-01T00:00:03"}), id_order::lexical), verdict::fail);
    // One id received is enough when the order is given.
    EXPECT_EQ(graded(with_ids({"4"}), with_ids({"6"}), id_order::integer), verdict::fail);
    EXPECT_EQ(graded(with_ids({"4"}), with_ids({"6"}), id_order::automatic), verdict::info);
}

TEST(resume_check, events_without_an_id_line_and_nothing_at_all) {
    auto after = with_ids({"3", "3", "4"});  // the second event has no id line of its own
    EXPECT_EQ(graded(with_ids({"1", "2"}), after, id_order::automatic), verdict::pass);
    EXPECT_FALSE(check_resume(with_ids({"1", "2"}), {}, id_order::automatic, no_signal));
    EXPECT_FALSE(check_resume(with_ids({"1", "2"}), {seen_event{"truncated", "{}", ""}}, id_order::automatic, truncat));
}

TEST(resume_check, id_order_names) {
    EXPECT_EQ(parse_id_order("auto"), id_order::automatic);
    EXPECT_EQ(parse_id_order("int"), id_order::integer);
    EXPECT_EQ(parse_id_order("lexical"), id_order::lexical);
    EXPECT_EQ(parse_id_order("opaque"), id_order::opaque);
    EXPECT_FALSE(parse_id_order("integer"));
}

}  // namespace
}  // namespace sse::conformance
