// The policy of `cfkit gen`, validated: the first of the generator's three
// representations (policy → rule AST, rule_ast.hpp → m4 or .cf text,
// emit.hpp). read_policy() turns the JSON (grammar/json.hpp) into this
// value or into diagnostics that name the place and the JSON path
// ("$.helo.reject[2]: ..."). Every value here is already normalized: names
// lower-cased, networks in the form sendmail writes {client_addr} in.
// The format is documented in rulesets/schema.json.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/text/diagnostic.hpp"
#include "grammar/json.hpp"

namespace cfkit::gen {

enum class Stage { Connect, Mail, Rcpt };
const char* stage_name(Stage s);

enum class Mode { Enforce, Warn };

// Where a setting was written, for messages and for the comments of the
// generated rules.
struct Origin {
    std::string path;  // "$.helo.reject[2]"
    SourceLoc loc;
};

// A rejection: `code dsn text`, the text with placeholders.
struct Reply {
    int code = 550;
    std::string dsn = "5.7.1";
    // The text in pieces: literal text and macro names of placeholders
    // (helo → "s", client_addr → "{client_addr}" ...), in order.
    struct Piece {
        bool macro = false;
        std::string text;  // literal text, or the macro as a rule writes it ("s", "{client_addr}")
    };
    std::vector<Piece> pieces;
    std::string text;  // as written, for comments and tests
    Origin origin;
};

// A value with the place it was written.
template <typename T> struct At {
    T value;
    Origin origin;
};

struct Exempt {
    std::optional<Origin> authenticated;      // {auth_authen} set
    std::optional<Origin> tls_verified;       // {verify} is OK
    std::vector<At<std::string>> tls_issuers; // xtext form, as {cert_issuer}
    std::optional<Origin> relay_networks;     // {client_addr} starts with a word of $=R
    std::vector<At<std::string>> networks;    // prefixes or addresses as sendmail writes addresses
    std::vector<At<std::string>> client_domains;  // lower case
    std::vector<At<std::string>> clients_addr;    // exact {client_addr}
    std::vector<At<std::string>> clients_name;    // exact {client_name}, lower case
    std::optional<At<std::string>> access_tag;
    std::optional<Origin> local_submission;   // {client_addr} is 0 (sendmail -bs)
    Origin origin;                            // the "exempt" object itself
};

enum class HeloCheck { Unqualified, OwnName, OwnAddress, BareAddress, LiteralMismatch, Localhost };
constexpr HeloCheck kHeloChecks[] = {HeloCheck::Unqualified, HeloCheck::OwnName,         HeloCheck::OwnAddress,
                                     HeloCheck::BareAddress, HeloCheck::LiteralMismatch, HeloCheck::Localhost};
const char* helo_check_name(HeloCheck c);  // as the policy writes it

struct HeloSection {
    At<Stage> stage{Stage::Mail, {}};
    std::vector<At<HeloCheck>> reject;
    std::vector<At<std::string>> deny_exact;   // lower case
    std::vector<At<std::string>> deny_suffix;  // "*.invalid" → "invalid"
    Reply reply;
    std::optional<Exempt> exempt;  // replaces the global one
    Origin origin;
};

enum class Resolve { Temp, Forged, Fail };
const char* resolve_name(Resolve r);  // "TEMP" ...

struct ResolveSection {
    At<Stage> stage{Stage::Connect, {}};
    std::vector<std::pair<Resolve, Reply>> replies;  // in TEMP, FORGED, FAIL order, those given
    std::optional<Exempt> exempt;
    Origin origin;
};

struct Policy {
    std::string path;
    Mode mode = Mode::Enforce;
    std::optional<At<bool>> delay_checks;
    Exempt exempt;
    std::optional<HeloSection> helo;
    std::optional<ResolveSection> client_resolve;
};

// nullopt when the policy has errors; they are appended to `diags`.
std::optional<Policy> read_policy(const JsonValue& root, const std::string& path, Diagnostics& diags);

// The whole of reading a policy file's text: JSON errors included.
std::optional<Policy> parse_policy(std::string_view text, const std::string& path, Diagnostics& diags);

// xtextify(DN, "<>\")"): how sendmail writes {cert_issuer}.
std::string xtext(const std::string& s);

} // namespace cfkit::gen
