// What `cfkit session` and `cfkit test` share: loading the configuration
// for a dry-run SMTP server, reading a script, printing a transcript.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/config/config.hpp"
#include "engine/smtp/session_run.hpp"

namespace cfkit {

struct ServerConfigOptions {
    std::string cf;
    std::string cf_dir;
    std::optional<std::string> hostname;
    bool probe_interfaces = true;
    std::string hosts_file = "/etc/hosts";  // for $=w: the host name's aliases and addresses
    std::string sasldb;                     // --sasldb: the SASL accounts AUTH is checked against
    std::string tls_ca;                     // --tls-ca: the CAs STARTTLS verifies client certificates with
};

// The options `cfkit session` and `cfkit test` share: the config and how
// the server sees itself (host name, hosts file, interfaces, the switch's
// hosts line). `dns_from` names where the DNS answers come from.
void add_server_options(CLI::App& app, ServerConfigOptions& o, bool& no_interfaces, std::string& switch_spec,
                        const char* dns_from);

// --sasldb into the server's accounts and --tls-ca into its set-up; false
// after a message.
bool load_server_files(const ServerConfigOptions& o, ServerSetup& setup, const char* who);

// nullptr after printing a message prefixed with `who` to stderr.
std::unique_ptr<Config> load_server_config(const ServerConfigOptions& o, const char* who);

// Reads and parses a script (path "-": standard input). false after
// printing file:line messages.
bool load_script(const std::string& path, SessionScript& out, const char* who);
// The same, with the messages added to `messages` instead.
bool load_script(const std::string& path, SessionScript& out, const char* who, std::string& messages);

// The dialogue as the client sees it ("S: ..." / "C: ..."); with `replies_only`
// just the reply lines; with `trace` the check rulesets under each reply.
std::string format_transcript(const Transcript& t, bool replies_only, bool trace, const Config& cfg);
std::string transcript_json(const Transcript& t, const Config& cfg);

} // namespace cfkit
