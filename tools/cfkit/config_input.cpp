#include "tools/cfkit/config_input.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "engine/config/compile.hpp"
#include "grammar/cf_parser.hpp"

namespace cfkit {

namespace {

bool ends_with(const std::string& s, const char* tail) {
    std::size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
}

// Runs argv, returns its exit status and its stdout/stderr.
int run(const std::vector<std::string>& argv, std::string& out, std::string& err) {
    int o[2], e[2];
    if (pipe(o) != 0) return -1;
    if (pipe(e) != 0) {
        close(o[0]);
        close(o[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(o[1], 1);
        dup2(e[1], 2);
        close(o[0]);
        close(o[1]);
        close(e[0]);
        close(e[1]);
        std::vector<char*> a;
        for (const std::string& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        execvp(a[0], a.data());
        _exit(127);
    }
    close(o[1]);
    close(e[1]);
    // m4's error output is small: read stdout fully, then stderr
    char buf[65536];
    ssize_t n;
    while ((n = read(o[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    while ((n = read(e[0], buf, sizeof buf)) > 0) err.append(buf, static_cast<std::size_t>(n));
    close(o[0]);
    close(e[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

} // namespace

namespace {
// stat(): `path` exists and is a plain file; else `error` says why.
bool plain_file(const std::string& path, std::string& error) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        error = path + ": " + std::strerror(errno);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        error = path + ": not a plain file";
        return false;
    }
    return true;
}
} // namespace

std::optional<std::string> read_text_file(const std::string& path, std::string& error) {
    // plain open/fstat/read(2): cfkit test reads thousands of small files.
    // O_NONBLOCK so that opening a FIFO does not wait before fstat turns it away.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        error = path + ": not a plain file";
        ::close(fd);
        return std::nullopt;
    }
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size));
    char buf[16384];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) != 0) {
        if (n > 0) {
            text.append(buf, static_cast<std::size_t>(n));
        } else if (errno != EINTR) {
            error = path + ": " + std::strerror(errno);
            ::close(fd);
            return std::nullopt;
        }
    }
    ::close(fd);
    return text;
}

std::optional<ConfigText> read_config(const std::string& path, const std::string& cf_dir, std::string& error) {
    if (!ends_with(path, ".mc")) {
        std::optional<std::string> text = read_text_file(path, error);
        if (!text) return std::nullopt;
        return ConfigText{std::move(*text), false};
    }
    if (!plain_file(path, error)) return std::nullopt;
    return expand_mc(path, path, cf_dir, error);
}

std::optional<ConfigText> expand_mc(const std::string& path, const std::string& file, const std::string& cf_dir,
                                    std::string& error) {
    struct stat st {};
    std::string cf_m4 = cf_dir + "/m4/cf.m4";
    if (stat(cf_m4.c_str(), &st) != 0) {
        error = path + ": expanding a .mc file needs sendmail-cf's m4 macros, and " + cf_m4 +
                " is missing: install Debian's sendmail-cf package, or point --cf-dir at its cf directory";
        return std::nullopt;
    }
    std::string out, err;
    int rc = run({"m4", "-D_CF_DIR_=" + cf_dir + "/", cf_m4, file}, out, err);
    if (rc == 127) {
        error = path + ": expanding a .mc file needs GNU m4: install Debian's m4 package";
        return std::nullopt;
    }
    if (rc != 0) {
        error = path + ": m4 failed (exit " + std::to_string(rc) + "): " + err;
        return std::nullopt;
    }
    ConfigText t;
    t.content = out;
    t.from_mc = true;
    return t;
}

std::optional<std::string> write_temp_file(const std::string& prefix, const std::string& text, std::string& error) {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/" + prefix + "-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) {
        error = "cannot make a temporary file: " + std::string(std::strerror(errno));
        return std::nullopt;
    }
    bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    int saved = errno;
    close(fd);
    if (!ok) {
        unlink(name.data());
        error = "cannot write a temporary file: " + std::string(std::strerror(saved));
        return std::nullopt;
    }
    return std::string(name.data());
}

std::optional<ConfigText> expand_mc_text(const std::string& path, const std::string& text, const std::string& cf_dir,
                                         std::string& error) {
    std::optional<std::string> file = write_temp_file("cfkit-mc", text, error);
    if (!file) {
        error = path + ": " + error;
        return std::nullopt;
    }
    std::optional<ConfigText> t = expand_mc(path, *file, cf_dir, error);
    unlink(file->c_str());
    return t;
}

std::unique_ptr<Config> compile_config(const ConfigText& text, const std::string& path, const ProbeOptions& probe,
                                       Reporter& load) {
    CompileOptions co;
    co.host = probe_host(probe);
    co.display_path = path;
    co.test_mode = false;
    return compile_cf(parse_cf(text.content, path), co, load);
}

std::unique_ptr<Config> load_config(const std::string& path, const std::string& cf_dir, const ProbeOptions& probe,
                                    Reporter& load, const char* who) {
    std::string error;
    std::optional<ConfigText> text = read_config(path, cf_dir, error);
    if (!text) {
        std::fprintf(stderr, "%s: %s\n", who, error.c_str());
        return nullptr;
    }
    return compile_config(*text, path, probe, load);
}

} // namespace cfkit
