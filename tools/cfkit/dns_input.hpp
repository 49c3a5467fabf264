// --dns-records FILE and --hosts-switch LIST for `cfkit bt` and `cfkit run`:
// the user's DNS records and the order of the service switch's hosts line,
// turned into the name service the maps, $[ $], /canon and /mx ask.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/config/config.hpp"
#include "engine/names/name_service.hpp"

namespace cfkit {

// Reads a records file (engine/names/dns_records.hpp). On a bad line prints
// "FILE:LINE:COL: error: MESSAGE", the line and a caret for each, to
// stderr, and returns nullopt.
std::optional<DnsRecords> read_dns_records(const std::string& path);

// "files dns" -> {"files", "dns"}; words other than files and dns are
// kept, and answer nothing (as a service sendmail lacks).
std::vector<std::string> hosts_switch(const std::string& spec);

// The hosts line in force: --hosts-switch when it was given; else, when the
// configuration (or -O) sets ServiceSwitchFile, that file's hosts line as
// sendmail reads it (its fallback "dns files" when it has none); else
// cfkit's default, "files dns" (cfkit does not read the machine's
// /etc/mail/service.switch unless told to).
std::vector<std::string> hosts_switch_for(const Config& cfg, bool given, const std::string& spec);

} // namespace cfkit
