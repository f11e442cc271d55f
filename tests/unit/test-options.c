/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options.c: options_parse, options_validate and options_print_usage.
 * Runs the real parser on argv arrays, with --args data served from
 * in-memory buffers through a fake read_fd callback.  No privileges. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "options.h"
#include "unit-main.h"

/* ---- Fixture ------------------------------------------------------------ */

struct fake_fd
{
  int fd;
  const char *data;
  size_t len;
  int error;
};

static struct fake_fd fakes[16];
static size_t n_fakes;
static struct options_context ctx;
static struct plan plan;
static struct bwrap_error err;
static int rc;

static void
add_fake (int fd, const char *data, size_t len, int error)
{
  ck_assert_uint_lt (n_fakes, N_ELEMENTS (fakes));
  fakes[n_fakes++] = (struct fake_fd) { fd, data, len, error };
}
/* Keeps embedded NULs: the length comes from the literal, not strlen. */
#define FAKE(fd, literal) add_fake (fd, literal, sizeof (literal) - 1, 0)

static int
fake_read_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  ck_assert_ptr_eq (userdata, fakes);
  for (size_t i = 0; i < n_fakes; i++)
    if (fakes[i].fd == fd)
      {
        char *data;
        if (fakes[i].error != 0)
          return -fakes[i].error;
        data = xmalloc (fakes[i].len + 1);
        memcpy (data, fakes[i].data, fakes[i].len);
        data[fakes[i].len] = '\0';
        *ret_data = data;
        *ret_len = fakes[i].len;
        return 0;
      }
  return -EBADF;
}

static void
setup (void)
{
  memset (&ctx, 0, sizeof ctx);
  ctx.read_fd = fake_read_fd;
  ctx.userdata = fakes;
  ctx.real_uid = 1000;
  ctx.real_gid = 1001;
  n_fakes = 0;
  plan_init (&plan);
  memset (&err, 0, sizeof err);
}

static void
teardown (void)
{
  plan_free (&plan);
  bwrap_error_clear (&err);
}

/* Parse a NULL-terminated argv into a fresh plan. */
static int
parse_v (const char *const *argv)
{
  int argc = 0;

  while (argv[argc] != NULL)
    argc++;
  plan_free (&plan);
  bwrap_error_clear (&err);
  rc = options_parse (argc, (char **) argv, &ctx, &plan, &err);
  if (rc < 0)
    ck_assert_ptr_nonnull (err.message);
  return rc;
}
#define PARSE(...) parse_v ((const char *const[]) { "bwrap", __VA_ARGS__, NULL })
#define OK(...) ck_assert_int_eq (PARSE (__VA_ARGS__), OPTIONS_RUN)

static void
assert_error (int expected_rc, int errnum, const char *message)
{
  ck_assert_int_eq (rc, expected_rc);
  ck_assert_ptr_nonnull (err.message);
  ck_assert_str_eq (err.message, message);
  ck_assert_int_eq (err.errnum, errnum);
}
#define FAILS(msg, ...) do { PARSE (__VA_ARGS__); assert_error (-EINVAL, 0, msg); } while (0)

static int
validate (void)
{
  bwrap_error_clear (&err);
  rc = options_validate (&plan, &ctx, &err);
  return rc;
}

static const struct setup_op *
op_at (size_t i, enum setup_op_kind kind)
{
  ck_assert_uint_gt (plan.n_ops, i);
  ck_assert_int_eq (plan.ops[i].kind, kind);
  return &plan.ops[i];
}

static void
assert_warnings (const char *const *expected)
{
  size_t n = 0;
  while (expected[n] != NULL)
    n++;
  ck_assert_uint_eq (plan.n_warnings, n);
  for (size_t i = 0; i < n; i++)
    ck_assert_str_eq (plan.warnings[i], expected[i]);
}
#define WARNINGS(...) assert_warnings ((const char *const[]) { __VA_ARGS__, NULL })

