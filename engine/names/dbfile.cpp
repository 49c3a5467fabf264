#include "engine/names/dbfile.hpp"

#include <cstring>
#include <map>

#include "engine/names/safefile.hpp"

#ifdef CFKIT_NO_BDB
// Built without Berkeley DB (the WebAssembly playground, which has no libdb
// and no files to read): every .db file fails to open as a missing file
// would, so hash and btree maps behave as on a host where makemap never ran.
#include <cerrno>

namespace cfkit {

struct DbFile::Handle {};

std::unique_ptr<DbFile> DbFile::open(const std::string&, Kind, std::string& error) {
    error = std::strerror(ENOENT);
    return nullptr;
}

DbFile::~DbFile() { delete h_; }

std::optional<std::string> DbFile::get(const std::string&, bool& failed) const {
    failed = true;
    return std::nullopt;
}

} // namespace cfkit

#else
#include <db.h>

namespace cfkit {

struct DbFile::Handle {
    DB* db = nullptr;
};

std::unique_ptr<DbFile> DbFile::open(const std::string& path, Kind kind, std::string& error) {
    DB* db = nullptr;
    int rc = db_create(&db, nullptr, 0);
    if (rc != 0) {
        error = db_strerror(rc);
        return nullptr;
    }
    // libdb would print its own diagnostics on stderr; the engine never prints.
    db->set_errcall(db, [](const DB_ENV*, const char*, const char*) {});
    rc = db->open(db, nullptr, path.c_str(), nullptr, kind == Kind::Hash ? DB_HASH : DB_BTREE, DB_RDONLY, 0);
    if (rc != 0) {
        error = rc > 0 ? std::strerror(rc) : db_strerror(rc);
        db->close(db, 0);
        return nullptr;
    }
    std::unique_ptr<DbFile> f(new DbFile());
    f->h_ = new Handle{db};
    return f;
}

DbFile::~DbFile() {
    if (h_) {
        h_->db->close(h_->db, 0);
        delete h_;
    }
}

std::optional<std::string> DbFile::get(const std::string& key, bool& failed) const {
    failed = false;
    DBT k, v;
    std::memset(&k, 0, sizeof k);
    std::memset(&v, 0, sizeof v);
    std::string kbuf = key;  // libdb wants a non-const pointer
    k.data = kbuf.data();
    k.size = static_cast<u_int32_t>(kbuf.size());
    int rc = h_->db->get(h_->db, nullptr, &k, &v, 0);
    if (rc == DB_NOTFOUND || rc == DB_KEYEMPTY) return std::nullopt;
    if (rc != 0) {
        failed = true;
        return std::nullopt;
    }
    return std::string(static_cast<const char*>(v.data), v.size);
}

} // namespace cfkit
#endif // CFKIT_NO_BDB

namespace cfkit {

std::shared_ptr<DbFile> DbFile::open_shared(const std::string& path, Kind kind, std::string& error) {
    if (!remembering_file_checks()) return open(path, kind, error);
    // A file that could not be opened is remembered too (with why): the
    // files are taken as unchanged for the run, and most sessions of a
    // suite ask for the same missing aliases.db.
    struct Opened {
        std::shared_ptr<DbFile> file;
        std::string error;
    };
    thread_local std::map<std::pair<std::string, Kind>, Opened> opened;
    auto key = std::make_pair(path, kind);
    auto it = opened.find(key);
    if (it == opened.end()) {
        if (opened.size() >= 256) opened.clear();
        Opened o;
        o.file = open(path, kind, o.error);
        it = opened.emplace(std::move(key), std::move(o)).first;
    }
    if (!it->second.file) error = it->second.error;
    return it->second.file;
}

} // namespace cfkit
