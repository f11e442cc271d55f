/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options-args.c: --args FD, read through the fixture's fake read_fd
 * from NUL-separated in-memory buffers (stop words, nesting, read errors),
 * and the 9000-argument limit with and without --args files.  Uses
 * options-fixture.h.  No privileges. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "options-fixture.h"
#include "unit-main.h"

/* ---- --args ------------------------------------------------------------- */

START_TEST (test_args_words)
{
  FAKE (3, "--unshare-pid\0--dir\0/x");
  FAKE (4, "--unshare-ipc\0--dir\0/y\0");
  OK ("--args", "3", "--args", "4", "cmd");
  ck_assert (plan.unshare_pid && plan.unshare_ipc);
  ck_assert_str_eq (op_at (0, SETUP_OP_DIR)->dest, "/x");
  ck_assert_str_eq (op_at (1, SETUP_OP_DIR)->dest, "/y");
  ck_assert_uint_eq (plan.n_command, 1);
  ck_assert_str_eq (plan.command[0], "cmd");
}
END_TEST

START_TEST (test_args_stop_words)
{
  /* Empty word, non-option and "--" each end the file; the real command
   * line goes on, and COMMAND never comes from the file. */
  FAKE (3, "--unshare-ipc\0\0--unshare-pid");
  FAKE (4, "--unshare-uts\0echo\0--unshare-pid");
  FAKE (5, "--new-session\0--\0--unshare-pid");
  FAKE (6, "\0");
  FAKE (7, "");
  OK ("--args", "3", "--args", "4", "--args", "5", "--args", "6", "--args", "7",
      "--unshare-net", "cmd", "arg");
  ck_assert (plan.unshare_ipc && plan.unshare_uts && plan.new_session && plan.unshare_net);
  ck_assert (!plan.unshare_pid);
  ck_assert_uint_eq (plan.n_command, 2);
  ck_assert_str_eq (plan.command[0], "cmd");
}
END_TEST

START_TEST (test_args_nested)
{
  FAKE (3, "--args\0004");
  FAKE (4, "--unshare-pid");
  FAKE (5, "--args");
  FAILS ("--args not supported in arguments file", "--args", "3", "cmd");
  FAILS ("--args not supported in arguments file", "--args", "5", "cmd");
}
END_TEST

START_TEST (test_args_nothing_crosses_the_end)
{
  FAKE (3, "--bind\0a");
  FAKE (4, "--perms\0000700");
  FAKE (5, "--size\0001");
  FAKE (6, "--overlay-src\0/a");
  FAKE (7, "--overlay-src");
  FAKE (8, "--perms\0000700\0cmd\0--dir");
  FAILS ("--bind takes two arguments", "--args", "3", "b", "cmd");
  FAILS ("--perms must be followed by an option that creates a file", "--args", "4", "--dir", "d");
  FAILS ("--size must be followed by --tmpfs or --tmp-overlay", "--args", "5", "--tmpfs", "t");
  FAILS ("--overlay-src must be followed by another --overlay-src or one of --overlay, "
         "--tmp-overlay, or --ro-overlay", "--args", "6", "--tmp-overlay", "t");
  FAILS ("--overlay-src must be followed by another --overlay-src or one of --overlay, "
         "--tmp-overlay, or --ro-overlay", "--args", "7", "/a", "--tmp-overlay", "t");
  FAILS ("--perms must be followed by an option that creates a file", "--args", "8", "cmd");
}
END_TEST

START_TEST (test_args_read_errors)
{
  add_fake (3, NULL, 0, EIO);
  PARSE ("--args", "3", "cmd");
  assert_error (-EIO, EIO, "Can't read --args data");
  PARSE ("--args", "9", "cmd");
  assert_error (-EBADF, EBADF, "Can't read --args data");
  ctx.read_fd = NULL;
  FAKE (4, "--unshare-pid");
  PARSE ("--args", "4", "cmd");
  assert_error (-EBADF, EBADF, "Can't read --args data");
}
END_TEST

START_TEST (test_args_help_and_warnings)
{
  FAKE (3, "--help");
  FAKE (4, "--version\0--nope");
  FAKE (5, "--chdir\0a");
  ck_assert_int_eq (PARSE ("--args", "3", "--nope"), OPTIONS_HELP);
  ck_assert_int_eq (PARSE ("--args", "4"), OPTIONS_VERSION);
  OK ("--chdir", "b", "--args", "5", "cmd");
  ck_assert_str_eq (plan.chdir_path, "a");
  WARNINGS ("Only the last --chdir option will take effect");
}
END_TEST

