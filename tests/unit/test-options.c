/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options.c: options_parse on argv arrays: the command line's shape,
 * flags, single values and cumulative options, and when --help and
 * --version act.  The fixture (options-fixture.h) runs the real parser
 * with --args data served from in-memory buffers.  No privileges.
 * Sibling files: test-options-fs.c (filesystem ops), -args.c (--args and
 * the argument limit), -errors.c (every misuse's message), -validate.c
 * (options_validate) and -usage.c (the option list and --help text). */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/capability.h>

#include "options-fixture.h"
#include "unit-main.h"

/* ---- Command line shape ------------------------------------------------- */

START_TEST (test_no_arguments)
{
  ck_assert_int_eq (parse_v ((const char *const[]) { "bwrap", NULL }), OPTIONS_RUN);
  ck_assert_uint_eq (plan.n_command, 0);
  ck_assert_ptr_nonnull (plan.command);
  ck_assert_ptr_null (plan.command[0]);
  ck_assert_uint_eq (plan.n_ops, 0);
  ck_assert_int_eq (validate (), OPTIONS_USAGE);

  ck_assert_int_eq (parse_v ((const char *const[]) { NULL }), OPTIONS_RUN);
  ck_assert_uint_eq (plan.n_command, 0);
}
END_TEST

START_TEST (test_command_is_copied)
{
  const char *argv[] = { "bwrap", "--unshare-ipc", "echo", "--bind", "a", "", NULL };

  ck_assert_int_eq (parse_v (argv), OPTIONS_RUN);
  ck_assert (plan.unshare_ipc);
  ck_assert_uint_eq (plan.n_command, 4);
  ck_assert_str_eq (plan.command[0], "echo");
  ck_assert_str_eq (plan.command[1], "--bind");
  ck_assert_str_eq (plan.command[2], "a");
  ck_assert_str_eq (plan.command[3], "");
  ck_assert_ptr_null (plan.command[4]);
  ck_assert_ptr_ne (plan.command[0], argv[2]);
  ck_assert_uint_eq (plan.n_ops, 0);
}
END_TEST

START_TEST (test_double_dash_and_empty_word)
{
  OK ("--", "--bind", "x");
  ck_assert_uint_eq (plan.n_command, 2);
  ck_assert_str_eq (plan.command[0], "--bind");
  ck_assert_uint_eq (plan.n_ops, 0);

  OK ("--unshare-pid", "--");
  ck_assert (plan.unshare_pid);
  ck_assert_uint_eq (plan.n_command, 0);

  OK ("--", "--", "x");
  ck_assert_uint_eq (plan.n_command, 2);
  ck_assert_str_eq (plan.command[0], "--");

  /* An empty word does not start with '-': it is COMMAND. */
  OK ("", "--unshare-pid");
  ck_assert (!plan.unshare_pid);
  ck_assert_uint_eq (plan.n_command, 2);
  ck_assert_str_eq (plan.command[0], "");
}
END_TEST

START_TEST (test_arguments_are_taken_verbatim)
{
  OK ("--bind", "--foo", "--bar", "cmd");
  ck_assert_str_eq (op_at (0, SETUP_OP_BIND)->source, "--foo");
  ck_assert_str_eq (plan.ops[0].dest, "--bar");
  ck_assert_uint_eq (plan.n_command, 1);
  ck_assert_str_eq (plan.command[0], "cmd");
}
END_TEST

/* ---- Flags and namespaces ----------------------------------------------- */

static const struct
{
  const char *name;
  size_t offset;
} flag_options[] = {
  { "--unshare-user", offsetof (struct plan, unshare_user) },
  { "--unshare-user-try", offsetof (struct plan, unshare_user_try) },
  { "--unshare-ipc", offsetof (struct plan, unshare_ipc) },
  { "--unshare-pid", offsetof (struct plan, unshare_pid) },
  { "--unshare-net", offsetof (struct plan, unshare_net) },
  { "--unshare-uts", offsetof (struct plan, unshare_uts) },
  { "--unshare-cgroup", offsetof (struct plan, unshare_cgroup) },
  { "--unshare-cgroup-try", offsetof (struct plan, unshare_cgroup_try) },
  { "--disable-userns", offsetof (struct plan, disable_userns) },
  { "--assert-userns-disabled", offsetof (struct plan, assert_userns_disabled) },
  { "--new-session", offsetof (struct plan, new_session) },
  { "--die-with-parent", offsetof (struct plan, die_with_parent) },
  { "--as-pid-1", offsetof (struct plan, as_pid_1) },
  { "--level-prefix", offsetof (struct plan, level_prefix) },
};

/* Each flag sets its own field and no other. */
START_TEST (test_flag_option)
{
  OK (flag_options[_i].name, "cmd");
  for (size_t j = 0; j < N_ELEMENTS (flag_options); j++)
    {
      bool value = *(bool *) ((char *) &plan + flag_options[j].offset);
      ck_assert_msg (value == (j == (size_t) _i), "%s after %s",
                     flag_options[j].name, flag_options[_i].name);
    }
  ck_assert_uint_eq (plan.n_warnings, 0);
}
END_TEST

START_TEST (test_unshare_all_and_share_net)
{
  OK ("--unshare-all");
  ck_assert (plan.unshare_user_try && plan.unshare_ipc && plan.unshare_pid);
  ck_assert (plan.unshare_net && plan.unshare_uts && plan.unshare_cgroup_try);
  ck_assert (!plan.unshare_user && !plan.unshare_cgroup);

  OK ("--unshare-all", "--share-net");
  ck_assert (!plan.unshare_net);
  ck_assert (plan.unshare_ipc && plan.unshare_uts);

  OK ("--share-net", "--unshare-all");
  ck_assert (plan.unshare_net);

  OK ("--unshare-net", "--share-net");
  ck_assert (!plan.unshare_net);
}
END_TEST

START_TEST (test_level_prefix_set_even_on_error)
{
  FAILS ("Unknown option --nope", "--level-prefix", "--nope");
  ck_assert (plan.level_prefix);
  FAILS ("Unknown option --nope", "--nope", "--level-prefix");
  ck_assert (!plan.level_prefix);
}
END_TEST

/* ---- Single values: fds, ids, strings ----------------------------------- */

START_TEST (test_fd_options)
{
  OK ("--sync-fd", "3", "--block-fd", "4", "--userns-block-fd", "5", "--info-fd", "6",
      "--json-status-fd", "7", "--seccomp", "8", "--userns", "9", "--userns2", "10",
      "--pidns", "11");
  ck_assert_int_eq (plan.sync_fd, 3);
  ck_assert_int_eq (plan.block_fd, 4);
  ck_assert_int_eq (plan.userns_block_fd, 5);
  ck_assert_int_eq (plan.info_fd, 6);
  ck_assert_int_eq (plan.json_status_fd, 7);
  ck_assert_int_eq (plan.seccomp_fd, 8);
  ck_assert_int_eq (plan.userns_fd, 9);
  ck_assert_int_eq (plan.userns2_fd, 10);
  ck_assert_int_eq (plan.pidns_fd, 11);
  ck_assert_uint_eq (plan.n_warnings, 0);

  /* fd 0 is honoured (0.8.0 ignored it); strtol leniency is kept. */
  OK ("--userns", "0", "--userns2", "0", "--pidns", "0", "--info-fd", " 12", "--block-fd", "+13");
  ck_assert_int_eq (plan.userns_fd, 0);
  ck_assert_int_eq (plan.userns2_fd, 0);
  ck_assert_int_eq (plan.pidns_fd, 0);
  ck_assert_int_eq (plan.info_fd, 12);
  ck_assert_int_eq (plan.block_fd, 13);
}
END_TEST

static const struct
{
  const char *name;
  size_t offset;
} last_fd_options[] = {
  { "--sync-fd", offsetof (struct plan, sync_fd) },
  { "--block-fd", offsetof (struct plan, block_fd) },
  { "--userns-block-fd", offsetof (struct plan, userns_block_fd) },
  { "--info-fd", offsetof (struct plan, info_fd) },
  { "--json-status-fd", offsetof (struct plan, json_status_fd) },
  { "--seccomp", offsetof (struct plan, seccomp_fd) },
  { "--userns", offsetof (struct plan, userns_fd) },
  { "--userns2", offsetof (struct plan, userns2_fd) },
  { "--pidns", offsetof (struct plan, pidns_fd) },
};

START_TEST (test_last_fd_wins)
{
  const char *name = last_fd_options[_i].name;
  char expected[128];

  OK (name, "3", name, "4", "cmd");
  ck_assert_int_eq (*(int *) ((char *) &plan + last_fd_options[_i].offset), 4);
  snprintf (expected, sizeof expected, "Only the last %s option will take effect", name);
  WARNINGS (expected);
}
END_TEST

START_TEST (test_uid_gid)
{
  OK ("--uid", "0", "--gid", "2147483647");
  ck_assert (plan.has_uid && plan.has_gid);
  ck_assert_uint_eq (plan.uid, 0);
  ck_assert_uint_eq (plan.gid, 2147483647u);
  ck_assert_uint_eq (plan.n_warnings, 0);

  OK ("--uid", "1", "--gid", " 7", "--uid", "2", "--gid", "8");
  ck_assert_uint_eq (plan.uid, 2);
  ck_assert_uint_eq (plan.gid, 8);
  WARNINGS ("Only the last --uid option will take effect",
            "Only the last --gid option will take effect");

  OK ("cmd");
  ck_assert (!plan.has_uid && !plan.has_gid);
}
END_TEST

START_TEST (test_hostname_is_an_op)
{
  OK ("--hostname", "a", "--dir", "d", "--hostname", "b");
  ck_assert (plan.has_hostname);
  ck_assert_uint_eq (plan.n_ops, 3);
  ck_assert_str_eq (op_at (0, SETUP_OP_SET_HOSTNAME)->source, "a");
  ck_assert_ptr_null (plan.ops[0].dest);
  op_at (1, SETUP_OP_DIR);
  ck_assert_str_eq (op_at (2, SETUP_OP_SET_HOSTNAME)->source, "b");
  WARNINGS ("Only the last --hostname option will take effect");
}
END_TEST

START_TEST (test_chdir_and_argv0)
{
  OK ("--chdir", "/a", "--argv0", "", "--chdir", "b");
  ck_assert_str_eq (plan.chdir_path, "b");
  ck_assert_ptr_nonnull (plan.argv0);
  ck_assert_str_eq (plan.argv0, "");
  WARNINGS ("Only the last --chdir option will take effect");

  OK ("--argv0", "name", "cmd");
  ck_assert_str_eq (plan.argv0, "name");
  ck_assert_ptr_null (plan.chdir_path);
}
END_TEST

static int labels_asked;

static bool
labels_yes (void)
{
  labels_asked++;
  return true;
}

START_TEST (test_labels_with_selinux)
{
  ctx.labels_supported = labels_yes;
  labels_asked = 0;
  OK ("--exec-label", "l1", "--file-label", "f", "--exec-label", "l2");
  ck_assert_str_eq (plan.exec_label, "l2");
  ck_assert_str_eq (plan.file_label, "f");
  WARNINGS ("Only the last --exec-label option will take effect");
  ck_assert_int_gt (labels_asked, 0);
}
END_TEST

/* Asking loads libselinux (selinux.c), which costs 6% of a start: a
 * command line without labels must never ask. */
START_TEST (test_labels_not_asked_without_label_options)
{
  ctx.labels_supported = labels_yes;
  labels_asked = 0;
  OK ("--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
      "--chdir", "/", "--tmpfs", "/tmp", "--", "true");
  ck_assert_int_eq (labels_asked, 0);
}
END_TEST

/* ---- Cumulative options ------------------------------------------------- */

START_TEST (test_env_edits_in_order)
{
  OK ("--setenv", "A", "1", "--unsetenv", "B", "--clearenv", "--setenv", "C", "", "cmd");
  ck_assert_uint_eq (plan.n_env_edits, 4);
  ck_assert_int_eq (plan.env_edits[0].kind, ENV_EDIT_SET);
  ck_assert_str_eq (plan.env_edits[0].name, "A");
  ck_assert_str_eq (plan.env_edits[0].value, "1");
  ck_assert_int_eq (plan.env_edits[1].kind, ENV_EDIT_UNSET);
  ck_assert_str_eq (plan.env_edits[1].name, "B");
  ck_assert_ptr_null (plan.env_edits[1].value);
  ck_assert_int_eq (plan.env_edits[2].kind, ENV_EDIT_CLEAR);
  ck_assert_ptr_null (plan.env_edits[2].name);
  ck_assert_int_eq (plan.env_edits[3].kind, ENV_EDIT_SET);
  ck_assert_str_eq (plan.env_edits[3].value, "");
}
END_TEST

START_TEST (test_lock_files)
{
  OK ("--lock-file", "a", "--lock-file", "b");
  ck_assert_uint_eq (plan.n_lock_files, 2);
  ck_assert_str_eq (plan.lock_files[0], "a");
  ck_assert_str_eq (plan.lock_files[1], "b");
}
END_TEST

START_TEST (test_cap_edits)
{
  OK ("--cap-add", "CAP_NET_RAW", "--cap-drop", "cap_sys_admin", "--cap-add", "ALL",
      "--cap-drop", "all", "--cap-add", "12", "--cap-add", "Cap_Chown");
  ck_assert_uint_eq (plan.n_cap_edits, 6);
  ck_assert (plan.cap_edits[0].is_add);
  ck_assert_int_eq (plan.cap_edits[0].cap, CAP_NET_RAW);
  ck_assert (!plan.cap_edits[1].is_add);
  ck_assert_int_eq (plan.cap_edits[1].cap, CAP_SYS_ADMIN);
  ck_assert (plan.cap_edits[2].is_add);
  ck_assert_int_eq (plan.cap_edits[2].cap, CAP_EDIT_ALL);
  ck_assert (!plan.cap_edits[3].is_add);
  ck_assert_int_eq (plan.cap_edits[3].cap, CAP_EDIT_ALL);
  ck_assert_int_eq (plan.cap_edits[4].cap, 12);
  ck_assert_int_eq (plan.cap_edits[5].cap, CAP_CHOWN);
}
END_TEST

START_TEST (test_seccomp_fds)
{
  OK ("--add-seccomp-fd", "3", "--add-seccomp-fd", "4");
  ck_assert_uint_eq (plan.n_add_seccomp_fds, 2);
  ck_assert_int_eq (plan.add_seccomp_fds[0], 3);
  ck_assert_int_eq (plan.add_seccomp_fds[1], 4);
  ck_assert_int_eq (plan.seccomp_fd, -1);

  OK ("--seccomp", "5");
  ck_assert_int_eq (plan.seccomp_fd, 5);
  ck_assert_uint_eq (plan.n_add_seccomp_fds, 0);
}
END_TEST

/* ---- --help / --version -------------------------------------------------- */

START_TEST (test_help_and_version_act_when_reached)
{
  ck_assert_int_eq (PARSE ("--help"), OPTIONS_HELP);
  ck_assert_int_eq (PARSE ("--version"), OPTIONS_VERSION);
  ck_assert_int_eq (PARSE ("--version", "--nope"), OPTIONS_VERSION);
  ck_assert_int_eq (PARSE ("--unshare-pid", "--help", "--bind"), OPTIONS_HELP);
  ck_assert_int_eq (PARSE ("--perms", "0700", "--help"), OPTIONS_HELP);
  ck_assert_int_eq (PARSE ("--overlay-src", "a", "--version"), OPTIONS_VERSION);
  FAILS ("Unknown option --nope", "--nope", "--version");
  FAILS ("Invalid fd: x", "--sync-fd", "x", "--help");
  OK ("cmd", "--help");
  ck_assert_str_eq (plan.command[1], "--help");
}
END_TEST

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("parse");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_no_arguments);
  tcase_add_test (tc, test_command_is_copied);
  tcase_add_test (tc, test_double_dash_and_empty_word);
  tcase_add_test (tc, test_arguments_are_taken_verbatim);
  tcase_add_loop_test (tc, test_flag_option, 0, N_ELEMENTS (flag_options));
  tcase_add_test (tc, test_unshare_all_and_share_net);
  tcase_add_test (tc, test_level_prefix_set_even_on_error);
  tcase_add_test (tc, test_fd_options);
  tcase_add_loop_test (tc, test_last_fd_wins, 0, N_ELEMENTS (last_fd_options));
  tcase_add_test (tc, test_uid_gid);
  tcase_add_test (tc, test_hostname_is_an_op);
  tcase_add_test (tc, test_chdir_and_argv0);
  tcase_add_test (tc, test_labels_with_selinux);
  tcase_add_test (tc, test_labels_not_asked_without_label_options);
  tcase_add_test (tc, test_env_edits_in_order);
  tcase_add_test (tc, test_lock_files);
  tcase_add_test (tc, test_cap_edits);
  tcase_add_test (tc, test_seccomp_fds);
  tcase_add_test (tc, test_help_and_version_act_when_reached);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
