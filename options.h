/* SPDX-License-Identifier: LGPL-2.0-or-later
 * options.h: the command line (argv and --args FD) into a struct plan.
 * Pure code: no syscalls except through the callbacks reading --args and
 * --add-seccomp-fd data, so it can be unit-tested and fuzzed.  Runs in the caller's
 * process before anything else, with the caller's (or, setuid, dropped)
 * privileges. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "plan.h"
#include "utils.h"

#define BWRAP_VERSION_STRING "bubblewrap 0.11.2"

enum options_result
{
  OPTIONS_RUN = 0,       /* a plan to execute */
  OPTIONS_HELP,          /* --help reached: print usage on stdout, exit 0 */
  OPTIONS_VERSION,       /* --version reached: print version, exit 0 */
  OPTIONS_USAGE,         /* no COMMAND: print usage on stderr, exit 1 */
};

/* Reads an --args fd to EOF.  Returns 0 and a malloc'd buffer (NUL
 * appended, *ret_len excluding it) or a negative errno. */
typedef int (*options_read_fd_fn) (int fd, char **ret_data, size_t *ret_len, void *userdata);

/* Takes one --add-seccomp-fd program while parsing, as bubblewrap reads
 * it then: its errors come before those of later options and of the
 * cross-option rules.  Returns 0 or a negative errno with err filled. */
typedef int (*options_add_seccomp_fn) (int fd, void *userdata, struct bwrap_error *err);

struct options_context
{
  options_read_fd_fn read_fd;   /* NULL: --args fails with EBADF */
  void *userdata;
  options_add_seccomp_fn add_seccomp;   /* NULL: the fd is only recorded */
  void *seccomp_userdata;
  bool is_setuid;               /* refuse the options unsafe in setuid mode */
  bool (*labels_supported) (void);      /* --exec-label/--file-label; asked only when
                                         * one is given (NULL: unsupported) */
  uid_t real_uid;               /* for the implicit user namespace and --uid checks */
  gid_t real_gid;
};

/* Parse argv[1..argc-1] into plan (initialised by the caller with
 * plan_init).  Returns an options_result >= 0, or a negative errno with err
 * filled with bubblewrap's message (without "bwrap: ").  plan->level_prefix
 * is valid on return either way, so the caller can tag the message.  The
 * plan owns copies of every string it keeps. */
int options_parse (int argc, char **argv, const struct options_context *ctx,
                   struct plan *plan, struct bwrap_error *err);

/* Cross-option rules, in bubblewrap's order (BWRAP-REFERENCE 11), and the
 * implicit user namespace for unprivileged callers; fills uid/gid defaults.
 * Returns OPTIONS_RUN, OPTIONS_USAGE (no COMMAND) or a negative errno with
 * err filled. */
int options_validate (struct plan *plan, const struct options_context *ctx,
                      struct bwrap_error *err);

/* The usage text, "usage: <argv0> [OPTIONS...] [--] COMMAND [ARGS...]" and
 * one line per option. */
void options_print_usage (FILE *out, const char *argv0);
