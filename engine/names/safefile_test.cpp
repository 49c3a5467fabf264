// DontBlameSendmail's words and safefile()'s answers that do not depend on
// who runs the test. The directory walk is checked against the real
// sendmail by the difftest suite testcases/diff/safety.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "engine/names/safefile.hpp"

namespace cfkit {
namespace {

TEST_CASE("apply_dont_blame: words, separators, safe, unknown words") {
    struct Row {
        const char* value;
        std::vector<int> bits;
        std::vector<std::string> unknown;
    } rows[] = {
        {"MapInUnsafeDirPath", {dbs::MapInUnsafeDirPath}, {}},
        {"mapinunsafedirpath,ClassFileInUnsafeDirPath", {dbs::MapInUnsafeDirPath, dbs::ClassFileInUnsafeDirPath}, {}},
        {"MAPINUNSAFEDIRPATH;;TrustStickyBit", {dbs::MapInUnsafeDirPath, dbs::TrustStickyBit}, {}},
        {"Bogus, groupwritabledirpathsafe", {dbs::GroupWritableDirPathSafe}, {"Bogus"}},
        {"group-writable-dir", {}, {"group", "writable", "dir"}},
        {"MapInUnsafeDirPath safe", {}, {}},  // safe clears what came before
        {"safe, TrustStickyBit", {dbs::TrustStickyBit}, {}},
        {"GroupReadableDefaultAuthInfoFile", {42}, {}},
        {"", {}, {}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.value);
        DontBlame bits;
        CHECK(apply_dont_blame(r.value, bits) == r.unknown);
        DontBlame want;
        for (int b : r.bits) want.set(static_cast<std::size_t>(b));
        CHECK(bits.to_string() == want.to_string());
    }
}

TEST_CASE("safefile: a missing file, a directory where a file should be") {
    char tmpl[] = "/tmp/cfkit-safefile-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    REQUIRE(chmod(dir.c_str(), 0755) == 0);
    REQUIRE(mkdir((dir + "/sub").c_str(), 0755) == 0);
    FileUser user = FileUser::current();
    DontBlame none;
    // /tmp is world-writable: for root the walk stops there; TrustStickyBit passes it
    DontBlame sticky;
    sticky.set(dbs::TrustStickyBit);
    SafeCheck missing = safefile(dir + "/nofile", user, map_file_flags(sticky), sticky, false);
    CHECK(missing.error == ENOENT);
    CHECK(missing.errno_left == 0);  // a missing file in a safe directory leaves errno clear
    SafeCheck isdir = safefile(dir + "/sub", user, map_file_flags(sticky), sticky, false);
    CHECK(isdir.error == sm_err::RegOnly);
    CHECK(sm_errstring(isdir.error) == "Regular files only");
    if (user.uid == 0) {
        SafeCheck in_tmp = safefile(dir + "/sub", user, map_file_flags(none), none, false);
        CHECK(in_tmp.error == sm_err::WwDir);
        CHECK(sm_errstring(in_tmp.error) == "World writable directory");
    }
    rmdir((dir + "/sub").c_str());
    rmdir(dir.c_str());
}

TEST_CASE("safefile: remembered answers stay as they were until remembering stops") {
    char tmpl[] = "/tmp/cfkit-safefile-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    REQUIRE(chmod(dir.c_str(), 0755) == 0);
    const std::string file = dir + "/later";
    FileUser user = FileUser::current();
    DontBlame sticky;
    sticky.set(dbs::TrustStickyBit);
    const unsigned flags = map_file_flags(sticky);
    CHECK_FALSE(remembering_file_checks());
    remember_file_checks(true);
    CHECK(safefile(file, user, flags, sticky, false).error == ENOENT);
    REQUIRE(mkdir(file.c_str(), 0755) == 0);  // now there, but not a file
    CHECK(safefile(file, user, flags, sticky, false).error == ENOENT);  // the remembered answer
    remember_file_checks(false);
    CHECK(safefile(file, user, flags, sticky, false).error == sm_err::RegOnly);
    rmdir(file.c_str());
    rmdir(dir.c_str());
}

} // namespace
} // namespace cfkit
