// Small text and process helpers shared by the compiler and the maps:
// sendmail splits words and runs programs (F|prog, program maps) the same
// way in several places, so cfkit does it in one.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace cfkit {

// Words separated by ASCII white space (SM_ISSPACE), or by blanks and TABs
// only when `blank_tab_only` (strtok(" \t") in prog_open callers).
std::vector<std::string> split_words(std::string_view s, bool blank_tab_only = false);

// shortenstring(): a long text cut in the middle ("abc...xyz"), as
// sendmail shortens addresses in replies and map keys in messages.
std::string shorten(const std::string& s, std::size_t max);

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);

// Starts argv[0] (no shell) with its standard output on a pipe.
// Returns the read end, or -1; `pid` receives the child (or -1). When the
// exec fails the child exits as prog_open()'s does: 71 for a transient
// error, else 78.
int spawn_reader(const std::vector<std::string>& argv, int& pid);

// arpadate(): `t` as sendmail on Linux writes dates ($b, Date:): "Tue, 1
// Dec 2026 04:35:09 +0100", or "... GMT" when local time is UTC.
std::string arpadate(std::time_t t);

// assign_queueid(): the queue id sendmail gives an envelope ($i), from the
// time (UTC), a sequence number (0-3599; sendmail starts at a random one)
// and the process id: "6B18LQ2M032361".
std::string queue_id(std::time_t t, unsigned seq, long pid);

// sendmail's sm_inet6_ntop(): an IPv6 address with all eight groups in
// hex ("2001:db8:0:0:0:0:0:1"); of a text, the text itself if it is none.
std::string full_ipv6(const unsigned char addr[16]);
std::string full_ipv6(const std::string& text);

// anynet_ntoa(): a client's address as sendmail writes it ({client_addr},
// check_relay's second argument): IPv4 as it is; IPv6 tagged "IPv6:",
// compressed ("IPv6:2001:db8::5") unless UseCompressedIPv6Addresses is
// off; a v4-mapped IPv6 address as its IPv4 address.
std::string anynet_ntoa(const std::string& addr, bool compressed = true);
// anynet_ntop(): the same of an IPv6 address's 16 bytes.
std::string anynet_ntop(const unsigned char addr[16], bool compressed);

// The labels of an address's reverse name, without the ".in-addr.arpa" or
// ".ip6.arpa": "4.3.2.1" of 1.2.3.4, and 32 nibbles, lowest first, of an
// IPv6 address (the `arpa` map's answers).
std::string reverse_labels_v4(const unsigned char addr[4]);
std::string reverse_labels_v6(const unsigned char addr[16]);

// Waits for a child started by spawn_reader; returns its exit status, or
// -1 if it did not exit normally.
int wait_child(int pid);

} // namespace cfkit
