/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options-validate.c: options_validate's cross-option rules, one
 * message per rule in bubblewrap's order, for root, a user and setuid
 * mode; and the implicit user namespace it adds.  Uses options-fixture.h.
 * No privileges. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>

#include "options-fixture.h"
#include "unit-main.h"

/* ---- options_validate ---------------------------------------------------- */

struct rule_case
{
  bool setuid;
  uid_t real_uid;
  const char *args[14];
  const char *message;   /* NULL: valid */
};

#define ROOT 0
#define USER 1000
#define IN_ALL_MODES(message, ...) \
  { false, ROOT, { __VA_ARGS__ }, message }, \
  { false, USER, { __VA_ARGS__ }, message }, \
  { true, USER, { __VA_ARGS__ }, message }

/* Rows pair a rule with a later one to pin the order in which bubblewrap
 * checks them (so the first broken rule is the one reported). */
static const struct rule_case rule_cases[] = {
  { true, USER, { "--cap-add", "CAP_NET_RAW", "--userns-block-fd", "3", "cmd" },
    "--cap-add in setuid mode can be used only by root" },
  { true, USER, { "--cap-add", "ALL", "--cap-drop", "CAP_CHOWN", "cmd" },
    "--cap-add in setuid mode can be used only by root" },
  { true, USER, { "--cap-add", "CAP_NET_RAW", "--cap-drop", "cap_net_raw", "cmd" }, NULL },
  { true, USER, { "--cap-add", "ALL", "--cap-drop", "ALL", "cmd" }, NULL },
  { true, USER, { "--cap-drop", "ALL", "cmd" }, NULL },
  { false, ROOT, { "--cap-add", "CAP_NET_RAW", "cmd" }, NULL },
  { false, USER, { "--cap-add", "ALL", "cmd" }, NULL },
  { false, USER, { "--userns-block-fd", "3", "cmd" }, "--userns-block-fd requires --unshare-user" },
  { false, USER, { "--unshare-user-try", "--userns-block-fd", "3", "--info-fd", "4", "cmd" },
    "--userns-block-fd requires --unshare-user" },
  { false, USER, { "--unshare-user", "--userns", "5", "--userns-block-fd", "3", "cmd" },
    "--userns-block-fd requires --info-fd" },
  { false, USER, { "--unshare-user", "--userns-block-fd", "3", "--info-fd", "4", "cmd" }, NULL },
  { false, ROOT, { "--userns", "3", "--unshare-user", "--unshare-user-try", "cmd" },
    "--userns not compatible --unshare-user" },
  { false, ROOT, { "--userns", "3", "--unshare-user-try", "--disable-userns", "cmd" },
    "--userns not compatible --unshare-user-try" },
  { false, USER, { "--disable-userns", "cmd" }, "--disable-userns requires --unshare-user" },
  { true, USER, { "--disable-userns", "--userns", "3", "cmd" },
    "--disable-userns requires --unshare-user" },
  { false, USER, { "--unshare-user", "--disable-userns", "--userns-block-fd", "3", "--info-fd", "4", "cmd" },
    "--disable-userns is not compatible with  --userns-block-fd" },
  { false, USER, { "--unshare-user", "--disable-userns", "--assert-userns-disabled", "cmd" }, NULL },
  { true, USER, { "--userns", "3", "--userns2", "4", "--pidns", "5", "cmd" },
    "--userns doesn't work in setuid mode" },
  { true, USER, { "--userns2", "4", "--pidns", "5", "cmd" }, "--userns2 doesn't work in setuid mode" },
  { true, USER, { "--pidns", "5", "cmd" }, "--pidns doesn't work in setuid mode" },
  { false, USER, { "--pidns", "5", "--userns", "3", "cmd" }, NULL },
  { false, USER, { "--userns2", "4", "cmd" }, "--userns2 requires --userns" },
  { false, USER, { "--userns2", "4", "--userns", "3", "cmd" }, NULL },
  /* Our own rules come after bubblewrap's, which would fail first. */
  { false, USER, { "--userns2", "4", "--hostname", "h", "cmd" },
    "Specifying --hostname requires --unshare-uts" },
  { true, USER, { "--pidns", "5", "--uid", "5", "cmd" },
    "Specifying --uid requires --unshare-user or --userns" },
  { true, USER, { "--unshare-user", "--userns-block-fd", "3", "--info-fd", "4", "--as-pid-1", "cmd" },
    "Specifying --as-pid-1 requires --unshare-pid" },
  /* After the implicit user namespace: unprivileged --uid alone is fine. */
  { false, USER, { "--uid", "5", "--gid", "6", "cmd" }, NULL },
  { true, USER, { "--uid", "5", "cmd" }, "Specifying --uid requires --unshare-user or --userns" },
  { false, ROOT, { "--uid", "5", "--gid", "6", "--hostname", "h", "cmd" },
    "Specifying --uid requires --unshare-user or --userns" },
  { false, ROOT, { "--gid", "6", "--hostname", "h", "cmd" },
    "Specifying --gid requires --unshare-user or --userns" },
  { false, ROOT, { "--uid", "0", "--gid", "0", "cmd" }, NULL },
  { false, ROOT, { "--uid", "5", "--gid", "6", "--unshare-user-try", "cmd" }, NULL },
  { false, ROOT, { "--uid", "5", "--gid", "6", "--unshare-user", "cmd" }, NULL },
  { false, ROOT, { "--uid", "5", "--gid", "6", "--userns", "3", "cmd" }, NULL },
  { false, ROOT, { "--hostname", "h", "--as-pid-1", "cmd" }, "Specifying --hostname requires --unshare-uts" },
  { false, ROOT, { "--unshare-all", "--hostname", "h", "cmd" }, NULL },
  { false, ROOT, { "--as-pid-1", "--lock-file", "l", "cmd" }, "Specifying --as-pid-1 requires --unshare-pid" },
  { false, ROOT, { "--unshare-pid", "--as-pid-1", "--lock-file", "l", "cmd" },
    "Specifying --as-pid-1 and --lock-file is not permitted" },
  { false, ROOT, { "--unshare-pid", "--as-pid-1", "cmd" }, NULL },
  { false, ROOT, { "--lock-file", "l", "cmd" }, NULL },
  /* The integration scripts' former cases (test-bad-input.sh,
   * test-namespaces.sh, test-process.sh, test-status.sh, test-fs.sh), in
   * each mode the scripts ran them: real root, a user, setuid mode. */
  IN_ALL_MODES ("--userns-block-fd requires --unshare-user", "--userns-block-fd", "9", "true"),
  IN_ALL_MODES ("--userns-block-fd requires --unshare-user",
                "--info-fd", "3", "--userns-block-fd", "4", "true"),
  IN_ALL_MODES ("--userns-block-fd requires --info-fd",
                "--unshare-user", "--userns-block-fd", "9", "true"),
  IN_ALL_MODES ("--userns not compatible --unshare-user", "--userns", "9", "--unshare-user", "true"),
  IN_ALL_MODES ("--userns not compatible --unshare-user-try",
                "--userns", "9", "--unshare-user-try", "true"),
  IN_ALL_MODES ("--userns not compatible --unshare-user-try",
                "--unshare-user-try", "--userns", "3", "true"),
  IN_ALL_MODES ("--disable-userns requires --unshare-user", "--disable-userns", "true"),
  IN_ALL_MODES ("--disable-userns is not compatible with  --userns-block-fd",
                "--unshare-user", "--disable-userns", "--userns-block-fd", "9", "--info-fd", "9", "true"),
  IN_ALL_MODES ("Specifying --hostname requires --unshare-uts", "--hostname", "h", "true"),
  IN_ALL_MODES ("Specifying --as-pid-1 requires --unshare-pid", "--as-pid-1", "true"),
  IN_ALL_MODES ("Specifying --as-pid-1 and --lock-file is not permitted",
                "--unshare-pid", "--as-pid-1", "--lock-file", "/x", "true"),
  { false, ROOT, { "--userns2", "9", "true" }, "--userns2 requires --userns" },
  { false, USER, { "--userns2", "9", "true" }, "--userns2 requires --userns" },
  { true, USER, { "--userns2", "3", "true" }, "--userns2 doesn't work in setuid mode" },
  { false, ROOT, { "--uid", "5", "true" }, "Specifying --uid requires --unshare-user or --userns" },
  { false, ROOT, { "--gid", "5", "true" }, "Specifying --gid requires --unshare-user or --userns" },
  { true, USER, { "--uid", "1234", "true" }, "Specifying --uid requires --unshare-user or --userns" },
  { true, USER, { "--gid", "5678", "true" }, "Specifying --gid requires --unshare-user or --userns" },
  { true, USER, { "--userns", "9", "true" }, "--userns doesn't work in setuid mode" },
  { true, USER, { "--pidns", "9", "true" }, "--pidns doesn't work in setuid mode" },
  { true, USER, { "--unshare-user", "--info-fd", "9", "--userns-block-fd", "9", "true" },
    "--userns-block-fd doesn't work in setuid mode" },
  { true, USER, { "--cap-add", "CAP_CHOWN", "true" }, "--cap-add in setuid mode can be used only by root" },
  { true, USER, { "--cap-drop", "ALL", "--cap-add", "CAP_NET_RAW", "--cap-drop", "CAP_CHOWN", "true" },
    "--cap-add in setuid mode can be used only by root" },
};

