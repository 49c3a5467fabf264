// recipient(), alias() and sendtolist() (recipient.c, alias.c) as far as an
// SMTP server runs them before a message is queued: duplicates answer with
// the first address, aliases are expanded (EXPN) or only verified (VRFY, and
// RCPT in queue-only mode), local users are looked up in the passwd file.
// Not done: .forward files, ruleset 5, :include: files, the user database.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/mail/address.hpp"

namespace cfkit {

// A passwd entry as sendmail's mailbox database gives it (sm_mbdb_lookup).
struct PasswdEntry {
    std::string name, home;
    std::string full_name;  // the GECOS field up to ',' with '&' expanded
};
std::optional<PasswdEntry> lookup_passwd(const std::string& user);

// The alias files of the AliasFile option: NAME.db when there is one (as
// newaliases makes it), else the text file itself.
class AliasFiles {
public:
    explicit AliasFiles(const Config& cfg);
    // The right-hand side for `name` (matched without regard to case).
    // `unavailable` is set when a file of the list can be read neither as
    // NAME.db nor as text: sendmail's alias map then fails temporarily.
    std::optional<std::string> lookup(const std::string& name, bool& unavailable) const;

private:
    std::vector<std::string> files_;
    // NAME.db of each file, opened once (nullptr: none, read the text file)
    mutable std::vector<std::shared_ptr<class DbFile>> dbs_;
    mutable bool opened_ = false;
};

class RecipientList {
public:
    RecipientList(Session& s, const AliasFiles& aliases) : s_(s), aliases_(aliases) {}

    // The send queue in the order addresses were added (sendmail sorts it
    // by host: see in_sendmail_order).
    std::vector<Address> queue;
    bool vrfy_only = false;  // EF_VRFYONLY: aliases are verified, not expanded

    // recipient(): adds `a` (or finds its duplicate); the index of the
    // entry that stands for it. The first error stops the command, as
    // QuickAbort does: it is appended to `errors` and nothing more happens.
    int add(Address a, int aliaslevel, std::vector<AddressError>& errors);
    // sendtolist(): each address of a comma-separated list, parsed and added
    // in sendmail's (reverse) order. `parent`: the alias being expanded or -1.
    void send_to_list(const std::string& list, int parent, int aliaslevel, std::vector<AddressError>& errors);

    // The entries sendmail would list for VRFY/EXPN, in its order.
    std::vector<const Address*> in_sendmail_order() const;

    static bool undelivered(Address::State st);  // QS_IS_UNDELIVERED

private:
    void alias(int idx, int aliaslevel, std::vector<AddressError>& errors);
    Session& s_;
    const AliasFiles& aliases_;
};

} // namespace cfkit
