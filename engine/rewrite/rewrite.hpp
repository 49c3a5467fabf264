// The interpreter: sendmail's rewrite() and callsubr() (parseaddr.c) over a
// compiled Config. Status values are sysexits codes as sendmail returns them.
#pragma once

#include "engine/rewrite/session.hpp"
#include "engine/text/token_pool.hpp"
#include "engine/text/tokenizer.hpp"

namespace cfkit {

// Runs ruleset `rs` on `ws` in place. reclevel 0 and maxatom MAXATOM at top level.
// `in_prescan_array`: `ws` lives in the session's prescan array, as a -bt
// address does in sendmail (see Session::prescan_array).
int rewrite(Session& s, IdTokens& ws, int rs, int reclevel = 0, int maxatom = limits::kMaxAtom,
            bool in_prescan_array = false);
// The same on token texts (interned on the way in); never in the prescan array.
int rewrite(Session& s, Tokens& ws, int rs, int reclevel = 0, int maxatom = limits::kMaxAtom);

} // namespace cfkit
