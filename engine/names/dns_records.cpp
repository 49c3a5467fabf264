#include "engine/names/dns_records.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <optional>

#include "engine/text/symbols.hpp"
#include "engine/text/textutil.hpp"

namespace cfkit {

std::string dns_name(const std::string& name) {
    std::string k = name;
    while (!k.empty() && k.back() == '.') k.pop_back();
    return k;
}

std::string dns_key(const std::string& name) {
    std::string k = ascii_lower(name);
    while (!k.empty() && k.back() == '.') k.pop_back();
    return k;
}

namespace {

bool is_ipv4(const std::string& s) {
    unsigned char buf[4];
    return inet_pton(AF_INET, s.c_str(), buf) == 1;
}

std::vector<std::string> split_on(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t p = 0;
    for (;;) {
        std::size_t e = s.find(sep, p);
        out.push_back(s.substr(p, e == std::string::npos ? std::string::npos : e - p));
        if (e == std::string::npos) return out;
        p = e + 1;
    }
}

// An IPv6 address in inet_ntop()'s form (the key of its PTR and TEMP
// records), or "" if `s` is none.
std::string ipv6_key(const std::string& s) {
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, s.c_str(), buf) != 1 || !inet_ntop(AF_INET6, buf, text, sizeof text)) return "";
    return text;
}

// The address of a reverse name: A.B.C.D of D.C.B.A.in-addr.arpa, the
// IPv6 address (ipv6_key()) of its 32 nibbles before ip6.arpa.
std::optional<std::string> reverse_address(const std::string& name) {
    const std::string arpa4 = ".in-addr.arpa", arpa6 = ".ip6.arpa";
    auto ends = [&](const std::string& tail) {
        return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (ends(arpa4)) {
        std::vector<std::string> parts = split_on(name.substr(0, name.size() - arpa4.size()), '.');
        if (parts.size() == 4) return parts[3] + "." + parts[2] + "." + parts[1] + "." + parts[0];
    } else if (ends(arpa6)) {
        std::vector<std::string> parts = split_on(name.substr(0, name.size() - arpa6.size()), '.');
        if (parts.size() != 32) return std::nullopt;
        unsigned char b[16] = {};
        for (std::size_t i = 0; i < 32; ++i) {
            const std::string& n = parts[31 - i];
            if (n.size() != 1 || !std::isxdigit(static_cast<unsigned char>(n[0]))) return std::nullopt;
            int v = std::isdigit(static_cast<unsigned char>(n[0])) ? n[0] - '0' : (n[0] | 0x20) - 'a' + 10;
            b[i / 2] = static_cast<unsigned char>(b[i / 2] | (i % 2 ? v : v << 4));
        }
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, b, text, sizeof text)) return std::string(text);
    }
    return std::nullopt;
}

} // namespace

bool DnsRecords::add(const std::vector<std::string>& w, std::string& error) {
    if (w.size() < 2) {
        error = "expected NAME TYPE [DATA]";
        return false;
    }
    std::string type = ascii_lower(w[1]);
    std::string name = dns_key(w[0]);
    const std::string k6 = ipv6_key(w[0]);  // an IPv6 address is keyed in one spelling
    if (!k6.empty()) name = k6;
    if (type == "temp") {
        if (w.size() != 2) {
            error = "TEMP takes no data";
            return false;
        }
        temp.insert(name);
        return true;
    }
    if (type == "a") {
        if (w.size() != 3 || !is_ipv4(w[2])) {
            error = "expected NAME A IPv4-ADDRESS";
            return false;
        }
        a[name].push_back(w[2]);
        return true;
    }
    if (type == "aaaa") {
        unsigned char buf[16];
        if (w.size() != 3 || inet_pton(AF_INET6, w[2].c_str(), buf) != 1) {
            error = "expected NAME AAAA IPv6-ADDRESS";
            return false;
        }
        aaaa[name].push_back(std::string(reinterpret_cast<const char*>(buf), sizeof buf));
        return true;
    }
    if (type == "mx") {
        if (w.size() != 4 || w[2].find_first_not_of("0123456789") != std::string::npos || w[2].empty()) {
            error = "expected NAME MX PREFERENCE HOST";
            return false;
        }
        if (w[2].size() > 5 || std::stoi(w[2]) > 65535) {
            error = "MX preference " + w[2] + " is above 65535";
            return false;
        }
        mx[name].emplace_back(std::stoi(w[2]), dns_name(w[3]));
        return true;
    }
    if (type == "ptr") {
        if (w.size() != 3 || (k6.empty() && !is_ipv4(w[0]))) {
            error = "expected ADDRESS PTR NAME";
            return false;
        }
        ptr[k6.empty() ? w[0] : k6].push_back(dns_name(w[2]));
        return true;
    }
    if (type == "txt") {
        // the words after TXT, joined by one blank: one character-string
        std::string text;
        for (std::size_t i = 2; i < w.size(); ++i) text += (i > 2 ? " " : "") + w[i];
        if (text.empty() || text.size() > 255) {
            error = text.empty() ? "expected NAME TXT TEXT" : "TXT text longer than 255 bytes";
            return false;
        }
        txt[name].push_back(text);
        return true;
    }
    error = "unknown record type " + w[1] + " (A, AAAA, MX, PTR, TXT or TEMP)";
    return false;
}

DnsRecords::Reply DnsRecords::query(const std::string& qname, int type) const {
    Reply r;
    std::string name = dns_key(qname);
    std::optional<std::string> rev = reverse_address(name);
    if ((rev && temp.count(*rev)) || temp.count(name)) {
        r.rcode = Rcode::ServFail;
    } else if (rev) {
        auto it = ptr.find(*rev);
        if (it == ptr.end()) {
            r.rcode = Rcode::NxDomain;
        } else if (type == rrtype::PTR) {
            for (const std::string& n : it->second) r.answers.push_back({rrtype::PTR, 0, n});
        }
    } else if (a.count(name) || aaaa.count(name) || mx.count(name) || txt.count(name)) {
        auto add = [&](const auto& table, auto make) {
            auto it = table.find(name);
            if (it == table.end()) return;
            for (const auto& v : it->second) r.answers.push_back(make(v));
        };
        if (type == rrtype::A) add(a, [](const std::string& ip) { return Rr{rrtype::A, 0, ip}; });
        if (type == rrtype::AAAA) add(aaaa, [](const std::string& ip) { return Rr{rrtype::AAAA, 0, ip}; });
        if (type == rrtype::MX)
            add(mx, [](const std::pair<int, std::string>& m) { return Rr{rrtype::MX, m.first, m.second}; });
        if (type == rrtype::TXT) add(txt, [](const std::string& t) { return Rr{rrtype::TXT, 0, t}; });
    } else {
        r.rcode = Rcode::NxDomain;
    }
    return r;
}

Diagnostics parse_dns_records(const std::string& text, const std::string& file, DnsRecords& out) {
    Diagnostics diags;
    std::size_t start = 0;
    int lineno = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::vector<std::string> w = split_words(line);
        if (w.empty() || w[0][0] == '#') continue;
        std::string error;
        if (out.add(w, error)) continue;
        Diagnostic d;
        d.loc = SourceLoc{file, lineno, static_cast<int>(line.find_first_not_of(" \t")) + 1};
        d.message = error;
        diags.push_back(std::move(d));
    }
    return diags;
}

} // namespace cfkit
