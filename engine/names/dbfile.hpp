// Read-only access to the Berkeley DB files that sendmail's `hash` and
// `btree` maps (and makemap) use. A thin RAII wrapper over libdb so the map
// code never sees its C API.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace cfkit {

class DbFile {
public:
    enum class Kind { Hash, Btree };

    // Opens `path` read-only. On failure returns nullptr and sets `error` to
    // libdb's or the system's message.
    static std::unique_ptr<DbFile> open(const std::string& path, Kind kind, std::string& error);
    // The same, but while file checks are remembered (safefile.hpp:
    // remember_file_checks) a file opened once stays open for the process
    // and later opens share it; one that failed fails again with the same
    // error, without trying.
    static std::shared_ptr<DbFile> open_shared(const std::string& path, Kind kind, std::string& error);
    ~DbFile();
    DbFile(const DbFile&) = delete;
    DbFile& operator=(const DbFile&) = delete;

    // The stored value for exactly these key bytes; nullopt if absent.
    // `failed` is set on an error other than "not found".
    std::optional<std::string> get(const std::string& key, bool& failed) const;

private:
    DbFile() = default;
    struct Handle;
    Handle* h_ = nullptr;
};

} // namespace cfkit
