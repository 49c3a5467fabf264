// Reading a configuration for a subcommand: a .cf as it is, or a .mc
// expanded with GNU m4 and sendmail-cf's macros, as `make` in
// /etc/mail would do.
#pragma once

#include <optional>
#include <string>

namespace cfkit {

struct ConfigText {
    std::string content;
    bool from_mc = false;
};

// `cf_dir`: sendmail-cf's cf directory (holds m4/cf.m4). On failure returns
// nullopt with a message for the user in `error`.
std::optional<ConfigText> read_config(const std::string& path, const std::string& cf_dir, std::string& error);

constexpr const char* kDefaultCfDir = "/usr/share/sendmail/cf";

} // namespace cfkit
