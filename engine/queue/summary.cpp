// SummaryBuilder: one pass over the messages, a fixed table (memory grows
// with the number of domains, not of messages).
#include "engine/queue/summary.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace cfkit::queue {

std::string address_domain(const std::string& address) {
    // the route address inside <...> if there is one; comments (...) dropped
    std::string a;
    int depth = 0;
    for (char c : address) {
        if (c == '(') ++depth;
        else if (c == ')' && depth > 0) --depth;
        else if (depth == 0) a += c;
    }
    const std::size_t lt = a.rfind('<');
    if (lt != std::string::npos) a = a.substr(lt + 1);
    while (!a.empty() && (a.back() == '>' || a.back() == ' ')) a.pop_back();
    std::size_t at = a.rfind('@');
    if (at == std::string::npos) return "(local)";
    std::string d = a.substr(at + 1);
    for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!d.empty() && d.back() == '.') d.pop_back();
    return d.empty() ? "(local)" : d;
}

SummaryBuilder::SummaryBuilder(time_t now, int buckets, long long first_minutes, bool by_sender)
    : now_(now), by_sender_(by_sender) {
    long long b = first_minutes;
    for (int i = 0; i < buckets; ++i, b *= 2) s_.bucket_minutes.push_back(b);
    s_.total.assign(s_.bucket_minutes.size() + 1, 0);
}

void SummaryBuilder::count(const std::string& domain, std::size_t col) {
    auto& row = s_.rows[domain];
    if (row.empty()) row.assign(s_.bucket_minutes.size() + 1, 0);
    ++row[col];
    ++s_.total[col];
}

void SummaryBuilder::add(const Message& m) {
    ++s_.messages;
    const long long age = m.qf.has_ctime ? std::max<long long>(0, now_ - m.qf.ctime) : 0;
    s_.oldest = std::max(s_.oldest, age);
    std::size_t col = 0;
    while (col < s_.bucket_minutes.size() && age >= s_.bucket_minutes[col] * 60) ++col;
    if (by_sender_) {
        count(address_domain(m.qf.sender), col);
        return;
    }
    for (const QfRecipient& r : m.qf.recipients) count(address_domain(r.address), col);
}

std::string format_summary(const Summary& s, std::size_t top) {
    std::vector<std::pair<std::string, const std::vector<long>*>> rows;
    for (const auto& [d, v] : s.rows) rows.push_back({d, &v});
    auto sum = [](const std::vector<long>& v) {
        long t = 0;
        for (long x : v) t += x;
        return t;
    };
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const auto& a, const auto& b) { return sum(*a.second) > sum(*b.second); });
    if (rows.size() > top) rows.resize(top);
    std::size_t w = 5;  // "TOTAL"
    for (const auto& r : rows) w = std::max(w, r.first.size());
    std::vector<std::string> heads{"T"};
    for (long long b : s.bucket_minutes) heads.push_back(std::to_string(b));
    heads.push_back(std::to_string(s.bucket_minutes.empty() ? 0 : s.bucket_minutes.back()) + "+");
    std::vector<std::size_t> cw;
    for (std::size_t i = 0; i < heads.size(); ++i) {
        std::size_t c = heads[i].size();
        long widest = i == 0 ? sum(s.total) : s.total[i - 1];
        c = std::max(c, std::to_string(widest).size());
        cw.push_back(c);
    }
    std::string out;
    auto line = [&](const std::string& name, const std::vector<std::string>& cells) {
        out += std::string(w - std::min(w, name.size()), ' ') + name;
        for (std::size_t i = 0; i < cells.size(); ++i)
            out += " " + std::string(cw[i] - std::min(cw[i], cells[i].size()), ' ') + cells[i];
        out += "\n";
    };
    line("", heads);
    auto cells = [&](const std::vector<long>& v) {
        std::vector<std::string> c{std::to_string(sum(v))};
        for (long x : v) c.push_back(std::to_string(x));
        return c;
    };
    line("TOTAL", cells(s.total));
    for (const auto& r : rows) line(r.first, cells(*r.second));
    return out;
}

}  // namespace cfkit::queue
