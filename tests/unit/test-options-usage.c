/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options-usage.c: the option list: every option of bubblewrap 0.11
 * is known to options_parse, and options_print_usage lists them all, in
 * --help order, in bubblewrap's layout.  Uses options-fixture.h.  No
 * privileges. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options-fixture.h"
#include "unit-main.h"

/* Every option of bubblewrap 0.11, in --help order. */
static const char *const all_options[] = {
  "--help", "--version", "--args", "--argv0", "--level-prefix", "--unshare-all",
  "--share-net", "--unshare-user", "--unshare-user-try", "--unshare-ipc", "--unshare-pid",
  "--unshare-net", "--unshare-uts", "--unshare-cgroup", "--unshare-cgroup-try", "--userns",
  "--userns2", "--disable-userns", "--assert-userns-disabled", "--pidns", "--uid", "--gid",
  "--hostname", "--chdir", "--clearenv", "--setenv", "--unsetenv", "--lock-file",
  "--sync-fd", "--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--ro-bind",
  "--ro-bind-try", "--bind-fd", "--ro-bind-fd", "--remount-ro", "--overlay-src",
  "--overlay", "--tmp-overlay", "--ro-overlay", "--exec-label", "--file-label", "--proc",
  "--dev", "--tmpfs", "--mqueue", "--dir", "--file", "--bind-data", "--ro-bind-data",
  "--symlink", "--seccomp", "--add-seccomp-fd", "--block-fd", "--userns-block-fd",
  "--info-fd", "--json-status-fd", "--new-session", "--die-with-parent", "--as-pid-1",
  "--cap-add", "--cap-drop", "--perms", "--size", "--chmod",
};

START_TEST (test_every_option_is_known)
{
  for (size_t i = 0; i < N_ELEMENTS (all_options); i++)
    {
      PARSE (all_options[i], "1", "2", "3", "cmd");
      if (rc < 0)
        ck_assert_msg (strncmp (err.message, "Unknown option", 14) != 0, "%s", err.message);
    }
}
END_TEST

/* ---- Usage text ----------------------------------------------------------- */

START_TEST (test_usage_text)
{
  char *text = NULL, *line, *save = NULL;
  size_t size = 0, n_options = 0;
  FILE *f = open_memstream (&text, &size);
  const char *header = "usage: /x/bwrap [OPTIONS...] [--] COMMAND [ARGS...]\n\n";
  bool after_overlay = false;

  ck_assert_ptr_nonnull (f);
  options_print_usage (f, "/x/bwrap");
  ck_assert_int_eq (fclose (f), 0);
  ck_assert_int_eq (strncmp (text, header, strlen (header)), 0);

  for (line = strtok_r (text + strlen (header), "\n", &save); line != NULL;
       line = strtok_r (NULL, "\n", &save))
    {
      size_t len = strlen (line), name_len;

      /* Description starts in column 33 on every line. */
      ck_assert_msg (len > 33 && line[32] == ' ' && line[33] != ' ', "bad line: %s", line);
      if (strncmp (line, "    --", 6) != 0)
        {
          /* Only --overlay's description continues on a second line. */
          ck_assert_msg (after_overlay && strspn (line, " ") == 33, "bad line: %s", line);
          after_overlay = false;
          continue;
        }
      ck_assert_uint_lt (n_options, N_ELEMENTS (all_options));
      name_len = strlen (all_options[n_options]);
      ck_assert_msg (strncmp (line + 4, all_options[n_options], name_len) == 0
                     && line[4 + name_len] == ' ', "expected %s: %s", all_options[n_options], line);
      after_overlay = strcmp (all_options[n_options], "--overlay") == 0;
      n_options++;
    }
  ck_assert_uint_eq (n_options, N_ELEMENTS (all_options));
  ck_assert (!after_overlay);
  free (text);
}
END_TEST

START_TEST (test_usage_metavariables)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&text, &size);

  options_print_usage (f, "bwrap");
  fclose (f);
  ck_assert_ptr_nonnull (strstr (text, "\n    --overlay RWSRC WORKDIR DEST Mount overlayfs"));
  ck_assert_ptr_nonnull (strstr (text, "\n    --bind SRC DEST              Bind mount"));
  ck_assert_ptr_nonnull (strstr (text, "\n    --help                       Print this help\n"));
  ck_assert_ptr_nonnull (strstr (text, "\n    --chmod OCTAL PATH           "));
  free (text);
}
END_TEST

/* Descriptions as bubblewrap 0.11.1 words them; --size names the
 * --tmp-overlay it also accepts (README, "Differences"). */
