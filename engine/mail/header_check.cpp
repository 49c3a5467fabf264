#include "engine/mail/header_check.hpp"

#include "engine/config/headers.hpp"
#include "engine/config/rulesets.hpp"
#include "engine/mail/address.hpp"
#include "engine/rewrite/rewrite.hpp"
#include "engine/text/metachar.hpp"

namespace cfkit {

namespace {

constexpr std::size_t kMaxNameI = 256;  // MAXNAME_I: {currHeader}'s buffer

void set_macro(Session& s, const char* name, const std::string& v) {
    if (std::optional<MacroId> id = s.env.names.intern(name)) s.env.macros.set(*id, v);
}

} // namespace

std::optional<HeaderCheck> check_header(Session& s, const std::string& name, const std::string& value,
                                        const std::string& to) {
    const Config& cfg = s.config();
    const HeaderInfo* hi = cfg.headers.find(name);
    unsigned long flags = hi ? hi->flags : 0;
    bool unstructured = !(flags & (kHFrom | kHRcpt));
    bool rmcomm = false;
    std::optional<std::string> rs = hi ? hi->ruleset : std::nullopt;
    if (!rs) {
        const HeaderInfo* star = cfg.headers.find("*");
        if (star && star->ruleset) {
            rs = star->ruleset;
            rmcomm = star->flags & kHStripComm;
        }
    } else {
        rmcomm = flags & kHStripComm;
    }
    if (!rs) return std::nullopt;

    // {currHeader}: the value in quotes, control characters as blanks
    std::string q = "\"";
    std::size_t k = 0;
    for (; k < value.size() && q.size() < kMaxNameI - 3; ++k) {
        char c = value[k];
        if (c >= '\011' && c <= '\015') {
            q += ' ';
        } else {
            if (c == '"') q += '\\';
            q += c;
        }
    }
    q += '"';
    set_macro(s, "currHeader", q);
    set_macro(s, "hdr_name", name);
    set_macro(s, "hdrlen", std::to_string(value.size()));
    set_macro(s, "addr_type", flags & kHFrom ? "h s" : flags & kHRcpt ? "h r" : "h");

    CollectingReporter quiet;
    int rsno = rwset_find(cfg, *rs, nullptr, quiet);
    if (rsno < 0) return std::nullopt;
    HeaderCheck out;
    out.ruleset = *rs;
    ScanOptions so;
    so.bufsize = limits::kPsBufSize;
    so.ignore = !rmcomm;
    ScanResult sr = prescan(value, rmcomm ? s.tables().internal : s.tables().nocomment, so);
    if (!sr.ok) return out;
    Tokens ws = sr.tokens;
    Reporter* saved = s.reporter;
    if (unstructured) s.reporter = &quiet;  // SuprErrs
    rewrite(s, ws, rsno);
    s.reporter = saved;
    out.result = ws;
    if (ws.size() < 2 || meta::first(ws[0]) != meta::CANONNET) return out;
    if (ws[1] == "discard") {
        out.discard = true;
    } else if (ws[1] == "error" && ws.size() >= 4 && meta::first(ws[2]) == meta::CANONHOST && ws[3] == "quarantine") {
        out.quarantine = ws.size() >= 6 && meta::first(ws[4]) == meta::CANONUSER
                             ? join_tokens(s, ws, 5, std::string::npos, ' ', true, kRscheckBufSize)
                             : *rs;
        set_macro(s, "quarantine", *out.quarantine);
    } else if (ws[1] == "error") {
        out.error = error_result_reply(s, ws, to);
    }
    return out;
}

} // namespace cfkit
