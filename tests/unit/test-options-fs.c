/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options-fs.c: options_parse turning filesystem options into setup
 * ops: every op kind, --perms and --size attaching to the next op only,
 * and overlays consuming their --overlay-src layers up to the kernel's
 * limit.  Uses options-fixture.h.  No privileges. */
#include <check.h>
#include <stdlib.h>

#include "options-fixture.h"
#include "unit-main.h"

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

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("fs");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_all_fs_ops);
  tcase_add_test (tc, test_perms_attach_to_next_op_only);
  tcase_add_test (tc, test_perms_and_size_in_either_order);
  tcase_add_test (tc, test_pending_modifier_ignored_at_end);
  tcase_add_test (tc, test_overlay_layers_are_consumed);
  tcase_add_test (tc, test_layer_limit);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
