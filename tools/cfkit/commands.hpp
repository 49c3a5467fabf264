// Subcommands of the cfkit program; each gets argv starting at its name.
#pragma once

namespace cfkit {

int cmd_bench_load(int argc, char** argv);
int cmd_bt(int argc, char** argv);
int cmd_explain(int argc, char** argv);
int cmd_gen(int argc, char** argv);
int cmd_lint(int argc, char** argv);
int cmd_queue(int argc, char** argv);
int cmd_replay(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_session(int argc, char** argv);
int cmd_test(int argc, char** argv);

} // namespace cfkit
