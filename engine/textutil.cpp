#include "engine/textutil.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "grammar/comments.hpp"

namespace cfkit {

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
        _exit(69);  // EX_UNAVAILABLE
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

} // namespace cfkit