START_TEST (test_usage_descriptions)
{
  static const char *const lines[] = {
    "\n    --argv0 VALUE                Set argv[0] to the value VALUE before running the program\n",
    "\n    --size BYTES                 Set size of next argument (only for --tmpfs and --tmp-overlay)\n",
    "\n    --userns-block-fd FD         Block on FD until the user namespace is ready\n",
    "\n    --die-with-parent            Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's parent dies.\n",
  };
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&text, &size);

  options_print_usage (f, "bwrap");
  fclose (f);
  for (size_t i = 0; i < N_ELEMENTS (lines); i++)
    ck_assert_msg (strstr (text, lines[i]) != NULL, "missing:%s", lines[i]);
  free (text);
}
END_TEST

/* ---- Every listed option takes exactly the arguments it lists ---------- */

static bool
labels_yes (void)
{
  return true;
}

/* A plausible value for a metavariable of the usage text. */
static const char *
metavalue (const char *meta)
{
  static const struct { const char *meta, *value; } values[] = {
    { "FD", "9" }, { "UID", "1000" }, { "GID", "1000" }, { "OCTAL", "0755" },
    { "BYTES", "4096" }, { "CAP", "CAP_CHOWN" }, { "VAR", "VAR" }, { "VALUE", "value" },
    { "NAME", "host" }, { "LABEL", "system_u:object_r:tmp_t:s0" },
  };
  for (size_t i = 0; i < N_ELEMENTS (values); i++)
    if (strcmp (meta, values[i].meta) == 0)
      return values[i].value;
  return "/path";   /* SRC, DEST, DIR, PATH, RWSRC, WORKDIR */
}

/* For each option line of options_print_usage: the option with one value
 * per metavariable, in the context it needs (layers before an overlay, an
 * op after --perms, --size or --overlay-src), then --version.  --version
 * is only reached when every word before it was consumed with the right
 * arity.  (test-basic.sh and test-clients.sh did this through the
 * binary, one process per option.) */
START_TEST (test_every_listed_option_takes_its_metavariables)
{
  char *text = NULL, *line, *save = NULL;
  size_t size = 0, n_checked = 0;
  FILE *f = open_memstream (&text, &size);

  ck_assert_ptr_nonnull (f);
  options_print_usage (f, "bwrap");
  ck_assert_int_eq (fclose (f), 0);
  ctx.labels_supported = labels_yes;
  for (line = strtok_r (text, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      char head[40], *word, *save_word = NULL, *opt;
      const char *argv[16] = { "bwrap" };
      size_t n = 1;

      if (strncmp (line, "    --", 6) != 0)
        continue;
      snprintf (head, sizeof head, "%.29s", line + 4);   /* up to column 33 */
      opt = strtok_r (head, " ", &save_word);
      if (strcmp (opt, "--help") == 0 || strcmp (opt, "--version") == 0)
        continue;
      if (strcmp (opt, "--overlay") == 0 || strcmp (opt, "--tmp-overlay") == 0)
        {
          argv[n++] = "--overlay-src";
          argv[n++] = "/l1";
        }
      if (strcmp (opt, "--ro-overlay") == 0)
        {
          argv[n++] = "--overlay-src";
          argv[n++] = "/l1";
          argv[n++] = "--overlay-src";
          argv[n++] = "/l2";
        }
      argv[n++] = opt;
      while ((word = strtok_r (NULL, " ", &save_word)) != NULL)
        argv[n++] = metavalue (word);
      if (strcmp (opt, "--overlay-src") == 0)
        {
          argv[n++] = "--tmp-overlay";
          argv[n++] = "/m";
        }
      else if (strcmp (opt, "--perms") == 0)
        {
          argv[n++] = "--dir";
          argv[n++] = "/d";
        }
      else if (strcmp (opt, "--size") == 0)
        {
          argv[n++] = "--tmpfs";
          argv[n++] = "/t";
        }
      argv[n++] = "--version";
      argv[n] = NULL;
      ck_assert_uint_lt (n, N_ELEMENTS (argv));
      FAKE (9, "");
      parse_v (argv);
      ck_assert_msg (rc == OPTIONS_VERSION, "%s: rc %d: %s", opt, rc, err.message ? err.message : "");
      n_fakes = 0;
      n_checked++;
    }
  ck_assert_uint_eq (n_checked, N_ELEMENTS (all_options) - 2);
  free (text);
}
END_TEST

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("usage");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_every_option_is_known);
  tcase_add_test (tc, test_usage_text);
  tcase_add_test (tc, test_usage_metavariables);
  tcase_add_test (tc, test_usage_descriptions);
  tcase_add_test (tc, test_every_listed_option_takes_its_metavariables);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
