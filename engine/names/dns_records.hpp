// Name-service answers written by the user instead of asked from the net:
// `dns NAME A IP`, `dns NAME AAAA IPv6`, `dns NAME MX PREF HOST`,
// `dns ADDR PTR NAME`, `dns NAME TXT TEXT`, `dns NAME TEMP`. A name without records does not
// exist. Sessions derive {client_name} and {client_resolve} from them and
// ask the name service of engine/names/name_service.hpp about them (dns, bestmx
// and host maps, $[ $]); `cfkit bt --dns-records FILE` reads a file of
// them (without the `dns` word) for the same name service.
//
// query() answers one DNS question exactly as the DNS server of
// tools/oracle/daemon_session.py does from the same records, so that cfkit and the
// real sendmail run against that server see the same replies.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine/names/maps.hpp"
#include "engine/text/diagnostic.hpp"

namespace cfkit {

struct DnsRecords {
    std::map<std::string, std::vector<std::string>> a;                    // name -> IPv4 addresses
    std::map<std::string, std::vector<std::string>> aaaa;                 // name -> IPv6 addresses (16 bytes each)
    std::map<std::string, std::vector<std::pair<int, std::string>>> mx;   // name -> (pref, host)
    std::map<std::string, std::vector<std::string>> ptr;                  // address -> names
    std::map<std::string, std::vector<std::string>> txt;                  // name -> texts (one string each)
    std::set<std::string> temp;                                           // names and addresses that fail

    // Adds one record from "NAME TYPE DATA..." words; false with `error` set.
    bool add(const std::vector<std::string>& words, std::string& error);

    // One question to the DNS: NXDOMAIN for a name without records,
    // SERVFAIL for a TEMP name, else NOERROR with the records of `type`
    // (none for other types). Reverse names (D.C.B.A.in-addr.arpa) answer
    // from the PTR records of A.B.C.D.
    struct Rr {
        int type = 0;
        int pref = 0;       // MX
        std::string value;  // A: dotted quad; AAAA: the 16 address bytes; MX, PTR: host name as written; TXT: the text
    };
    enum class Rcode { NoError, NxDomain, ServFail };
    struct Reply {
        Rcode rcode = Rcode::NoError;
        std::vector<Rr> answers;
    };
    Reply query(const std::string& name, int type) const;
};

// DNS record types (arpa/nameser.h numbers).
namespace rrtype {
constexpr int A = 1, NS = 2, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28, SRV = 33, ANY = 255;
}

// Reads a records file: one `NAME TYPE DATA` record a line, blank lines
// and lines starting with `#` skipped. Each bad line is a diagnostic at
// its place ("expected NAME MX PREFERENCE HOST"); good lines still count.
Diagnostics parse_dns_records(const std::string& text, const std::string& file, DnsRecords& out);

std::string dns_key(const std::string& name);   // lower case, no trailing dot
std::string dns_name(const std::string& name);  // as written, no trailing dot (PTR answers keep their case)

} // namespace cfkit
