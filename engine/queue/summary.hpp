// `queue summary`: messages by recipient domain and age, the table
// Postfix's qshape prints (age buckets in minutes that double: 5, 10, 20
// ... each column counts recipients younger than its label and at least
// as old as the one before; T is the row's total).
#pragma once

#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "engine/queue/scan.hpp"

namespace cfkit::queue {

struct Summary {
    std::vector<long long> bucket_minutes;  // upper bounds; the last column is "more"
    // domain -> counts per bucket (bucket_minutes.size() + 1 columns)
    std::map<std::string, std::vector<long>> rows;
    std::vector<long> total;
    long messages = 0;
    long long oldest = 0;  // seconds, 0 if empty
};

class SummaryBuilder {
public:
    explicit SummaryBuilder(time_t now, int buckets = 10, long long first_minutes = 5, bool by_sender = false);
    void add(const Message& m);
    const Summary& result() const { return s_; }

private:
    void count(const std::string& domain, std::size_t col);
    time_t now_;
    bool by_sender_;
    Summary s_;
};

// The table as text, rows by total (largest first), at most `top` rows.
std::string format_summary(const Summary& s, std::size_t top);

// The domain of an address as a queue file holds it ("<a@B.example>" ->
// "b.example"; no @: "(local)").
std::string address_domain(const std::string& address);

}  // namespace cfkit::queue
