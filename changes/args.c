/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/args.c: parsing bwrap-changes' command line (changes/args.h).
 * Pure; runs in bwrap-changes' process. */
#include "args.h"

#include <string.h>

#include "text.h"

const char changes_usage[] =
  "usage: bwrap-changes COMMAND [OPTIONS] UPPER TARGET [PATH...]\n"
  "       bwrap-changes clean UPPER [WORKDIR]\n"
  "\n"
  "What a sandbox wrote through\n"
  "    bwrap --overlay-src TARGET --overlay UPPER WORKDIR DEST ...\n"
  "compared with TARGET.  PATH... (relative to TARGET) restricts a command\n"
  "to those paths and what lies below them.\n"
  "\n"
  "Commands:\n"
  "    status           One line per change: A added, M modified, D deleted, T type changed\n"
  "    diff             A unified diff (a/PATH, b/PATH) that patch -p1 applies to TARGET\n"
  "    apply            Make TARGET match what the sandbox saw\n"
  "    clean            Remove UPPER and WORKDIR, also the parts you may not write\n"
  "\n"
  "Options:\n"
  "    --json           status, apply: One JSON object per line\n"
  "    -z               status, apply: \"X PATH\" lines ending in NUL, PATH unquoted\n"
  "    --exit-code      status, diff: Exit status 1 when there are changes, 2 on errors\n"
  "    --times          status, apply: A new modification time alone is a change\n"
  "    --dry-run        apply: Print what would be done, change nothing\n"
  "    --allow-special  apply: Also make device nodes and setuid or setgid entries\n"
  "    --help           Print this text\n"
  "    --version        Print the version\n";

/* Which command takes which option. */
struct option_row
{
  const char *name;
  unsigned commands;   /* 1 << enum changes_command */
};

#define ON(c) (1u << (c))

static const struct option_row option_rows[] = {
  { "--json", ON (COMMAND_STATUS) | ON (COMMAND_APPLY) },
  { "-z", ON (COMMAND_STATUS) | ON (COMMAND_APPLY) },
  { "--exit-code", ON (COMMAND_STATUS) | ON (COMMAND_DIFF) },
  { "--times", ON (COMMAND_STATUS) | ON (COMMAND_APPLY) },
  { "--dry-run", ON (COMMAND_APPLY) },
  { "--allow-special", ON (COMMAND_APPLY) },
};

static const char *const command_names[] = {
  [COMMAND_STATUS] = "status", [COMMAND_DIFF] = "diff",
  [COMMAND_APPLY] = "apply", [COMMAND_CLEAN] = "clean",
};

static int
set_option (struct changes_args *a, const char *opt, const char *cmd, struct bwrap_error *err)
{
  for (size_t i = 0; i < N_ELEMENTS (option_rows); i++)
    {
      if (strcmp (opt, option_rows[i].name) != 0)
        continue;
      if (!(option_rows[i].commands & ON (a->command)))
        return bwrap_error_set (err, 0, "%s: %s is not an option of %s", cmd, opt, cmd);
      if (strcmp (opt, "--json") == 0 || strcmp (opt, "-z") == 0)
        {
          enum report_format f = opt[1] == 'z' ? REPORT_NUL : REPORT_JSON;
          if (a->format != REPORT_TEXT && a->format != f)
            return bwrap_error_set (err, 0, "%s: --json and -z exclude each other", cmd);
          a->format = f;
        }
      else if (strcmp (opt, "--exit-code") == 0)
        a->exit_code = true;
      else if (strcmp (opt, "--times") == 0)
        a->times = true;
      else if (strcmp (opt, "--dry-run") == 0)
        a->dry_run = true;
      else
        a->allow_special = true;
      return 0;
    }
  return bwrap_error_set (err, 0, "%s: unknown option %s", cmd, opt);
}

int
changes_args_parse (int argc, char *const *argv, struct changes_args *a, struct bwrap_error *err)
{
  size_t n_pos = 0;
  const char *cmd;
  bool options_done = false;
  int i;

  *a = (struct changes_args) { .format = REPORT_TEXT };
  if (argc < 2)
    return bwrap_error_set (err, 0, "no COMMAND given (status, diff, apply or clean; see --help)");
  cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0)
    {
      a->command = COMMAND_HELP;
      return 0;
    }
  if (strcmp (cmd, "--version") == 0)
    {
      a->command = COMMAND_VERSION;
      return 0;
    }
  for (a->command = COMMAND_STATUS; a->command <= COMMAND_CLEAN; a->command++)
    if (strcmp (cmd, command_names[a->command]) == 0)
      break;
  if (a->command > COMMAND_CLEAN)
    {
      cleanup_free char *q = text_quoted (cmd);
      return bwrap_error_set (err, 0, "unknown command %s (status, diff, apply or clean; see --help)", q);
    }

  a->positional = xcalloc (argc, sizeof (char *));
  for (i = 2; i < argc; i++)
    {
      const char *arg = argv[i];
      if (!options_done && strcmp (arg, "--") == 0)
        options_done = true;
      else if (!options_done && arg[0] == '-' && arg[1] != '\0')
        {
          if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
            {
              a->command = COMMAND_HELP;
              return 0;
            }
          if (set_option (a, arg, cmd, err) < 0)
            return -EINVAL;
        }
      else
        a->positional[n_pos++] = argv[i];
    }
  if (a->command == COMMAND_CLEAN ? (n_pos < 1 || n_pos > 2) : n_pos < 2)
    return bwrap_error_set (err, 0, a->command == COMMAND_CLEAN
                            ? "%s: takes UPPER and, optionally, WORKDIR"
                            : "%s: UPPER and TARGET are required", cmd);
  a->upper = a->positional[0];
  a->target = a->positional[1];   /* NULL for clean without WORKDIR */
  a->paths = a->positional + 2;
  a->n_paths = a->command == COMMAND_CLEAN ? 0 : n_pos - 2;
  return 0;
}

void
changes_args_free (struct changes_args *a)
{
  free (a->positional);
  a->positional = NULL;
}
