// Reading a configuration for a subcommand: a .cf as it is, or a .mc
// expanded with GNU m4 and sendmail-cf's macros, as `make` in
// /etc/mail would do.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/config/config.hpp"
#include "engine/names/hostinfo.hpp"

namespace cfkit {

struct ConfigText {
    std::string content;
    bool from_mc = false;
};

// `cf_dir`: sendmail-cf's cf directory (holds m4/cf.m4). On failure returns
// nullopt with a message for the user in `error`.
std::optional<ConfigText> read_config(const std::string& path, const std::string& cf_dir, std::string& error);

// A plain file's text; nullopt with "PATH: reason" in `error`.
std::optional<std::string> read_text_file(const std::string& path, std::string& error);

// A .mc expanded with m4: `file` is read, `path` named in messages.
std::optional<ConfigText> expand_mc(const std::string& path, const std::string& file, const std::string& cf_dir,
                                    std::string& error);
// The same for a .mc's text (written to a temporary file for m4).
std::optional<ConfigText> expand_mc_text(const std::string& path, const std::string& text, const std::string& cf_dir,
                                         std::string& error);

// `text` in a new file under $TMPDIR (or /tmp) named PREFIX-XXXXXX: its
// path, which the caller unlinks; nullopt with `error` set.
std::optional<std::string> write_temp_file(const std::string& prefix, const std::string& text, std::string& error);

// A configuration's text compiled as the daemon reads it (not test mode),
// the host probed with `probe`; reading's messages go to `load`.
std::unique_ptr<Config> compile_config(const ConfigText& text, const std::string& path, const ProbeOptions& probe,
                                       Reporter& load);

// A configuration compiled as the daemon reads it (not test mode), the host
// probed with `probe`; reading's messages go to `load`. nullptr after
// printing "WHO: message" when the file cannot be read or expanded.
std::unique_ptr<Config> load_config(const std::string& path, const std::string& cf_dir, const ProbeOptions& probe,
                                    Reporter& load, const char* who);

constexpr const char* kDefaultCfDir = "/usr/share/sendmail/cf";

} // namespace cfkit
