#include "engine/text/textutil.hpp"

#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "grammar/comments.hpp"

namespace cfkit {

std::string shorten(const std::string& s, std::size_t max) {
    if (s.size() < max) return s;
    if (max < 10) return s.substr(0, max - 1) + "...";
    std::size_t half = (max - 3) / 2;
    return s.substr(0, half) + "..." + s.substr(s.size() - half);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> d(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t prev = d[0];
        d[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t cur = d[j];
            d[j] = std::min({d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
            prev = cur;
        }
    }
    return d[b.size()];
}

std::vector<std::string> split_words(std::string_view s, bool blank_tab_only) {
    auto sep = [&](char c) {
        return blank_tab_only ? (c == ' ' || c == '\t') : is_space(static_cast<unsigned char>(c));
    };
    std::vector<std::string> out;
    std::size_t p = 0;
    while (p < s.size()) {
        while (p < s.size() && sep(s[p])) ++p;
        std::size_t w = p;
        while (p < s.size() && !sep(s[p])) ++p;
        if (p > w) out.emplace_back(s.substr(w, p - w));
    }
    return out;
}

int spawn_reader(const std::vector<std::string>& argv, int& pid) {
    pid = -1;
    if (argv.empty()) return -1;
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        std::vector<char*> cargv;
        for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        execv(cargv[0], cargv.data());
        // prog_open(): EX_OSERR for a transient failure, else EX_CONFIG
        const int e = errno;
        _exit(e == EAGAIN || e == ENOMEM || e == ENFILE || e == EMFILE || e == ETXTBSY || e == EIO ? 71 : 78);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    return fds[0];
}

int wait_child(int pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {
std::string arpadate_uncached(std::time_t t) {
    char ud[32];
    ctime_r(&t, ud);  // "Sun Sep 16 01:03:52 1973\n"
    std::string b;
    b.append(ud, 3);
    b += ", ";
    if (ud[8] != ' ') b += ud[8];
    b += ud[9];
    b += ' ';
    b.append(ud + 4, 3);
    b += ' ';
    b.append(ud + 20, 4);
    b += ' ';
    b.append(ud + 11, 8);
    std::tm gmt{}, lt{};
    gmtime_r(&t, &gmt);
    localtime_r(&t, &lt);
    int off = (lt.tm_hour - gmt.tm_hour) * 60 + lt.tm_min - gmt.tm_min;
    if (lt.tm_year < gmt.tm_year) off -= 24 * 60;
    else if (lt.tm_year > gmt.tm_year) off += 24 * 60;
    else if (lt.tm_yday < gmt.tm_yday) off -= 24 * 60;
    else if (lt.tm_yday > gmt.tm_yday) off += 24 * 60;
    b += ' ';
    if (off == 0) return b + "GMT";
    b += off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    if (off >= 24 * 60) off = 23 * 60 + 59;
    b += static_cast<char>('0' + off / 600);
    b += static_cast<char>('0' + (off / 60) % 10);
    off %= 60;
    b += static_cast<char>('0' + off / 10);
    b += static_cast<char>('0' + off % 10);
    return b;  // the Linux build has no TZ_TYPE: no "(zone name)" after the offset
}
} // namespace

std::string arpadate(std::time_t t) {
    // Every session asks for the date of the same second or so: keep the
    // last answer (with the TZ it was made under).
    thread_local std::time_t last_t = -1;
    thread_local std::string last_tz, last;
    const char* tz = std::getenv("TZ");
    std::string_view tzv = tz ? tz : "\x01";  // (unset differs from empty)
    if (t != last_t || tzv != last_tz) {
        last = arpadate_uncached(t);
        last_t = t;
        last_tz = std::string(tzv);
    }
    return last;
}

std::string queue_id(std::time_t t, unsigned seq, long pid) {
    static const char kChars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    constexpr unsigned kLen = 60, kLenR = 62;  // QIC_LEN, QIC_LEN_R
    std::tm tm{};
    gmtime_r(&t, &tm);
    seq %= kLen * kLen;
    std::string id;
    id += kChars[static_cast<unsigned>(tm.tm_year) % kLen];
    id += kChars[tm.tm_mon];
    id += kChars[tm.tm_mday];
    id += kChars[tm.tm_hour];
    id += kChars[static_cast<unsigned>(tm.tm_min) % kLenR];
    id += kChars[static_cast<unsigned>(tm.tm_sec) % kLenR];
    id += kChars[seq / kLen];
    id += kChars[seq % kLen];
    char digits[24];
    std::snprintf(digits, sizeof digits, "%06ld", pid);
    return id + digits;
}

std::string full_ipv6(const unsigned char addr[16]) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%x:%x:%x:%x:%x:%x:%x:%x", addr[0] << 8 | addr[1], addr[2] << 8 | addr[3],
                  addr[4] << 8 | addr[5], addr[6] << 8 | addr[7], addr[8] << 8 | addr[9], addr[10] << 8 | addr[11],
                  addr[12] << 8 | addr[13], addr[14] << 8 | addr[15]);
    return buf;
}

std::string full_ipv6(const std::string& text) {
    unsigned char a[16];
    if (inet_pton(AF_INET6, text.c_str(), a) != 1) return text;
    return full_ipv6(a);
}

std::string anynet_ntop(const unsigned char addr[16], bool compressed) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    if (std::memcmp(addr, mapped, 12) == 0) return inet_ntop(AF_INET, addr + 12, text, sizeof text);
    if (!compressed) return "IPv6:" + full_ipv6(addr);
    return std::string("IPv6:") + inet_ntop(AF_INET6, addr, text, sizeof text);
}

std::string anynet_ntoa(const std::string& addr, bool compressed) {
    unsigned char a[16];
    if (inet_pton(AF_INET6, addr.c_str(), a) != 1) return addr;
    return anynet_ntop(a, compressed);
}

std::string reverse_labels_v4(const unsigned char addr[4]) {
    return std::to_string(addr[3]) + "." + std::to_string(addr[2]) + "." + std::to_string(addr[1]) + "." +
           std::to_string(addr[0]);
}

std::string reverse_labels_v6(const unsigned char addr[16]) {
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 15; i >= 0; --i) {
        out.push_back(hex[addr[i] & 0x0f]);
        out.push_back('.');
        out.push_back(hex[(addr[i] >> 4) & 0x0f]);
        if (i > 0) out.push_back('.');
    }
    return out;
}

} // namespace cfkit
