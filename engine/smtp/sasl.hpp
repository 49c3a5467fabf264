// SMTP AUTH as the daemon does it with Debian's Cyrus SASL library and a
// sasldb: the accounts (user, realm, clear-text password), the library's
// strict base64 and sendmail's xtext encoding of {auth_authen} and the
// certificate macros. The exchange itself is the server's (verbs.cpp).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace cfkit {

class DbFile;

class SaslAccounts {
public:
    // `account USER PASSWORD`: USER may carry its realm ("carol@x", as
    // saslpasswd2 -c takes it); without one, the server's realm.
    void add(const std::string& user, const std::string& password);
    // --sasldb FILE: a Cyrus sasldb2 (Berkeley DB hash; keys
    // "user\0realm\0userPassword", values the passwords). False, with
    // `error`, when it cannot be opened.
    bool open_sasldb(const std::string& path, std::string& error);
    // No account at all: AUTH is not checked (the script's `auth` succeeds).
    bool empty() const { return entries_.empty() && !db_; }
    // Cyrus's check of a PLAIN or LOGIN password: the authentication id
    // split at its first '@' (user, realm; no '@': `realm`, lower-cased),
    // both compared exactly, the password byte for byte.
    bool check(const std::string& authcid, const std::string& realm, const std::string& password) const;
    // The password stored for `authcid` (split the same way); nullopt: none.
    std::optional<std::string> password_of(const std::string& authcid, const std::string& realm) const;

private:
    std::map<std::pair<std::string, std::optional<std::string>>, std::string> entries_;
    std::shared_ptr<DbFile> db_;
};

// sasl_decode64(): only complete, padded groups of four; nullopt on any
// other input (a missing '=', a blank, a stray character). "" is "".
std::optional<std::string> sasl_decode64(const std::string& in);
std::string base64_encode(const std::string& in);

// xtextify(): bytes outside '!'..'~', '+', '\\', '(' and those in `taboo`
// as "+XX" (upper-case hex).
std::string xtextify(const std::string& in, const char* taboo);

} // namespace cfkit
