#include "engine/config/build_info.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstring>

namespace cfkit {

namespace {

// The option lists of Debian's sendmail-bin 8.17.1.9 (as its -d0.13 prints them).
const std::vector<const char*> kCompileOptions = {
    "DNSMAP", "IPV6_FULL", "LDAPMAP", "LDAP_NETWORK_TIMEOUT", "LDAP_REFERRALS", "LOG", "MAP_REGEX",
    "MATCHGECOS", "MAXDAEMONS=64", "MILTER", "MIME7TO8", "MIME8TO7", "NAMED_BIND", "NETINET", "NETINET6",
    "NETUNIX", "NEWDB=5.3", "NIS", "NISPLUS", "PIPELINING", "SASLv2", "SCANF", "SOCKETMAP", "STARTTLS",
    "TCPWRAPPERS", "TLS_EC", "TLS_VRFY_PER_CTX", "USERDB", "USE_LDAP_INIT", "XDEBUG"};
const std::vector<const char*> kOsOptions = {
    "ADDRCONFIG_IS_BROKEN", "HASFCHOWN", "HASFCHMOD", "HASFLOCK", "HASGETDTABLESIZE", "HAS_GETHOSTBYNAME2",
    "HASGETUSERSHELL", "HASINITGROUPS", "HASLSTAT", "HASNICE", "HASRANDOM", "HASRRESVPORT", "HASSETREGID",
    "HASSETREUID", "HASSETRLIMIT", "HASSETSID", "HASSETVBUF", "HASURANDOMDEV", "HASSTRERROR", "HASUNAME",
    "HASUNSETENV", "HASWAITPID", "IDENTPROTO", "IP_SRCROUTE", "NEEDSGETIPNODE", "REQUIRES_DIR_FSYNC", "SFS_VFS",
    "USE_DOUBLE_FORK", "USE_SIGLONGJMP", "USESETEUID"};
const std::vector<const char*> kSmOptions = {
    "SM_CONF_LDAP_INITIALIZE", "SM_CONF_LDAP_MEMFREE", "SM_CONF_LONGLONG", "SM_CONF_MEMCHR", "SM_CONF_MSG",
    "SM_CONF_SEM", "SM_CONF_SIGSETJMP", "SM_CONF_SHM", "SM_CONF_SSIZE_T", "SM_CONF_STDBOOL_H",
    "SM_CONF_STDDEF_H", "SM_CONF_SYS_CDEFS_H", "SM_CONF_UID_GID", "DO_NOT_USE_STRCPY", "SM_HEAP_CHECK",
    "SM_OS=sm_os_linux", "SM_VA_STD"};
const std::vector<const char*> kFfrOptions = {
    "_FFR_BADRCPT_SHUTDOWN", "_FFR_MAIL_MACRO", "_FFR_MTA_STS", "_FFR_NO_PIPE", "_FFR_QUEUE_SCHED_DBG",
    "_FFR_REJECT_NUL_BYTE", "_FFR_RESET_MACRO_GLOBALS", "_FFR_RHS", "_FFR_SHM_STATUS", "_FFR_SKIP_DOMAINS",
    "_FFR_TLS_ALTNAMES"};
constexpr unsigned long kOpensslCompiled = 0x300000d0UL;  // OPENSSL_VERSION_NUMBER of the build

// TLS_version_num(): the OpenSSL the binary runs with is the machine's
// libcrypto; ask it, as the binary would. Without one, the build's number.
unsigned long openssl_linked() {
    void* h = dlopen("libcrypto.so.3", RTLD_LAZY | RTLD_LOCAL);
    if (!h) return kOpensslCompiled;
    unsigned long v = kOpensslCompiled;
    if (void* f = dlsym(h, "OpenSSL_version_num")) v = reinterpret_cast<unsigned long (*)()>(f)();
    dlclose(h);
    return v;
}

std::string hex8(unsigned long v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(v));
    return buf;
}

} // namespace

std::vector<std::string> print_options(const std::string& label, const std::vector<const char*>& names) {
    std::vector<std::string> out{label};
    std::size_t ll = 7;
    for (const char* n : names) {
        std::size_t len = std::strlen(n);
        if (ll + len > 63) {
            out.emplace_back();
            ll = 0;
        }
        out.back() += ll == 0 ? "\t\t" : " ";
        out.back() += n;
        ll += len + 1;
    }
    return out;
}

std::vector<std::string> build_info_lines(const DebugLevels& debug) {
    std::vector<std::string> out;
    auto add = [&](const std::vector<std::string>& v) { out.insert(out.end(), v.begin(), v.end()); };
    if (debug[0] >= 1) add(print_options("Version 8.17.1.9\n Compiled with:", kCompileOptions));
    if (debug[0] >= 10) {
        add(print_options("    OS Defines:", kOsOptions));
        out.push_back("Kernel symbols:\t/boot/vmlinux");
        out.push_back("     Conf file:\t/etc/mail/submit.cf (default for MSP)");
        out.push_back("     Conf file:\t/etc/mail/sendmail.cf (default for MTA)");
        out.push_back("      Pid file:\t/var/run/sendmail/mta/sendmail.pid (default)");
    }
    if (debug[0] >= 12) add(print_options(" libsm Defines:", kSmOptions));
    if (debug[0] >= 13) add(print_options("   FFR Defines:", kFfrOptions));
    if (debug[0] >= 14) {
        out.push_back("       OpenSSL: compiled " + hex8(kOpensslCompiled));
        out.push_back("       OpenSSL: linked   " + hex8(openssl_linked()));
    }
    return out;
}

} // namespace cfkit
