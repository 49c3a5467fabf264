#include "tools/cfkit/session_json.hpp"

#include <nlohmann/json.hpp>

namespace cfkit {

namespace {

using nlohmann::json;

struct Builder {
    JsonScript& out;
    std::string error;
    void line(const std::string& l, const std::string& where) {
        out.text += l + "\n";
        out.where.push_back(where);
    }
    // A command's value: a string, or a list of words joined by spaces.
    bool words(const json& v, const std::string& where, std::string& s) {
        if (v.is_string()) {
            s = v.get<std::string>();
            return true;
        }
        if (v.is_number_integer()) {
            s = std::to_string(v.get<long long>());
            return true;
        }
        if (v.is_array()) {
            s.clear();
            for (const json& w : v) {
                std::string one;
                if (!words(w, where, one)) return false;
                s += (s.empty() ? "" : " ") + one;
            }
            return true;
        }
        error = where + ": expected a string or a list of strings";
        return false;
    }
    bool step(const json& st, const std::string& where) {
        if (st.is_string()) {
            std::string l = st.get<std::string>();
            if (l.find('\n') != std::string::npos) {
                error = where + ": a step is one line";
                return false;
            }
            line(l, where);
            return true;
        }
        if (!st.is_object()) {
            error = where + ": a step is a string or an object with one command";
            return false;
        }
        std::string cmd;
        const json* value = nullptr;
        for (auto it = st.begin(); it != st.end(); ++it) {
            if (it.key() == "expect") continue;
            if (value) {
                error = where + ": more than one command (" + cmd + ", " + it.key() + ")";
                return false;
            }
            cmd = it.key();
            value = &it.value();
        }
        if (!value) {
            error = where + ": no command";
            return false;
        }
        if (cmd == "data") {
            if (!value->is_array()) {
                error = where + ".data: expected the message lines as a list of strings";
                return false;
            }
            line("data", where);
            for (std::size_t i = 0; i < value->size(); ++i) {
                const json& l = (*value)[i];
                if (!l.is_string()) {
                    error = where + ".data[" + std::to_string(i) + "]: expected a string";
                    return false;
                }
                std::string s = l.get<std::string>();
                // message text, not wire lines: a leading dot is doubled as
                // the client would send it (and "." does not end the message)
                if (!s.empty() && s[0] == '.') s = "." + s;
                line(s, where + ".data[" + std::to_string(i) + "]");
            }
            line(".", where);
        } else {
            std::string args;
            if (!value->is_null() && !words(*value, where + "." + cmd, args)) return false;
            line(args.empty() ? cmd : cmd + " " + args, where);
        }
        if (st.contains("expect")) {
            const json& e = st["expect"];
            std::vector<json> list = e.is_array() ? e.get<std::vector<json>>() : std::vector<json>{e};
            for (std::size_t i = 0; i < list.size(); ++i) {
                std::string s;
                if (!list[i].is_string() && !list[i].is_number_integer()) {
                    error = where + ".expect: expected a string (\"550\", \"550 5.7.1 text\" or \"/regex/\")";
                    return false;
                }
                s = list[i].is_string() ? list[i].get<std::string>() : std::to_string(list[i].get<long long>());
                line("expect " + s, where + ".expect");
            }
        }
        return true;
    }
};

} // namespace

bool looks_like_json(const std::string& text) {
    std::size_t p = text.find_first_not_of(" \t\r\n");
    return p != std::string::npos && text[p] == '{';
}

bool json_session_script(const std::string& text, JsonScript& out, std::string& error) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        // "byte N": turn it into a line and column
        std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        int line = 1, col = 1;
        for (std::size_t i = 0; i < at && i < text.size(); ++i) {
            if (text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        std::string what = e.what();
        std::size_t colon = what.rfind(": ");
        error = "line " + std::to_string(line) + ", column " + std::to_string(col) + ": " +
                (colon == std::string::npos ? what : what.substr(colon + 2));
        return false;
    }
    if (!doc.is_object()) {
        error = "expected an object with \"connect\" and \"steps\"";
        return false;
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (it.key() != "connect" && it.key() != "dns" && it.key() != "steps") {
            error = "unknown key \"" + it.key() + "\" (connect, dns, steps)";
            return false;
        }
    }
    Builder b{out, ""};
    if (doc.contains("dns")) {
        const json& d = doc["dns"];
        if (!d.is_array()) {
            error = "dns: expected a list of records";
            return false;
        }
        for (std::size_t i = 0; i < d.size(); ++i) {
            std::string rec;
            std::string where = "dns[" + std::to_string(i) + "]";
            if (!b.words(d[i], where, rec)) {
                error = b.error;
                return false;
            }
            b.line("dns " + rec, where);
        }
    }
    // macro/class/map steps may come before connect (they then apply to
    // check_relay): keep the steps' order around "connect"
    const json steps = doc.contains("steps") ? doc["steps"] : json::array();
    if (!steps.is_array()) {
        error = "steps: expected a list";
        return false;
    }
    std::size_t first = 0;
    for (; first < steps.size(); ++first) {
        const json& st = steps[first];
        bool setup = st.is_object() && (st.contains("macro") || st.contains("class") || st.contains("map"));
        if (!setup) break;
        if (!b.step(st, "steps[" + std::to_string(first) + "]")) {
            error = b.error;
            return false;
        }
    }
    if (doc.contains("connect")) {
        const json& c = doc["connect"];
        std::string args;
        if (c.is_object()) {
            if (!c.contains("address") || !c["address"].is_string()) {
                error = "connect: expected \"address\"";
                return false;
            }
            args = c["address"].get<std::string>();
            for (auto it = c.begin(); it != c.end(); ++it) {
                if (it.key() == "address") continue;
                std::string v;
                if (!b.words(it.value(), "connect." + it.key(), v)) {
                    error = b.error;
                    return false;
                }
                args += " " + it.key() + "=" + v;
            }
        } else if (!b.words(c, "connect", args)) {
            error = b.error;
            return false;
        }
        b.line("connect " + args, "connect");
    }
    for (std::size_t i = first; i < steps.size(); ++i) {
        if (!b.step(steps[i], "steps[" + std::to_string(i) + "]")) {
            error = b.error;
            return false;
        }
    }
    return true;
}

} // namespace cfkit