START_TEST (test_rule_case)
{
  const struct rule_case *c = &rule_cases[_i];
  const char *argv[N_ELEMENTS (c->args) + 2] = { "bwrap" };

  for (size_t i = 0; i < N_ELEMENTS (c->args) && c->args[i] != NULL; i++)
    argv[i + 1] = c->args[i];
  ctx.is_setuid = c->setuid;
  ctx.real_uid = c->real_uid;
  ctx.real_gid = c->real_uid;
  ck_assert_int_eq (parse_v (argv), OPTIONS_RUN);
  validate ();
  if (c->message == NULL)
    {
      ck_assert_msg (rc == OPTIONS_RUN, "%s: %s", c->args[0], err.message ? err.message : "?");
      return;
    }
  ck_assert_int_eq (rc, -EINVAL);
  ck_assert_str_eq (err.message, c->message);
  ck_assert_int_eq (err.errnum, 0);
}
END_TEST

START_TEST (test_validate_implicit_userns)
{
  OK ("cmd");
  ck_assert_int_eq (validate (), OPTIONS_RUN);
  ck_assert (plan.unshare_user);
  ck_assert_uint_eq (plan.uid, 1000);
  ck_assert_uint_eq (plan.gid, 1001);

  OK ("--userns", "3", "cmd");
  ck_assert_int_eq (validate (), OPTIONS_RUN);
  ck_assert (!plan.unshare_user);

  ctx.real_uid = 0;
  ctx.real_gid = 0;
  OK ("cmd");
  ck_assert_int_eq (validate (), OPTIONS_RUN);
  ck_assert (!plan.unshare_user);
  ck_assert_uint_eq (plan.uid, 0);

  ctx.real_uid = 1000;
  ctx.is_setuid = true;
  OK ("cmd");
  ck_assert_int_eq (validate (), OPTIONS_RUN);
  ck_assert (!plan.unshare_user);

  ctx.is_setuid = false;
  ctx.real_gid = 1001;
  OK ("--uid", "7", "cmd");
  ck_assert_int_eq (validate (), OPTIONS_RUN);
  ck_assert_uint_eq (plan.uid, 7);
  ck_assert_uint_eq (plan.gid, 1001);
}
END_TEST

START_TEST (test_validate_without_command)
{
  /* Checks 1-9 come before the usage text, 11-15 after. */
  OK ("--hostname", "h");
  ck_assert_int_eq (validate (), OPTIONS_USAGE);
  ck_assert (plan.unshare_user);
  ck_assert_ptr_null (err.message);

  /* Our own rules, after the usage text. */
  OK ("--userns2", "4");
  ck_assert_int_eq (validate (), OPTIONS_USAGE);

  OK ("--userns-block-fd", "3");
  validate ();
  assert_error (-EINVAL, 0, "--userns-block-fd requires --unshare-user");

  /* Found by fuzz-options (its invariant wrongly expected usage here). */
  ctx.is_setuid = true;
  OK ("--userns", "3", "--userns2", "4", "--");
  validate ();
  assert_error (-EINVAL, 0, "--userns doesn't work in setuid mode");
}
END_TEST

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("validate");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_rule_case, 0, N_ELEMENTS (rule_cases));
  tcase_add_test (tc, test_validate_implicit_userns);
  tcase_add_test (tc, test_validate_without_command);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
