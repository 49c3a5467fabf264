#include "engine/dns_records.hpp"

#include <arpa/inet.h>

#include "engine/symbols.hpp"

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

} // namespace

bool DnsRecords::add(const std::vector<std::string>& w, std::string& error) {
    if (w.size() < 2) {
        error = "expected NAME TYPE [DATA]";
        return false;
    }
    std::string type = ascii_lower(w[1]);
    std::string name = dns_key(w[0]);
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
    if (type == "mx") {
        if (w.size() != 4 || w[2].find_first_not_of("0123456789") != std::string::npos || w[2].empty()) {
            error = "expected NAME MX PREFERENCE HOST";
            return false;
        }
        mx[name].emplace_back(std::stoi(w[2]), dns_key(w[3]));
        return true;
    }
    if (type == "ptr") {
        if (w.size() != 3 || !is_ipv4(w[0])) {
            error = "expected IPv4-ADDRESS PTR NAME";
            return false;
        }
        ptr[w[0]].push_back(dns_name(w[2]));
        return true;
    }
    error = "unknown record type " + w[1] + " (A, MX, PTR or TEMP)";
    return false;
}

DnsRecords::Status DnsRecords::lookup_ptr(const std::string& addr, std::string& name) const {
    if (temp.count(addr)) return Status::TempFail;
    auto it = ptr.find(addr);
    if (it == ptr.end() || it->second.empty()) return Status::NotFound;
    name = it->second.front();
    return Status::Found;
}

DnsRecords::Status DnsRecords::lookup_a(const std::string& name_in, std::vector<std::string>& addrs) const {
    std::string name = dns_key(name_in);
    if (temp.count(name)) return Status::TempFail;
    auto it = a.find(name);
    if (it == a.end()) return Status::NotFound;
    addrs = it->second;
    return Status::Found;
}

DnsRecords::Status DnsRecords::exists(const std::string& name_in) const {
    std::string name = dns_key(name_in);
    if (temp.count(name)) return Status::TempFail;
    if (a.count(name) || mx.count(name)) return Status::Found;
    return Status::NotFound;
}

std::optional<std::string> DnsResolver::canonical_name(const std::string& host) const {
    if (r_.exists(host) == DnsRecords::Status::Found) return dns_key(host);
    return std::nullopt;
}

std::optional<std::string> DnsResolver::name_for_address(const std::string& addr) const {
    std::string name;
    if (r_.lookup_ptr(addr, name) == DnsRecords::Status::Found) return name;
    return std::nullopt;
}

bool DnsResolver::temporary_failure(const std::string& host) const {
    if (!host.empty() && host[0] == '[') {
        std::string addr = host.substr(1, host.find(']') - 1);
        return r_.temp.count(addr) > 0;
    }
    return r_.exists(host) == DnsRecords::Status::TempFail;
}

} // namespace cfkit
