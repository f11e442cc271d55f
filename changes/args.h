/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/args.h: bwrap-changes' command line:
 *   bwrap-changes COMMAND [OPTIONS] UPPER TARGET [PATH...]
 *   bwrap-changes clean UPPER [WORKDIR]
 * Pure (no system call): parsing fills a struct or an error, main()
 * acts.  Runs in bwrap-changes' process. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "utils.h"

enum changes_command
{
  COMMAND_STATUS,
  COMMAND_DIFF,
  COMMAND_APPLY,
  COMMAND_CLEAN,
  COMMAND_HELP,
  COMMAND_VERSION,
};

struct changes_args
{
  enum changes_command command;
  enum report_format format;   /* status, apply: --json, -z */
  bool exit_code;              /* status, diff: --exit-code */
  bool times;                  /* status, apply: --times */
  bool dry_run;                /* apply: --dry-run */
  bool allow_special;          /* apply: --allow-special */
  const char *upper;           /* UPPER */
  const char *target;          /* TARGET; clean: WORKDIR or NULL */
  char *const *paths;          /* PATH... */
  size_t n_paths;
  char **positional;           /* owned: UPPER, TARGET, PATH... in order */
};

/* Parse argv (argv[0] is the program).  0, or -EINVAL with err filled
 * with the one-line reason. */
int changes_args_parse (int argc, char *const *argv, struct changes_args *ret,
                        struct bwrap_error *err);

void changes_args_free (struct changes_args *a);

/* The --help text. */
extern const char changes_usage[];