/* argv = "bwrap", head..., filler x n_fill, tail...; freed by the caller. */
static const char **
long_argv (const char *const *head, const char *filler, size_t n_fill,
           const char *const *tail)
{
  const char **v = xcalloc (n_fill + 64, sizeof (char *));
  size_t n = 0;

  v[n++] = "bwrap";
  for (; *head != NULL; head++)
    v[n++] = *head;
  for (size_t i = 0; i < n_fill; i++)
    v[n++] = filler;
  for (; *tail != NULL; tail++)
    v[n++] = *tail;
  return v;
}
#define LIST(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define NONE ((const char *const[]) { NULL })

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
  OK ("--uid", "0", "--gid", "4294967294");
  ck_assert (plan.has_uid && plan.has_gid);
  ck_assert_uint_eq (plan.uid, 0);
  ck_assert_uint_eq (plan.gid, 4294967294u);
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

START_TEST (test_labels_with_selinux)
{
  ctx.has_selinux = true;
  OK ("--exec-label", "l1", "--file-label", "f", "--exec-label", "l2");
  ck_assert_str_eq (plan.exec_label, "l2");
  ck_assert_str_eq (plan.file_label, "f");
  WARNINGS ("Only the last --exec-label option will take effect");
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

/* ---- Filesystem operations ---------------------------------------------- */

START_TEST (test_all_fs_ops)
{
  static const struct
  {
    enum setup_op_kind kind;
    const char *source, *dest;
    int fd;
    unsigned flags;
  } expected[] = {
    { SETUP_OP_BIND, "s1", "d1", -1, 0 },
    { SETUP_OP_BIND, "s2", "d2", -1, SETUP_OP_FLAG_TRY },
    { SETUP_OP_DEV_BIND, "s3", "d3", -1, 0 },
    { SETUP_OP_DEV_BIND, "s4", "d4", -1, SETUP_OP_FLAG_TRY },
    { SETUP_OP_RO_BIND, "s5", "d5", -1, 0 },
    { SETUP_OP_RO_BIND, "s6", "d6", -1, SETUP_OP_FLAG_TRY },
    { SETUP_OP_BIND_FD, NULL, "d7", 3, 0 },
    { SETUP_OP_RO_BIND_FD, NULL, "d8", 4, 0 },
    { SETUP_OP_REMOUNT_RO, NULL, "d9", -1, 0 },
    { SETUP_OP_PROC, NULL, "d10", -1, 0 },
    { SETUP_OP_DEV, NULL, "d11", -1, 0 },
    { SETUP_OP_TMPFS, NULL, "d12", -1, 0 },
    { SETUP_OP_MQUEUE, NULL, "d13", -1, 0 },
    { SETUP_OP_DIR, NULL, "d14", -1, 0 },
    { SETUP_OP_FILE, NULL, "d15", 5, 0 },
    { SETUP_OP_BIND_DATA, NULL, "d16", 6, 0 },
    { SETUP_OP_RO_BIND_DATA, NULL, "d17", 0, 0 },
    { SETUP_OP_SYMLINK, "t18", "d18", -1, 0 },
    { SETUP_OP_CHMOD, NULL, "d19", -1, 0 },
  };
  const char *argv[] = {
    "bwrap", "--bind", "s1", "d1", "--bind-try", "s2", "d2", "--dev-bind", "s3", "d3",
    "--dev-bind-try", "s4", "d4", "--ro-bind", "s5", "d5", "--ro-bind-try", "s6", "d6",
    "--bind-fd", "3", "d7", "--ro-bind-fd", "4", "d8", "--remount-ro", "d9",
    "--proc", "d10", "--dev", "d11", "--tmpfs", "d12", "--mqueue", "d13", "--dir", "d14",
    "--file", "5", "d15", "--bind-data", "6", "d16", "--ro-bind-data", "0", "d17",
    "--symlink", "t18", "d18", "--chmod", "1777", "d19", "cmd", NULL
  };

  ck_assert_int_eq (parse_v (argv), OPTIONS_RUN);
  ck_assert_uint_eq (plan.n_ops, N_ELEMENTS (expected));
  for (size_t i = 0; i < N_ELEMENTS (expected); i++)
    {
      const struct setup_op *op = op_at (i, expected[i].kind);
      if (expected[i].source)
        ck_assert_str_eq (op->source, expected[i].source);
      else
        ck_assert_ptr_null (op->source);
      ck_assert_str_eq (op->dest, expected[i].dest);
      ck_assert_int_eq (op->fd, expected[i].fd);
      ck_assert_uint_eq (op->flags, expected[i].flags);
      ck_assert_uint_eq (op->n_layers, 0);
    }
  ck_assert_uint_eq (plan.ops[18].perms, 01777);
  ck_assert_ptr_ne (plan.ops[0].source, argv[2]);
  ck_assert_uint_eq (plan.n_command, 1);
}
END_TEST

START_TEST (test_perms_attach_to_next_op_only)
{
  OK ("--perms", "0700", "--dir", "a", "--dir", "b");
  ck_assert_uint_eq (op_at (0, SETUP_OP_DIR)->flags, SETUP_OP_FLAG_HAS_PERMS);
  ck_assert_uint_eq (plan.ops[0].perms, 0700);
  ck_assert_uint_eq (op_at (1, SETUP_OP_DIR)->flags, 0);

  OK ("--perms", "0640", "--file", "3", "f", "--perms", "600", "--bind-data", "4", "g",
      "--perms", "0444", "--ro-bind-data", "5", "h", "--perms", "01777", "--tmpfs", "t");
  ck_assert_uint_eq (op_at (0, SETUP_OP_FILE)->perms, 0640);
  ck_assert_uint_eq (op_at (1, SETUP_OP_BIND_DATA)->perms, 0600);
  ck_assert_uint_eq (op_at (2, SETUP_OP_RO_BIND_DATA)->perms, 0444);
  ck_assert_uint_eq (op_at (3, SETUP_OP_TMPFS)->perms, 01777);
  for (size_t i = 0; i < 4; i++)
    ck_assert_uint_eq (plan.ops[i].flags, SETUP_OP_FLAG_HAS_PERMS);
}
END_TEST

START_TEST (test_perms_and_size_in_either_order)
{
  unsigned both = SETUP_OP_FLAG_HAS_PERMS | SETUP_OP_FLAG_HAS_SIZE;

  OK ("--perms", "0700", "--size", "4096", "--tmpfs", "t", "--size", "0x10", "--tmpfs", "u",
      "--size", "010", "--perms", "0", "--tmpfs", "v", "--tmpfs", "w");
  ck_assert_uint_eq (op_at (0, SETUP_OP_TMPFS)->flags, both);
  ck_assert_uint_eq (plan.ops[0].perms, 0700);
  ck_assert_uint_eq (plan.ops[0].size, 4096);
  ck_assert_uint_eq (op_at (1, SETUP_OP_TMPFS)->flags, SETUP_OP_FLAG_HAS_SIZE);
  ck_assert_uint_eq (plan.ops[1].size, 16);
  ck_assert_uint_eq (op_at (2, SETUP_OP_TMPFS)->flags, both);
  ck_assert_uint_eq (plan.ops[2].size, 8);
  ck_assert_uint_eq (plan.ops[2].perms, 0);
  ck_assert_uint_eq (op_at (3, SETUP_OP_TMPFS)->flags, 0);

  OK ("--size", "9223372036854775807", "--tmpfs", "t");
  ck_assert_uint_eq (op_at (0, SETUP_OP_TMPFS)->size, 9223372036854775807ull);
}
END_TEST

START_TEST (test_pending_modifier_ignored_at_end)
{
  OK ("--perms", "0700", "cmd");
  ck_assert_uint_eq (plan.n_ops, 0);
  ck_assert_uint_eq (plan.n_command, 1);
  OK ("--size", "1", "--perms", "0700", "--");
  ck_assert_uint_eq (plan.n_ops, 0);
  OK ("--dir", "d", "--perms", "0700");
  ck_assert_uint_eq (op_at (0, SETUP_OP_DIR)->flags, 0);
}
END_TEST

/* ---- Overlays ----------------------------------------------------------- */

START_TEST (test_overlay_layers_are_consumed)
{
  OK ("--overlay-src", "l1", "--overlay-src", "l2", "--overlay", "rw", "wd", "d1",
      "--overlay-src", "l3", "--tmp-overlay", "d2",
      "--overlay-src", "l4", "--overlay-src", "l5", "--ro-overlay", "d3",
      "--overlay-src", "l6", "--size", "1048576", "--tmp-overlay", "d4", "cmd");
  ck_assert_uint_eq (plan.n_ops, 4);

  const struct setup_op *op = op_at (0, SETUP_OP_OVERLAY);
  ck_assert_uint_eq (op->n_layers, 2);
  ck_assert_str_eq (op->layers[0], "l1");
  ck_assert_str_eq (op->layers[1], "l2");
  ck_assert_str_eq (op->source, "rw");
  ck_assert_str_eq (op->workdir, "wd");
  ck_assert_str_eq (op->dest, "d1");

  op = op_at (1, SETUP_OP_TMP_OVERLAY);
  ck_assert_uint_eq (op->n_layers, 1);
  ck_assert_str_eq (op->layers[0], "l3");
  ck_assert_str_eq (op->dest, "d2");
  ck_assert_ptr_null (op->source);
  ck_assert_uint_eq (op->overlay_index, 0);
  ck_assert_uint_eq (op->flags, 0);

  op = op_at (2, SETUP_OP_RO_OVERLAY);
  ck_assert_uint_eq (op->n_layers, 2);
  ck_assert_str_eq (op->layers[0], "l4");
  ck_assert_str_eq (op->layers[1], "l5");
  ck_assert_ptr_null (op->workdir);

  /* Extension: --size between the last --overlay-src and --tmp-overlay. */
  op = op_at (3, SETUP_OP_TMP_OVERLAY);
  ck_assert_uint_eq (op->n_layers, 1);
  ck_assert_str_eq (op->layers[0], "l6");
  ck_assert_uint_eq (op->overlay_index, 1);
  ck_assert_uint_eq (op->flags, SETUP_OP_FLAG_HAS_SIZE);
  ck_assert_uint_eq (op->size, 1048576);
  ck_assert_uint_eq (plan.n_tmp_overlays, 2);
}
END_TEST

static void
parse_layers (size_t n_layers)
{
  const char **v = long_argv (NONE, NULL, 0, NONE);
  size_t n = 1;

  v = xrealloc (v, (2 * n_layers + 8) * sizeof (char *));
  for (size_t i = 0; i < n_layers; i++)
    {
      v[n++] = "--overlay-src";
      v[n++] = "layer";
    }
  v[n++] = "--tmp-overlay";
  v[n++] = "/d";
  v[n] = NULL;
  parse_v (v);
  free (v);
}

START_TEST (test_layer_limit)
{
  parse_layers (PLAN_MAX_LAYERS);
  ck_assert_int_eq (rc, OPTIONS_RUN);
  ck_assert_uint_eq (op_at (0, SETUP_OP_TMP_OVERLAY)->n_layers, PLAN_MAX_LAYERS);

  parse_layers (PLAN_MAX_LAYERS + 1);
  assert_error (-EINVAL, 0, "--overlay-src: too many layers (501), the kernel allows at most 500");
}
END_TEST

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

/* ---- Every misuse gives bubblewrap's exact message ---------------------- */

struct error_case
{
  const char *args[12];
  const char *message;
  bool setuid;
};

#define TAKES_AN(opt) { { opt }, opt " takes an argument" }
#define TAKES_ONE(opt) { { opt }, opt " takes one argument" }
#define TAKES_TWO(opt) { { opt, "a" }, opt " takes two arguments" }
#define PLACEMENT "--overlay-src must be followed by another --overlay-src or one of " \
                  "--overlay, --tmp-overlay, or --ro-overlay"
#define PERMS_MISPLACED "--perms must be followed by an option that creates a file"
#define SIZE_MISPLACED "--size must be followed by --tmpfs or --tmp-overlay"
#define SIZE_BAD "--size takes a non-zero number of bytes"
#define PERMS_BAD "--perms takes an octal argument <= 07777"
#define CHMOD_BAD "--chmod takes an octal argument <= 07777"
#define NO_SETUID(opt) "The " opt " option is not permitted in setuid mode"

static const struct error_case error_cases[] = {
  /* Arity (reference 1.3). */
  TAKES_AN ("--args"), TAKES_AN ("--proc"), TAKES_AN ("--dev"), TAKES_AN ("--tmpfs"),
  TAKES_AN ("--mqueue"), TAKES_AN ("--dir"), TAKES_AN ("--lock-file"), TAKES_AN ("--sync-fd"),
  TAKES_AN ("--block-fd"), TAKES_AN ("--userns-block-fd"), TAKES_AN ("--info-fd"),
  TAKES_AN ("--json-status-fd"), TAKES_AN ("--seccomp"), TAKES_AN ("--add-seccomp-fd"),
  TAKES_AN ("--userns"), TAKES_AN ("--userns2"), TAKES_AN ("--pidns"), TAKES_AN ("--unsetenv"),
  TAKES_AN ("--uid"), TAKES_AN ("--gid"), TAKES_AN ("--hostname"), TAKES_AN ("--cap-add"),
  TAKES_AN ("--cap-drop"), TAKES_AN ("--perms"), TAKES_AN ("--size"), TAKES_AN ("--exec-label"),
  TAKES_AN ("--file-label"), TAKES_AN ("--tmp-overlay"), TAKES_AN ("--ro-overlay"),
  TAKES_ONE ("--argv0"), TAKES_ONE ("--chdir"), TAKES_ONE ("--remount-ro"),
  TAKES_TWO ("--bind"), TAKES_TWO ("--bind-try"), TAKES_TWO ("--ro-bind"),
  TAKES_TWO ("--ro-bind-try"), TAKES_TWO ("--dev-bind"), TAKES_TWO ("--dev-bind-try"),
  TAKES_TWO ("--file"), TAKES_TWO ("--bind-data"), TAKES_TWO ("--ro-bind-data"),
  TAKES_TWO ("--symlink"), TAKES_TWO ("--setenv"), TAKES_TWO ("--chmod"),
  { { "--bind" }, "--bind takes two arguments" },
  { { "--bind-fd", "3" }, "--bind-fd takes two arguments" },
  { { "--ro-bind-fd", "3" }, "--bind-fd takes two arguments" },
  { { "--ro-bind-fd" }, "--bind-fd takes two arguments" },
  { { "--overlay", "a", "b" }, "--overlay takes three arguments" },
  { { "--overlay" }, "--overlay takes three arguments" },
  { { "--overlay-src" }, PLACEMENT },
  /* Unknown words. */
  { { "--foo" }, "Unknown option --foo" },
  { { "-" }, "Unknown option -" },
  { { "-x", "cmd" }, "Unknown option -x" },
  { { "--bind=a", "b" }, "Unknown option --bind=a" },
  { { "--BIND", "a", "b" }, "Unknown option --BIND" },
  { { "--unshare" }, "Unknown option --unshare" },
  { { "--unshare-pid", "--unknown", "cmd" }, "Unknown option --unknown" },
  /* Numbers (reference 1.4). */
  { { "--args", "x" }, "Invalid fd: x" },
  { { "--sync-fd", "" }, "Invalid fd: " },
  { { "--block-fd", "-1" }, "Invalid fd: -1" },
  { { "--userns-block-fd", "3x" }, "Invalid fd: 3x" },
  { { "--info-fd", "x3" }, "Invalid fd: x3" },
  { { "--json-status-fd", "3 " }, "Invalid fd: 3 " },
  { { "--seccomp", "0x3" }, "Invalid fd: 0x3" },
  { { "--add-seccomp-fd", "-3" }, "Invalid fd: -3" },
  { { "--userns", "9999999999" }, "Invalid fd: 9999999999" },
  { { "--userns2", "1.0" }, "Invalid fd: 1.0" },
  { { "--pidns", " " }, "Invalid fd:  " },
  { { "--bind-fd", "x", "/d" }, "Invalid fd: x" },
  { { "--ro-bind-fd", "", "/d" }, "Invalid fd: " },
  { { "--file", "-1", "/d" }, "Invalid fd: -1" },
  { { "--bind-data", "a", "/d" }, "Invalid fd: a" },
  { { "--ro-bind-data", "3a", "/d" }, "Invalid fd: 3a" },
  { { "--uid", "x" }, "Invalid uid: x" },
  { { "--uid", "-1" }, "Invalid uid: -1" },
  { { "--uid", "4294967295" }, "Invalid uid: 4294967295" },
  { { "--uid", "99999999999" }, "Invalid uid: 99999999999" },
  { { "--gid", "" }, "Invalid gid: " },
  { { "--gid", "1e3" }, "Invalid gid: 1e3" },
  { { "--perms", "8", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "010000", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "0755x", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "-1", "--dir", "d" }, PERMS_BAD },
  { { "--chmod", "0800", "p" }, CHMOD_BAD },
  { { "--chmod", "", "p" }, CHMOD_BAD },
  { { "--chmod", "-1", "p" }, CHMOD_BAD },
  { { "--size", "0", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "x", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", " 1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "+1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "-1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "1k", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "0x", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "08", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "0x0", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "99999999999999999999999", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "9223372036854775808", "--tmpfs", "t" },
    "--size (for tmpfs) is limited to 9223372036854775807" },
  { { "--size", "0xffffffffffffffff", "--tmpfs", "t" },
    "--size (for tmpfs) is limited to 9223372036854775807" },
  /* Repeats (reference 1.5) and modifiers (2.3). */
  { { "--argv0", "a", "--argv0", "b" }, "--argv0 used multiple times" },
  { { "--argv0", "a", "--argv0" }, "--argv0 takes one argument" },
  { { "--perms", "0700", "--perms", "0700", "--dir", "d" }, "--perms given twice for the same action" },
  { { "--perms", "0700", "--size", "1", "--perms", "0700", "--tmpfs", "t" },
    "--perms given twice for the same action" },
  { { "--size", "1", "--size", "1", "--tmpfs", "t" }, "--size given twice for the same action" },
  { { "--perms", "0700", "--bind", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--chmod", "0700", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--symlink", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--setenv", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--unshare-pid" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--proc", "p" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--hostname", "h" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--overlay-src", "a", "--tmp-overlay", "x" }, PERMS_MISPLACED },
  { { "--overlay-src", "a", "--perms", "0700", "--tmp-overlay", "x" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--size", "1", "--bind", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--size", "1", "--dir", "d" }, SIZE_MISPLACED },
  { { "--size", "1", "--dir", "d" }, SIZE_MISPLACED },
  { { "--size", "1", "--file", "3", "f" }, SIZE_MISPLACED },
  { { "--size", "1", "--overlay-src", "a", "--tmp-overlay", "x" }, SIZE_MISPLACED },
  { { "--overlay-src", "a", "--size", "1", "--overlay-src", "b", "--tmp-overlay", "x" }, SIZE_MISPLACED },
  { { "--overlay-src", "a", "--overlay-src", "b", "--size", "1", "--ro-overlay", "x" }, SIZE_MISPLACED },
  { { "--overlay-src", "a", "--size", "1", "--overlay", "r", "w", "x" }, SIZE_MISPLACED },
  /* Overlays (reference 2.12). */
  { { "--overlay-src", "a", "--dir", "d" }, PLACEMENT },
  { { "--overlay-src", "a", "--unshare-pid" }, PLACEMENT },
  { { "--overlay-src", "a", "cmd" }, PLACEMENT },
  { { "--overlay-src", "a", "--", "cmd" }, PLACEMENT },
  { { "--overlay-src", "a" }, PLACEMENT },
  { { "--overlay-src", "a", "--overlay-src" }, PLACEMENT },
  { { "--overlay", "r", "w", "d" }, "--overlay requires at least one --overlay-src" },
  { { "--tmp-overlay", "d" }, "--tmp-overlay requires at least one --overlay-src" },
  { { "--ro-overlay", "d" }, "--ro-overlay requires at least two --overlay-src" },
  { { "--overlay-src", "a", "--ro-overlay", "d" }, "--ro-overlay requires at least two --overlay-src" },
  { { "--overlay-src", "a", "--tmp-overlay", "d", "--tmp-overlay", "e" },
    "--tmp-overlay requires at least one --overlay-src" },
  /* Seccomp mixing (8), environment (5.2), caps (4), labels (2.13). */
  { { "--seccomp", "3", "--add-seccomp-fd", "4" }, "--add-seccomp-fd cannot be combined with --seccomp" },
  { { "--add-seccomp-fd", "4", "--seccomp", "3" }, "--seccomp cannot be combined with --add-seccomp-fd" },
  { { "--setenv", "", "v" }, "setenv failed" },
  { { "--setenv", "A=B", "v" }, "setenv failed" },
  { { "--unsetenv", "" }, "unsetenv failed" },
  { { "--unsetenv", "A=B" }, "unsetenv failed" },
  { { "--cap-add", "net_raw" }, "unknown cap: net_raw" },
  { { "--cap-drop", "CAP_NOPE" }, "unknown cap: CAP_NOPE" },
  { { "--cap-add", "" }, "unknown cap: " },
  { { "--cap-add", "64" }, "unknown cap: 64" },
  { { "--exec-label", "x" }, "labeling not supported on this system" },
  { { "--file-label", "x" }, "labeling not supported on this system" },
  /* Setuid refusals (9): before the arity check. */
  { { "--size", "1", "--tmpfs", "t" }, NO_SETUID ("--size"), true },
  { { "--size" }, NO_SETUID ("--size"), true },
  { { "--overlay-src", "a", "--tmp-overlay", "d" }, NO_SETUID ("--overlay-src"), true },
  { { "--overlay", "a", "b", "c" }, NO_SETUID ("--overlay"), true },
  { { "--overlay" }, NO_SETUID ("--overlay"), true },
  { { "--tmp-overlay", "d" }, NO_SETUID ("--tmp-overlay"), true },
  { { "--ro-overlay", "d" }, NO_SETUID ("--ro-overlay"), true },
};

START_TEST (test_error_case)
{
  const struct error_case *c = &error_cases[_i];
  const char *argv[N_ELEMENTS (c->args) + 2] = { "bwrap" };

  for (size_t i = 0; i < N_ELEMENTS (c->args) && c->args[i] != NULL; i++)
    argv[i + 1] = c->args[i];
  ctx.is_setuid = c->setuid;
  parse_v (argv);
  ck_assert_msg (rc == -EINVAL, "%s: rc %d", c->args[0], rc);
  ck_assert_str_eq (err.message, c->message);
  ck_assert_int_eq (err.errnum, 0);
}
END_TEST

START_TEST (test_setuid_allows_the_rest)
{
  ctx.is_setuid = true;
  OK ("--perms", "0700", "--tmpfs", "t", "--userns", "3", "--userns2", "4", "--pidns", "5",
      "--cap-add", "CAP_NET_RAW", "cmd");
  ck_assert_int_eq (plan.userns_fd, 3);
  ck_assert_uint_eq (op_at (0, SETUP_OP_TMPFS)->flags, SETUP_OP_FLAG_HAS_PERMS);
}
END_TEST

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

/* Rows pair a rule with a later one to pin the order of reference 11. */
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
  tcase_add_test (tc, test_env_edits_in_order);
  tcase_add_test (tc, test_lock_files);
  tcase_add_test (tc, test_cap_edits);
  tcase_add_test (tc, test_seccomp_fds);
  tcase_add_test (tc, test_all_fs_ops);
  tcase_add_test (tc, test_perms_attach_to_next_op_only);
  tcase_add_test (tc, test_perms_and_size_in_either_order);
  tcase_add_test (tc, test_pending_modifier_ignored_at_end);
  tcase_add_test (tc, test_overlay_layers_are_consumed);
  tcase_add_test (tc, test_layer_limit);
  tcase_add_test (tc, test_args_words);
  tcase_add_test (tc, test_args_stop_words);
  tcase_add_test (tc, test_args_nested);
  tcase_add_test (tc, test_args_nothing_crosses_the_end);
  tcase_add_test (tc, test_args_read_errors);
  tcase_add_test (tc, test_args_help_and_warnings);
  tcase_add_test (tc, test_argument_limit);
  tcase_add_test (tc, test_argument_limit_with_args_file);
  tcase_add_test (tc, test_help_and_version_act_when_reached);
  tcase_add_loop_test (tc, test_error_case, 0, N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_setuid_allows_the_rest);
  tcase_add_test (tc, test_every_option_is_known);
  tcase_add_loop_test (tc, test_rule_case, 0, N_ELEMENTS (rule_cases));
  tcase_add_test (tc, test_validate_implicit_userns);
  tcase_add_test (tc, test_validate_without_command);
  tcase_add_test (tc, test_usage_text);
  tcase_add_test (tc, test_usage_metavariables);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
