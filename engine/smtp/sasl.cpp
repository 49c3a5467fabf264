#include "engine/smtp/sasl.hpp"

#include <cstring>

#include "engine/names/dbfile.hpp"
#include "engine/text/symbols.hpp"

namespace cfkit {

namespace {

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
    const char* p = c ? std::strchr(kB64, c) : nullptr;
    return p ? static_cast<int>(p - kB64) : -1;
}

} // namespace

void SaslAccounts::add(const std::string& user, const std::string& password) {
    std::size_t at = user.find('@');
    if (at == std::string::npos) entries_[{user, std::nullopt}] = password;
    else entries_[{user.substr(0, at), user.substr(at + 1)}] = password;
}

bool SaslAccounts::open_sasldb(const std::string& path, std::string& error) {
    std::unique_ptr<DbFile> f = DbFile::open(path, DbFile::Kind::Hash, error);
    if (!f) return false;
    db_ = std::move(f);
    return true;
}

bool SaslAccounts::check(const std::string& authcid, const std::string& realm, const std::string& password) const {
    std::optional<std::string> stored = password_of(authcid, realm);
    return stored && *stored == password;
}

std::optional<std::string> SaslAccounts::password_of(const std::string& authcid, const std::string& realm) const {
    std::size_t at = authcid.find('@');
    std::string user = at == std::string::npos ? authcid : authcid.substr(0, at);
    std::string in_realm = at == std::string::npos ? ascii_lower(realm) : authcid.substr(at + 1);
    if (auto it = entries_.find({user, in_realm}); it != entries_.end()) return it->second;
    // a script's account without a realm is in the server's realm
    if (in_realm == ascii_lower(realm))
        if (auto it = entries_.find({user, std::nullopt}); it != entries_.end()) return it->second;
    if (!db_) return std::nullopt;
    bool failed = false;
    return db_->get(user + '\0' + in_realm + '\0' + "userPassword", failed);
}

std::optional<std::string> sasl_decode64(const std::string& in) {
    if (in.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; ++k) {
            char c = in[i + static_cast<std::size_t>(k)];
            if (c == '=' && k >= 2) {
                ++pad;
                v[k] = 0;
                continue;
            }
            if (pad > 0) return std::nullopt;  // data after '='
            v[k] = b64_value(c);
            if (v[k] < 0) return std::nullopt;
        }
        if (pad > 0 && i + 4 != in.size()) return std::nullopt;  // padding only at the end
        unsigned n = static_cast<unsigned>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
        out += static_cast<char>(n >> 16 & 0xff);
        if (pad < 2) out += static_cast<char>(n >> 8 & 0xff);
        if (pad < 1) out += static_cast<char>(n & 0xff);
    }
    return out;
}

std::string base64_encode(const std::string& in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
        out += kB64[n >> 18 & 63];
        out += kB64[n >> 12 & 63];
        out += i + 1 < in.size() ? kB64[n >> 6 & 63] : '=';
        out += i + 2 < in.size() ? kB64[n & 63] : '=';
    }
    return out;
}

std::string xtextify(const std::string& in, const char* taboo) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : in) {
        unsigned char c = static_cast<unsigned char>(ch);
        if (c < '!' || c > '~' || c == '+' || c == '\\' || c == '(' || (c && std::strchr(taboo, c))) {
            out += '+';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

} // namespace cfkit
