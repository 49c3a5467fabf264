// Test-only: a queue directory in a fresh temporary directory, with files
// written from strings, removed at the end of the test.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace cfkit::queue::testing {

class TempQueue {
public:
    TempQueue() {
        const char* t = std::getenv("TMPDIR");
        std::string tmpl = std::string(t && *t ? t : "/tmp") + "/cfkit-queue-test.XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data())) root_ = buf.data();
    }
    ~TempQueue() { remove_all(root_); }
    TempQueue(const TempQueue&) = delete;
    TempQueue& operator=(const TempQueue&) = delete;

    const std::string& root() const { return root_; }
    std::string path(const std::string& rel) const { return root_ + "/" + rel; }
    void mkdir(const std::string& rel) const { ::mkdir(path(rel).c_str(), 0700); }
    void write(const std::string& rel, const std::string& text, time_t mtime = 0) const {
        std::ofstream(path(rel), std::ios::binary) << text;
        if (mtime) {
            struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
            ::utimensat(AT_FDCWD, path(rel).c_str(), ts, 0);
        }
    }
    bool exists(const std::string& rel) const {
        struct stat st;
        return ::lstat(path(rel).c_str(), &st) == 0;
    }
    std::string read(const std::string& rel) const {
        std::ifstream in(path(rel), std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }

private:
    static void remove_all(const std::string& p) {
        if (p.empty()) return;
        if (DIR* d = ::opendir(p.c_str())) {
            while (struct dirent* e = ::readdir(d)) {
                std::string n = e->d_name;
                if (n == "." || n == "..") continue;
                struct stat st;
                std::string c = p + "/" + n;
                if (::lstat(c.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) remove_all(c);
                else ::unlink(c.c_str());
            }
            ::closedir(d);
        }
        ::rmdir(p.c_str());
    }
    std::string root_;
};

// A version 8 control file as queueup() writes it.
inline std::string qf_text(const std::string& sender, const std::vector<std::string>& rcpts, long long t = 1700000000,
                           long long pri = 30100, const std::string& extra_before_s = "") {
    std::string s = "V8\nT" + std::to_string(t) + "\nK0\nN0\nP" + std::to_string(pri) + "\n" + extra_before_s +
                    "S" + sender + "\n";
    for (const std::string& r : rcpts) s += "RPFD:" + r + "\n";
    s += "H??Subject: test\n.\n";
    return s;
}

}  // namespace cfkit::queue::testing
