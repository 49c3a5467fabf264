#include "tools/cfkit/dns_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/text/textutil.hpp"

namespace cfkit {

std::optional<DnsRecords> read_dns_records(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "%s: error: cannot read DNS records: %s\n", path.c_str(), std::strerror(errno));
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    DnsRecords r;
    Diagnostics diags = parse_dns_records(text, path, r);
    if (diags.empty()) return r;
    for (const Diagnostic& d : diags) {
        // the line itself and a caret under the record's first word
        std::size_t start = 0;
        for (int n = 1; n < d.loc.line && start != std::string::npos; ++n) {
            start = text.find('\n', start);
            if (start != std::string::npos) ++start;
        }
        std::string line = start == std::string::npos ? std::string() : text.substr(start, text.find('\n', start) - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::fprintf(stderr, "%s\n%s\n%*s^\n", cfkit_text(d).c_str(), line.c_str(), d.loc.column - 1, "");
    }
    return std::nullopt;
}

std::vector<std::string> hosts_switch(const std::string& spec) { return split_words(spec); }

} // namespace cfkit
