// sendmail's file-safety checks (libsmutil's safefile() and safedirpath())
// and the DontBlameSendmail option that relaxes them. Sendmail refuses a
// map, class or help file when a directory on its path can be written by
// others (/tmp included: the sticky bit counts only with TrustStickyBit),
// when the file is a link in such a directory, or when the user it runs as
// could not read it; it says why with these errors' texts.
#pragma once

#include <bitset>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cfkit {

// DontBlameSendmail's words and their bit numbers (conf.c's table).
namespace dbs {
enum Bit : int {
    Safe = 0,
    GroupWritableDirPathSafe = 2,
    MapInUnsafeDirPath = 8,
    LinkedClassFileInWritableDir = 10,
    LinkedMapInWritableDir = 13,
    LinkedServiceSwitchFileInWritableDir = 14,
    ClassFileInUnsafeDirPath = 23,
    HelpFileInUnsafeDirPath = 25,
    TrustStickyBit = 32,
};
constexpr int kCount = 43;
} // namespace dbs
using DontBlame = std::bitset<dbs::kCount>;

// setoption(DontBlameSendmail): the words of `value` (separated by blanks or
// punctuation, case-insensitive) set their bits in `bits`; `safe` clears
// every bit set so far. Returns the words it does not know.
std::vector<std::string> apply_dont_blame(const std::string& value, DontBlame& bits);

// safefile()'s flags (sendmail.h's SFF_ values).
namespace sff {
constexpr unsigned MustOwn = 0x1, NoGrFiles = 0x8000, NoWrFiles = 0x10000;
constexpr unsigned NoSlink = 0x2, RootOk = 0x4, NoPathCheck = 0x10, RegOnly = 0x80, SafeDirPath = 0x100,
                   NoHlink = 0x200, NoWlink = 0x400, NoGwFiles = 0x800, NoWwFiles = 0x1000, OpenAsRoot = 0x2000,
                   NoLock = 0x4000;
} // namespace sff

// Who the check is made for: in test mode the real user, whom sendmail
// also runs as; the process's effective uid decides whether directories'
// search bits are left to the system.
struct FileUser {
    uid_t uid = 0;
    gid_t gid = 0;
    std::string name;  // for group membership ("root")
    uid_t real_uid = 0;
    uid_t euid = 0;
    static FileUser current();  // this process
    static FileUser root();     // the daemon, which runs as root
};

// The pseudo-errors of sm_errstring() (above every errno value).
namespace sm_err {
constexpr int Base = 0x10000;
constexpr int NoSlink = Base + 1, NoHlink = Base + 2, RegOnly = Base + 3, IsExec = Base + 4, WwDir = Base + 5,
              GwDir = Base + 6, WwFile = Base + 8, GwFile = Base + 9, GrFile = Base + 10, WrFile = Base + 11;
} // namespace sm_err

// sm_errstring(): "World writable directory", or strerror().
std::string sm_errstring(int err);

struct SafeCheck {
    int error = 0;       // 0: safe; an errno value or an sm_err code
    int errno_left = 0;  // errno as safefile() leaves it (some messages add its text)
    // "WARNING: World writable directory /x", in path order: directories
    // sendmail let pass because a DontBlameSendmail word allowed it (only
    // when `warn`: sendmail prints them at Verbose 2).
    std::vector<std::string> warnings;
};

// safefile(path, user, flags) for reading, with the bits of DontBlameSendmail.
SafeCheck safefile(const std::string& path, const FileUser& user, unsigned flags, const DontBlame& dont_blame,
                   bool warn);

// From now on, safefile() answers the same question the same way for the
// rest of the process, without looking at the files again: for commands
// that run many sessions on files that do not change meanwhile (cfkit test,
// replay). Sendmail checks at each open; with the files unchanged the
// answers are the same. Off by default (tests change modes between checks).
void remember_file_checks(bool on);
bool remembering_file_checks();

// The flags sendmail uses for a map file opened for reading (hash, btree,
// text, an alias file) and for an `F` class file, with the
// DontBlameSendmail words that drop some of them.
unsigned map_file_flags(const DontBlame& dont_blame);
unsigned class_file_flags(const DontBlame& dont_blame, uid_t real_uid);
unsigned help_file_flags(const DontBlame& dont_blame);
// inittls()'s flags for the server's certificate, key and CA file: no
// links in writable directories, not writable by others, owned by root or
// the user; the key also unreadable by others (and by its group, unless
// GroupReadableKeyFile).
unsigned tls_file_flags(const DontBlame& dont_blame, bool key);

// The warnings sendmail prints (at Verbose 2) when it reads the
// ServiceSwitchFile `path`: one line for each world- or group-writable
// directory on its way. A file that fails the checks is silently not used.
std::vector<std::string> switch_file_warnings(const std::string& path, const DontBlame& dont_blame);

} // namespace cfkit
