#include "tools/cfkit/dns_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "engine/text/textutil.hpp"
#include "tools/cfkit/source_diagnostics.hpp"

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
    print_diagnostics(diags, text);
    return std::nullopt;
}

std::vector<std::string> hosts_switch(const std::string& spec) { return split_words(spec); }

std::vector<std::string> hosts_switch_for(const Config& cfg, bool given, const std::string& spec) {
    if (given) return hosts_switch(spec);
    auto file = cfg.options.raw.find("ServiceSwitchFile");
    if (file != cfg.options.raw.end() && !file->second.empty()) return service_switch(file->second, "hosts");
    return hosts_switch(spec);
}

} // namespace cfkit
