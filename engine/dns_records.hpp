// Name-service answers written by the user instead of asked from the net:
// `dns NAME A IP`, `dns NAME MX PREF HOST`, `dns ADDR PTR NAME`,
// `dns NAME TEMP`. A name without records does not exist. Sessions derive
// {client_name} and {client_resolve} from them, and the `host` map
// ($[ $], the `resolve` map of proto.m4) answers from them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/maps.hpp"

namespace cfkit {

struct DnsRecords {
    std::map<std::string, std::vector<std::string>> a;                    // name -> IPv4 addresses
    std::map<std::string, std::vector<std::pair<int, std::string>>> mx;   // name -> (pref, host)
    std::map<std::string, std::vector<std::string>> ptr;                  // address -> names
    std::set<std::string> temp;                                           // names and addresses that fail

    // Adds one record from "NAME TYPE DATA..." words; false with `error` set.
    bool add(const std::vector<std::string>& words, std::string& error);

    enum class Status { Found, NotFound, TempFail };
    Status lookup_ptr(const std::string& addr, std::string& name) const;
    Status lookup_a(const std::string& name, std::vector<std::string>& addrs) const;
    // The host map's question: does the name exist (A or MX records)?
    Status exists(const std::string& name) const;
};

// The resolver interface of the map code, answering from DnsRecords.
class DnsResolver : public Resolver {
public:
    explicit DnsResolver(const DnsRecords& r) : r_(r) {}
    std::optional<std::string> canonical_name(const std::string& host) const override;
    std::optional<std::string> name_for_address(const std::string& addr) const override;
    bool temporary_failure(const std::string& host) const override;

private:
    const DnsRecords& r_;
};

std::string dns_key(const std::string& name);   // lower case, no trailing dot
std::string dns_name(const std::string& name);  // as written, no trailing dot (PTR answers keep their case)

} // namespace cfkit