/* ---- Argument count limit ----------------------------------------------- */

static void
parse_long (const char *const *head, size_t n_fill, const char *const *tail)
{
  const char **v = long_argv (head, "--unshare-pid", n_fill, tail);
  parse_v (v);
  free (v);
}

START_TEST (test_argument_limit)
{
  const char *msg = "Exceeded maximum number of arguments 9000";

  parse_long (NONE, 8999, LIST ("cmd"));
  ck_assert_int_eq (rc, OPTIONS_RUN);
  ck_assert_uint_eq (plan.n_command, 1);

  parse_long (NONE, 9000, LIST ("cmd"));
  assert_error (-EINVAL, 0, msg);

  /* Checked before anything else, even --version. */
  parse_long (LIST ("--version"), 9000, NONE);
  assert_error (-EINVAL, 0, msg);

  /* COMMAND's own arguments count. */
  {
    const char **v = long_argv (LIST ("--unshare-pid", "cmd"), "arg", 8998, NONE);
    parse_v (v);
    free (v);
    ck_assert_int_eq (rc, OPTIONS_RUN);
    ck_assert_uint_eq (plan.n_command, 8999);
    v = long_argv (LIST ("--unshare-pid", "cmd"), "arg", 8999, NONE);
    parse_v (v);
    free (v);
    assert_error (-EINVAL, 0, msg);
  }
}
END_TEST

START_TEST (test_argument_limit_with_args_file)
{
  const char *msg = "Exceeded maximum number of arguments 9000";

  /* 8998 real words + 2 file words = 9000.  A trailing NUL adds no word;
   * words after a stop word still count. */
  FAKE (3, "--unshare-ipc\0b");
  FAKE (4, "--unshare-ipc\0b\0");
  FAKE (5, "a\0b\0c");
  FAKE (6, "\0\0\0");
  FAKE (7, "");
  parse_long (LIST ("--args", "3"), 8995, LIST ("cmd"));
  ck_assert_int_eq (rc, OPTIONS_RUN);
  ck_assert (plan.unshare_ipc);
  parse_long (LIST ("--args", "4"), 8995, LIST ("cmd"));
  ck_assert_int_eq (rc, OPTIONS_RUN);
  parse_long (LIST ("--args", "5"), 8995, LIST ("cmd"));
  assert_error (-EINVAL, 0, msg);
  parse_long (LIST ("--args", "6"), 8995, LIST ("cmd"));
  assert_error (-EINVAL, 0, msg);
  parse_long (LIST ("--args", "7"), 8997, LIST ("cmd"));
  ck_assert_int_eq (rc, OPTIONS_RUN);
}
END_TEST

/* test-bad-input.sh's former cases: 10000 "--dir /x" pairs in one --args
 * file, 30000 "--setenv" words and 9001 "--dir" words on the command
 * line, and an --args file whose last option lacks its argument. */
START_TEST (test_argument_limit_script_cases)
{
  const char *msg = "Exceeded maximum number of arguments 9000";
  static char many[10000 * sizeof "--dir\0/x"];
  size_t len = 0;
  const char **v;

  for (int i = 0; i < 10000; i++)
    {
      memcpy (many + len, "--dir\0/x", sizeof "--dir\0/x");
      len += sizeof "--dir\0/x";
    }
  add_fake (9, many, len, 0);
  PARSE ("--args", "9", "true");
  assert_error (-EINVAL, 0, msg);

  v = long_argv (NONE, "--setenv", 30000, LIST ("true"));
  parse_v (v);
  free (v);
  assert_error (-EINVAL, 0, msg);
  v = long_argv (NONE, "--dir", 9001, NONE);
  parse_v (v);
  free (v);
  assert_error (-EINVAL, 0, msg);

  FAKE (8, "--setenv\0A");
  FAILS ("--setenv takes two arguments", "--ro-bind", "/usr", "/usr", "--args", "8", "true");
}
END_TEST

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("args");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_args_words);
  tcase_add_test (tc, test_args_stop_words);
  tcase_add_test (tc, test_args_nested);
  tcase_add_test (tc, test_args_nothing_crosses_the_end);
  tcase_add_test (tc, test_args_read_errors);
  tcase_add_test (tc, test_args_help_and_warnings);
  tcase_add_test (tc, test_argument_limit);
  tcase_add_test (tc, test_argument_limit_with_args_file);
  tcase_add_test (tc, test_argument_limit_script_cases);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
