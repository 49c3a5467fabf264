// A progress line on standard error for long work, shown only when both
// standard output and standard error are a terminal (so pipes, files and
// golden tests never see it), redrawn at most ten times a second and
// erased at the end.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace cfkit {

class Progress {
public:
    Progress(std::string label, long total = 0)
        : label_(std::move(label)), total_(total), on_(::isatty(1) && ::isatty(2)) {}
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    void tick(long n = 1) {
        done_ += n;
        if (!on_) return;
        auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        shown_ = true;
        if (total_ > 0) {
            const int width = 30;
            int fill = static_cast<int>(width * done_ / total_);
            if (fill > width) fill = width;
            std::fprintf(stderr, "\r%s [%s%s] %ld/%ld", label_.c_str(), std::string(fill, '#').c_str(),
                         std::string(width - fill, '.').c_str(), done_, total_);
        } else {
            std::fprintf(stderr, "\r%s %ld", label_.c_str(), done_);
        }
        std::fflush(stderr);
    }
    void finish() {
        if (shown_) std::fprintf(stderr, "\r\033[K");
        shown_ = false;
    }

private:
    std::string label_;
    long total_ = 0, done_ = 0;
    bool on_ = false, shown_ = false;
    std::chrono::steady_clock::time_point last_{};
};

}  // namespace cfkit
