#include "engine/config/headers.hpp"

#include <cctype>

#include "engine/text/symbols.hpp"

namespace cfkit {

namespace {

struct Builtin {
    const char* name;
    unsigned long flags;
};

// conf.c's HdrInfo (this build has no _FFR_MTA_MODE: from, reply-to and to
// carry no H_ASIS).
const Builtin kHdrInfo[] = {
    {"resent-sender", kHFrom | kHResent}, {"resent-from", kHFrom | kHResent},
    {"resent-reply-to", kHFrom | kHResent}, {"sender", kHFrom}, {"from", kHFrom}, {"reply-to", kHFrom},
    {"errors-to", kHFrom | kHErrorsTo}, {"full-name", kHACheck}, {"return-receipt-to", kHReceiptTo},
    {"delivery-receipt-to", kHReceiptTo}, {"disposition-notification-to", kHFrom},
    {"to", kHRcpt}, {"resent-to", kHRcpt | kHResent}, {"cc", kHRcpt}, {"resent-cc", kHRcpt | kHResent},
    {"bcc", kHRcpt | kHBcc}, {"resent-bcc", kHRcpt | kHBcc | kHResent}, {"apparently-to", kHRcpt},
    {"message-id", 0}, {"resent-message-id", kHResent}, {"message", kHEoh}, {"text", kHEoh},
    {"date", 0}, {"resent-date", kHResent},
    {"received", kHTrace | kHForce}, {"x400-received", kHTrace | kHForce}, {"via", kHTrace | kHForce},
    {"mail-from", kHTrace | kHForce},
    {"comments", kHForce | kHEncodable}, {"return-path", kHForce | kHACheck | kHBindLate},
    {"content-transfer-encoding", kHCte}, {"content-type", kHCtype}, {"content-length", kHACheck},
    {"subject", kHEncodable}, {"x-authentication-warning", kHForce},
};

bool is_space(char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x80 && std::isspace(u);
}

} // namespace

HeaderTable::HeaderTable() {
    for (const Builtin& b : kHdrInfo) info_[b.name].flags = b.flags;
}

const HeaderInfo* HeaderTable::find(const std::string& name) const {
    auto it = info_.find(ascii_lower(name));
    return it == info_.end() ? nullptr : &it->second;
}

HeaderInfo& HeaderTable::enter(const std::string& name) { return info_[ascii_lower(name)]; }

HeaderLine split_header(const std::string& line, bool config_line) {
    HeaderLine h;
    std::size_t p = 0;
    if (config_line && p < line.size() && line[p] == '?') {
        std::size_t q = line.find('?', p + 1);
        if (q == std::string::npos) return h;
        std::string cond = line.substr(p + 1, q - p - 1);
        if (cond.empty()) {
            // "??": no flags
        } else if (static_cast<unsigned char>(cond[0]) == 0x81 || cond[0] == '$') {
            if (cond.size() < 2) return h;  // ?$?
        } else {
            for (char c : cond)
                if (static_cast<unsigned char>(c) >= 0x80) return h;
        }
        h.conditional = !cond.empty();
        p = q + 1;
    }
    std::size_t name = p;
    while (p < line.size() && static_cast<unsigned char>(line[p]) < 0x80 &&
           std::isgraph(static_cast<unsigned char>(line[p])) && line[p] != ':')
        ++p;
    std::size_t name_end = p;
    while (p < line.size() && is_space(line[p])) ++p;
    if (p >= line.size() || line[p] != ':' || name_end == name) return h;
    h.ok = true;
    h.name = line.substr(name, name_end - name);
    h.value = line.substr(p + 1);
    return h;
}

} // namespace cfkit
