// The name service of `cfkit bt --dns-records`: sendmail's lookups over the
// hosts file and a DNS that answers from DnsRecords, in the order of the
// service switch's `hosts` line (sendmail's ServiceSwitchFile; cfkit takes
// the list of services as a value, "files dns" by default).
//
// Sendmail asks the DNS through the C library's resolver, so the questions
// asked depend on glibc as much as on sendmail: res_search()'s search list
// (the host name's domain, as res_init() derives it from gethostname() when
// resolv.conf names none), the AAAA-before-A order of dns_getcanonname()
// (sendmail runs with InetMode AF_INET6), and how a reply becomes h_errno
// (NXDOMAIN: HOST_NOT_FOUND; no records of the type: NO_DATA; SERVFAIL:
// TRY_AGAIN). The algorithms are those of getcanonname() and
// dns_getcanonname() (map.c, domain.c), getmxrr() (domain.c) and
// dns_lookup_int() (sm_resolve.c); answers are DnsRecords::query()'s.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/names/dns_records.hpp"
#include "engine/names/hostinfo.hpp"
#include "engine/names/maps.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

struct NameServiceSetup {
    std::vector<HostsLine> hosts;                           // the `files` service
    DnsRecords dns;                                         // the `dns` service
    std::vector<std::string> services = {"files", "dns"};  // the switch's hosts line
    std::string hostname;                                   // its domain is the search list
    // Called once, at the first lookup that reads the service switch
    // (getcanonname's switch_map_find("hosts")): sendmail reads the file
    // then, and its file checks may warn.
    std::function<void()> on_switch_read;
};

class NameService : public Resolver {
public:
    // `env` gives $m (appended to single-label answers) and $=w (MX hosts
    // of this machine sort first among equal preferences).
    NameService(NameServiceSetup setup, const Env* env);

    std::optional<std::string> canonical_name(const std::string& host) const override;
    std::optional<std::string> name_for_address(const std::string& addr) const override;
    bool temporary_failure(const std::string& host) const override;

    bool uses_name_server() const override { return use_dns_; }
    CanonAnswer getcanonname(const std::string& host, bool trymx, bool search) const override;
    MxAnswer getmxrr(const std::string& host, bool search) const override;
    AddrAnswer host_by_address(const std::string& addr) const override;
    DnsAnswer dns_lookup(const std::string& name, int type) const override;
    // gethostbyname2(name, AF_INET) as the daemon's forward check of a
    // client's name asks it (glibc's hosts: files dns): a name of digits
    // and dots answered without a lookup (digits_dots()), then the hosts
    // file, then res_search() with the search domain. The addresses found.
    std::vector<std::string> host_addresses_v4(const std::string& name) const;
    // gethostbyname2(name, AF_INET6), the same check for an IPv6 client:
    // the hosts file's IPv6 lines, then AAAA records. Addresses as
    // inet_ntop() writes them ("2001:db8::5").
    std::vector<std::string> host_addresses_v6(const std::string& name) const;

    // h_errno values (netdb.h), as the resolver leaves them.
    enum class HErr { None, HostNotFound, TryAgain, NoRecovery, NoData };
    struct Search {
        std::vector<DnsRecords::Rr> answers;  // empty: failed, see herr
        HErr herr = HErr::None;
    };
    // glibc's res_search(): the name as it is and with the search domain,
    // in glibc's order; `search`: RES_DNSRCH and RES_DEFNAMES are set.
    Search res_search(const std::string& name, int type, bool search) const;

private:
    Search res_querydomain(const std::string& name, const std::string& domain, int type) const;
    // dns_getcanonname(): found, `host` updated in place, EX_* status.
    bool dns_getcanonname(std::string& host, bool trymx, bool search, int& status) const;

    NameServiceSetup s_;
    HostsResolver files_;
    const Env* env_;
    bool use_files_ = false;
    bool use_dns_ = false;
    std::vector<std::string> search_list_;  // glibc's dnsrch: the host name's domain
    mutable bool switch_read_ = false;
};

// hostnamebyanyaddr(): a PTR name that reads as an address (any form
// inet_addr() takes, such as "10.1"; an IPv6 address; or one starting with
// '[') is no name: sendmail keeps the address literal and {client_resolve}
// is FAIL.
bool ptr_name_is_address(const std::string& name);

// glibc's gethostbyname() of a name of digits and dots that does not end
// in '.': answered without asking anyone, with the address inet_aton()
// reads in it, or HOST_NOT_FOUND (an empty list) when it reads none.
// nullopt: not such a name, it is looked up.
std::optional<std::vector<std::string>> digits_dots(const std::string& name);

// switch_map_find() without a system switch (Linux): the methods the
// ServiceSwitchFile at `path` lists for `service` ("hosts files dns"); a
// '#' starts a comment, a line without methods is skipped. When the file
// cannot be read or has no line for the service, sendmail's fallback:
// hosts "dns files", aliases "files".
std::vector<std::string> service_switch(const std::string& path, const std::string& service);

} // namespace cfkit
