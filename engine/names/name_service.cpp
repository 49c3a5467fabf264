// See name_service.hpp.
#include "engine/names/name_service.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cctype>

#include <cstdio>
#include <cstring>
#include <ctime>

#include "engine/text/limits.hpp"
#include "engine/text/symbols.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

namespace {

using HErr = NameService::HErr;

std::size_t count_dots(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '.';
    return n;
}

// mxrand(): equal preferences are ordered by a hash of the host name seeded
// with the time of the first call, so their order changes between runs;
// sendmail's own output is not repeatable there either.
int mxrand(const std::string& host) {
    static unsigned int seed = 0;
    if (seed == 0) {
        seed = static_cast<unsigned int>(std::time(nullptr)) & 0xffff;
        if (seed == 0) seed = 1;
    }
    int h = static_cast<int>(seed);
    for (char ch : host) {
        int c = static_cast<unsigned char>(ch);
        if (c < 0x80 && c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
        h = ((h << 1) ^ c) % 2003;
    }
    return (h & 0xff) + 1;
}

// glibc's reverse name for an address (IPv4, or IPv6 with or without
// sendmail's "IPv6:" tag), or "" if `addr` is none. Like glibc's DNS
// backend, an IPv4-mapped address (::ffff:a.b.c.d) and an IPv4-compatible
// one (::a.b.c.d, but not ::1) are asked about under in-addr.arpa.
std::string reverse_name(const std::string& addr) {
    unsigned char b[16];
    if (inet_pton(AF_INET, addr.c_str(), b) == 1) return reverse_labels_v4(b) + ".in-addr.arpa";
    std::string a = addr.size() > 5 && ascii_iequal(addr.substr(0, 5), "IPv6:") ? addr.substr(5) : addr;
    if (inet_pton(AF_INET6, a.c_str(), b) != 1) return "";
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char zeros[12] = {};
    static const unsigned char local[4] = {0, 0, 0, 1};
    if (std::memcmp(b, mapped, 12) == 0 || (std::memcmp(b, zeros, 12) == 0 && std::memcmp(b + 12, local, 4) != 0))
        return reverse_labels_v4(b + 12) + ".in-addr.arpa";
    return reverse_labels_v6(b) + ".ip6.arpa";
}

} // namespace

NameService::NameService(NameServiceSetup setup, const Env* env)
    : s_(std::move(setup)), files_(s_.hosts, env ? &env->macros : nullptr), env_(env) {
    for (const std::string& svc : s_.services) {
        if (svc == "files") use_files_ = true;
        if (svc == "dns") use_dns_ = true;
    }
    // res_init() without `search` or `domain` in resolv.conf: the host
    // name's domain, if it has one.
    std::size_t dot = s_.hostname.find('.');
    if (dot != std::string::npos && dot + 1 < s_.hostname.size()) search_list_.push_back(s_.hostname.substr(dot + 1));
}

NameService::Search NameService::res_querydomain(const std::string& name, const std::string& domain,
                                                 int type) const {
    std::string q = domain.empty() ? name : name + "." + domain;
    DnsRecords::Reply r = s_.dns.query(q, type);
    Search out;
    switch (r.rcode) {
    case DnsRecords::Rcode::NxDomain: out.herr = HErr::HostNotFound; break;
    case DnsRecords::Rcode::ServFail: out.herr = HErr::TryAgain; break;
    case DnsRecords::Rcode::NoError:
        if (r.answers.empty()) out.herr = HErr::NoData;
        else out.answers = std::move(r.answers);
        break;
    }
    return out;
}

// glibc's __res_context_search() with ndots 1.
NameService::Search NameService::res_search(const std::string& name, int type, bool search) const {
    std::size_t dots = count_dots(name);
    bool trailing = !name.empty() && name.back() == '.';
    std::optional<HErr> saved;
    bool tried_as_is = false, got_nodata = false, got_servfail = false;
    Search last;
    if (dots >= 1 || trailing) {
        last = res_querydomain(name, "", type);
        if (!last.answers.empty() || trailing) return last;
        saved = last.herr;
        tried_as_is = true;
    }
    if ((dots == 0 && search) || (dots > 0 && !trailing && search)) {
        for (const std::string& d : search_list_) {
            last = res_querydomain(name, d, type);
            if (!last.answers.empty()) return last;
            bool done = false;
            switch (last.herr) {
            case HErr::NoData: got_nodata = true; break;
            case HErr::HostNotFound: break;
            case HErr::TryAgain: got_servfail = true; break;  // a SERVFAIL reply: the next domain
            default: done = true; break;
            }
            if (done) break;
        }
    }
    if (!tried_as_is) {
        last = res_querydomain(name, "", type);
        if (!last.answers.empty()) return last;
    }
    if (saved) last.herr = *saved;
    else if (got_nodata) last.herr = HErr::NoData;
    else if (got_servfail) last.herr = HErr::TryAgain;
    return last;
}

bool NameService::dns_getcanonname(std::string& host, bool trymx, bool search, int& status) const {
    status = ex::OK;
    std::size_t n = count_dots(host);
    std::vector<std::string> list;
    if (n > 0) list.push_back("");
    bool final_dot = !host.empty() && host.back() == '.';
    if (!final_dot && search) {
        for (const std::string& d : search_list_) list.push_back(d);
    } else if (n == 0 && search) {
        if (!search_list_.empty()) list.push_back(search_list_.front());
    } else if (final_dot) {
        host.pop_back();
    }
    const int initial = rrtype::AAAA;  // InetMode is AF_INET6
    int qtype = initial;
    bool gotmx = false;
    std::optional<std::string> match;
    for (std::size_t sli = 0; sli < list.size();) {
        const std::string& dp = list[sli];
        if (qtype == initial) gotmx = false;
        Search r = res_querydomain(host, dp, qtype);
        if (r.answers.empty()) {
            if (r.herr == HErr::TryAgain) {
                if (!dp.empty()) {
                    status = ex::TEMPFAIL;
                    return false;  // without WorkAroundBrokenAAAA
                }
                if (status == ex::OK) status = ex::TEMPFAIL;
            }
            if (r.herr != HErr::HostNotFound) {
                if (qtype == rrtype::AAAA) {
                    qtype = rrtype::A;
                    continue;
                }
                if (qtype == rrtype::A && !gotmx && (trymx || dp.empty())) {
                    qtype = rrtype::MX;
                    continue;
                }
            }
            ++sli;
            qtype = initial;
            continue;
        }
        // A, AAAA or MX answers (no wildcard MX): a match.
        match = dp;
        break;
    }
    if (!match) {
        if (status == ex::OK) status = ex::NOHOST;
        return false;
    }
    if (!match->empty()) host += "." + *match;
    status = ex::OK;
    return true;
}

CanonAnswer NameService::getcanonname(const std::string& host, bool trymx, bool search) const {
    if (!switch_read_) {
        switch_read_ = true;
        if (s_.on_switch_read) s_.on_switch_read();
    }
    CanonAnswer a;
    a.host = host;
    bool got_tempfail = false;
    const std::string* m = env_ ? env_->macros.get('m') : nullptr;
    for (const std::string& svc : s_.services) {
        int status = ex::UNAVAILABLE;
        if (svc == "files") {
            // HostsResolver does text_getcanonname() and the $m rule below.
            if (std::optional<std::string> c = files_.canonical_name(a.host)) {
                a.found = true;
                a.host = *c;
                return a;
            }
            status = ex::NOHOST;
        } else if (svc == "dns") {
            if (dns_getcanonname(a.host, trymx, search, status)) {
                // a single label (or one with only a final dot) gets $m
                std::size_t d = a.host.find('.');
                if (d == std::string::npos || d + 1 == a.host.size()) {
                    if (!m) {
                        a.found = false;
                        return a;
                    }
                    if (a.host.back() != '.') a.host += ".";
                    a.host += *m;
                }
                a.found = true;
                return a;
            }
        }
        if (status == ex::TEMPFAIL) got_tempfail = true;
    }
    a.try_again = got_tempfail;
    return a;
}

std::optional<std::string> NameService::canonical_name(const std::string& host) const {
    CanonAnswer a = getcanonname(host, true, true);
    if (!a.found) return std::nullopt;
    return a.host;
}

std::optional<std::string> NameService::name_for_address(const std::string& addr) const {
    return host_by_address(addr).name;
}

bool NameService::temporary_failure(const std::string& host) const {
    if (!host.empty() && host[0] == '[') return host_by_address(host.substr(1, host.find(']') - 1)).try_again;
    return getcanonname(host, true, true).try_again;
}

// gethostbyaddr() follows the C library's switch (nsswitch.conf), not
// sendmail's: the hosts file, then PTR records.
AddrAnswer NameService::host_by_address(const std::string& addr) const {
    AddrAnswer a;
    a.name = files_.name_for_address(addr);
    if (a.name) return a;
    std::string rev = reverse_name(addr);
    if (rev.empty()) return a;
    Search r = res_querydomain(rev, "", rrtype::PTR);
    if (!r.answers.empty()) a.name = r.answers.front().value;
    a.try_again = r.herr == HErr::TryAgain;
    return a;
}

std::vector<std::string> NameService::host_addresses_v4(const std::string& name) const {
    if (std::optional<std::vector<std::string>> numeric = digits_dots(name)) return *numeric;
    std::vector<std::string> addrs;
    if (std::optional<HostEnt> h = hosts_forward(s_.hosts, name, false)) {
        for (const std::string& w : h->address_words) addrs.push_back(w.substr(1, w.size() - 2));
        return addrs;
    }
    for (const DnsRecords::Rr& rr : res_search(name, rrtype::A, true).answers) addrs.push_back(rr.value);
    return addrs;
}

std::vector<std::string> NameService::host_addresses_v6(const std::string& name) const {
    std::vector<std::string> addrs;
    auto add = [&](const std::string& raw) {
        char text[INET6_ADDRSTRLEN];
        if (raw.size() == 16 && inet_ntop(AF_INET6, raw.data(), text, sizeof text)) addrs.push_back(text);
    };
    if (std::optional<HostEnt> h = hosts_forward(s_.hosts, name, true)) {
        for (const std::string& w : h->address_words) {
            // "[IPv6:2001:db8::5]"
            std::string a = w.substr(1, w.size() - 2);
            if (a.size() > 5 && ascii_iequal(a.substr(0, 5), "IPv6:")) a = a.substr(5);
            unsigned char b[16];
            if (inet_pton(AF_INET6, a.c_str(), b) == 1) add(std::string(reinterpret_cast<const char*>(b), 16));
        }
        return addrs;
    }
    for (const DnsRecords::Rr& rr : res_search(name, rrtype::AAAA, true).answers) add(rr.value);
    return addrs;
}

MxAnswer NameService::getmxrr(const std::string& host, bool search) const {
    if (host.empty()) return {};
    if (host[0] == '[' || !use_dns_) return getmxrr_punt(*this, host, false, ex::OK, search);
    Search r = res_search(host, rrtype::MX, search);
    if (r.answers.empty()) {
        switch (r.herr) {
        case HErr::NoData: return getmxrr_punt(*this, host, true, ex::OK, search);
        case HErr::HostNotFound: return getmxrr_punt(*this, host, true, ex::NOHOST, search);
        case HErr::TryAgain: return {-1, {}, ex::TEMPFAIL};
        default: return getmxrr_punt(*this, host, false, ex::OK, search);
        }
    }
    std::vector<std::string> hosts;
    std::vector<int> prefs, weights;
    bool null_mx = false;
    for (const DnsRecords::Rr& rr : r.answers) {
        if (rr.pref == 0 && rr.value.empty()) null_mx = true;
        weights.push_back(env_ && env_->classes.contains('w', rr.value) ? 0 : mxrand(rr.value));
        prefs.push_back(rr.pref);
        hosts.push_back(rr.value.empty() || rr.value.back() != '.' ? rr.value + "." : rr.value);
    }
    if (null_mx && hosts.size() == 1) return {MxAnswer::kNullMx, {}, ex::UNAVAILABLE};
    // sendmail's exchange sort, then adjacent duplicates out
    std::size_t nmx = hosts.size();
    for (std::size_t i = 0; i < nmx; ++i) {
        for (std::size_t j = i + 1; j < nmx; ++j) {
            if (prefs[i] > prefs[j] || (prefs[i] == prefs[j] && weights[i] > weights[j])) {
                std::swap(prefs[i], prefs[j]);
                std::swap(hosts[i], hosts[j]);
                std::swap(weights[i], weights[j]);
            }
        }
    }
    for (std::size_t i = 0; i + 1 < hosts.size();) {
        if (ascii_iequal(hosts[i], hosts[i + 1])) hosts.erase(hosts.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        else ++i;
    }
    return {static_cast<int>(hosts.size()), hosts, ex::OK};
}

DnsAnswer NameService::dns_lookup(const std::string& name, int type) const {
    DnsAnswer a;
    Search r = res_search(name, type, true);
    if (r.answers.empty()) {
        a.try_again = r.herr == HErr::TryAgain;
        return a;
    }
    a.ok = true;
    for (DnsRecords::Rr& rr : r.answers) a.records.emplace_back(rr.type, std::move(rr.value));
    return a;
}

bool ptr_name_is_address(const std::string& name) {
    if (name.empty() || name[0] == '[') return true;
    unsigned char a6[16];
    if (inet_pton(AF_INET6, name.c_str(), a6) == 1) return true;
    return inet_addr(name.c_str()) != INADDR_NONE;
}

std::optional<std::vector<std::string>> digits_dots(const std::string& name) {
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0])) || name.back() == '.') return std::nullopt;
    for (char c : name)
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return std::nullopt;
    in_addr a{};
    if (inet_aton(name.c_str(), &a) == 0) return std::vector<std::string>{};
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return std::vector<std::string>{buf};
}

std::vector<std::string> service_switch(const std::string& path, const std::string& service) {
    std::vector<std::string> found;
    if (std::FILE* f = std::fopen(path.c_str(), "r")) {
        char buf[limits::kMaxLine];
        while (std::fgets(buf, sizeof buf, f)) {
            std::string line(buf);
            line = line.substr(0, line.find_first_of("#\n"));
            std::size_t sep = line.find_first_of(" \t");
            if (sep == std::string::npos || sep == 0) continue;  // no methods (syslog's "Bad line"), or empty
            std::vector<std::string> methods = split_words(std::string_view(line).substr(sep + 1), true);
            if (methods.empty()) continue;
            if (line.substr(0, sep) == service) found = methods;  // a later line replaces an earlier one
        }
        std::fclose(f);
    }
    if (!found.empty()) return found;
    if (service == "hosts") return {"dns", "files"};
    if (service == "aliases") return {"files"};
    return {};
}

} // namespace cfkit
