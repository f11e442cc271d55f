/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-changes-entry.c: how bwrap-changes judges one upper entry against
 * TARGET (changes/entry.c): whiteouts in both forms, opaque directories,
 * type changes, copy-ups that changed nothing, the directories bwrap's
 * split overlay makes; the overlay marks read from xattr names; the PATH
 * selection; and the command line (changes/args.c).  Pure; no
 * privileges. */
#include <check.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "args.h"
#include "entry.h"
#include "unit-main.h"

static struct stat
st_of (mode_t mode, off_t size, uid_t uid, time_t mtime)
{
  struct stat st = { 0 };

  st.st_mode = mode;
  st.st_size = size;
  st.st_uid = uid;
  st.st_gid = uid;
  st.st_mtim.tv_sec = mtime;
  return st;
}

#define REG(m, size) st_of (S_IFREG | (m), (size), 1000, 100)
#define DIR_(m) st_of (S_IFDIR | (m), 4096, 1000, 100)

START_TEST (test_marks)
{
  static const char names[] = "user.overlay.origin\0security.selinux\0trusted.overlay.opaque\0"
                              "user.overlay.whiteout\0user.overlay.impure\0user.other\0";
  static const char redirect[] = "trusted.overlay.redirect\0user.overlay.metacopy\0";
  static const char near[] = "user.overlay.opaquex\0overlay.opaque\0user.overlay\0";

  ck_assert_uint_eq (entry_marks_of_xattrs (names, sizeof names - 1),
                     MARK_ORIGIN | MARK_OPAQUE | MARK_WHITEOUT);
  ck_assert_uint_eq (entry_marks_of_xattrs (redirect, sizeof redirect - 1),
                     MARK_REDIRECT | MARK_METACOPY);
  ck_assert_uint_eq (entry_marks_of_xattrs (near, sizeof near - 1), 0);
  ck_assert_uint_eq (entry_marks_of_xattrs ("", 0), 0);
  ck_assert (entry_opaque_value ("y", 1));
  ck_assert (!entry_opaque_value ("x", 1));   /* "may hold xattr whiteouts" */
  ck_assert (!entry_opaque_value ("yes", 3));
  ck_assert (!entry_opaque_value ("", 0));
}
END_TEST

START_TEST (test_whiteouts)
{
  struct stat c00 = st_of (S_IFCHR | 0, 0, 1000, 1);
  struct stat c13 = st_of (S_IFCHR | 0600, 0, 1000, 1);
  struct stat empty = REG (0644, 0), full = REG (0644, 1);

  c13.st_rdev = makedev (1, 3);
  ck_assert (entry_is_whiteout (&c00, 0));
  ck_assert (!entry_is_whiteout (&c13, 0));           /* /dev/null, not a whiteout */
  ck_assert (entry_is_whiteout (&empty, MARK_WHITEOUT));
  ck_assert (!entry_is_whiteout (&empty, 0));         /* just an empty file */
  ck_assert (!entry_is_whiteout (&full, MARK_WHITEOUT));
}
END_TEST

/* judge: upper (or NULL), marks, opaque, empty, lower (or NULL), flags
 * -> kind, what, compare, descend, report_after. */
static void
expect (struct verdict v, enum change_kind kind, unsigned what, bool compare, enum descend descend,
        bool after, const char *what_case)
{
  ck_assert_msg (v.kind == kind, "%s: kind %d, want %d", what_case, v.kind, kind);
  ck_assert_msg (v.what == what, "%s: what %#x, want %#x", what_case, v.what, what);
  ck_assert_msg (v.compare == compare, "%s: compare %d", what_case, v.compare);
  ck_assert_msg (v.descend == descend, "%s: descend %d, want %d", what_case, v.descend, descend);
  ck_assert_msg (v.report_after == after, "%s: report_after %d", what_case, v.report_after);
  ck_assert (!v.unsupported);
}

START_TEST (test_judge_files)
{
  struct stat f = REG (0644, 10), f_same = REG (0644, 10), f_big = REG (0644, 11);
  struct stat f_mode = REG (0755, 10), f_owner = st_of (S_IFREG | 0644, 10, 0, 100);
  struct stat f_time = st_of (S_IFREG | 0644, 10, 1000, 200);
  struct stat l1 = st_of (S_IFLNK | 0777, 3, 1000, 1), l2 = st_of (S_IFLNK | 0777, 4, 1000, 1);
  struct stat fifo = st_of (S_IFIFO | 0644, 0, 1000, 1), sock = st_of (S_IFSOCK | 0755, 0, 1000, 1);

  expect (entry_judge (&f, 0, 0, NULL, 0), CHANGE_ADDED, 0, false, DESCEND_NONE, false,
          "new file");
  /* Equal sizes: the bytes decide (a copy-up alone is no change). */
  expect (entry_judge (&f, 0, 0, &f_same, 0), CHANGE_NONE, 0, true, DESCEND_NONE,
          false, "same size");
  expect (entry_judge (&f_big, 0, 0, &f, 0), CHANGE_MODIFIED, WHAT_CONTENT, false,
          DESCEND_NONE, false, "other size");
  expect (entry_judge (&f_mode, 0, 0, &f, 0), CHANGE_MODIFIED, WHAT_MODE, true,
          DESCEND_NONE, false, "chmod");
  /* Owners only for root; times only with --times. */
  expect (entry_judge (&f_owner, 0, 0, &f, 0), CHANGE_NONE, 0, true, DESCEND_NONE,
          false, "owner, as a user");
  expect (entry_judge (&f_owner, 0, 0, &f, JUDGE_OWNERS), CHANGE_MODIFIED, WHAT_OWNER,
          true, DESCEND_NONE, false, "owner, as root");
  expect (entry_judge (&f_time, 0, 0, &f, 0), CHANGE_NONE, 0, true, DESCEND_NONE, false,
          "touch");
  expect (entry_judge (&f_time, 0, 0, &f, JUDGE_TIMES), CHANGE_MODIFIED, WHAT_TIME,
          true, DESCEND_NONE, false, "touch --times");
  /* Symlinks: the target decides, never the mode. */
  expect (entry_judge (&l1, 0, 0, &l2, 0), CHANGE_MODIFIED, WHAT_TARGET, false,
          DESCEND_NONE, false, "other target length");
  expect (entry_judge (&l1, 0, 0, &l1, 0), CHANGE_NONE, 0, true, DESCEND_NONE, false,
          "symlink, same length");
  /* Type changes. */
  expect (entry_judge (&l1, 0, 0, &f, 0), CHANGE_TYPE_CHANGED, 0, false, DESCEND_NONE,
          false, "file to symlink");
  expect (entry_judge (&fifo, 0, 0, NULL, 0), CHANGE_ADDED, 0, false, DESCEND_NONE,
          false, "fifo");
  expect (entry_judge (&sock, 0, 0, &fifo, 0), CHANGE_TYPE_CHANGED, 0, false,
          DESCEND_NONE, false, "fifo to socket");
}
END_TEST

START_TEST (test_judge_deletions)
{
  struct stat wh = st_of (S_IFCHR, 0, 1000, 1), xwh = REG (0644, 0);
  struct stat f = REG (0644, 10), d = DIR_ (0755);

  expect (entry_judge (&wh, 0, 0, &f, 0), CHANGE_DELETED, 0, false, DESCEND_NONE, false,
          "whiteout over a file");
  expect (entry_judge (&xwh, MARK_WHITEOUT, 0, &f, 0), CHANGE_DELETED, 0, false,
          DESCEND_NONE, false, "xattr whiteout over a file");
  /* A deleted directory: each entry below, the directory after them. */
  expect (entry_judge (&wh, 0, 0, &d, 0), CHANGE_DELETED, 0, false, DESCEND_DELETE, true,
          "whiteout over a directory");
  expect (entry_judge (&wh, 0, 0, NULL, 0), CHANGE_NONE, 0, false, DESCEND_NONE, false,
          "whiteout over nothing");
  /* Below an opaque or deleted directory: TARGET's entries alone. */
  expect (entry_judge (NULL, 0, 0, &f, 0), CHANGE_DELETED, 0, false, DESCEND_NONE, false,
          "TARGET's file under an opaque directory");
  expect (entry_judge (NULL, 0, 0, &d, 0), CHANGE_DELETED, 0, false, DESCEND_DELETE, true,
          "TARGET's directory under an opaque directory");
  /* A file where a directory was: empty the directory first. */
  expect (entry_judge (&f, 0, 0, &d, 0), CHANGE_TYPE_CHANGED, 0, false, DESCEND_DELETE,
          true, "directory to file");
}
END_TEST

START_TEST (test_judge_dirs)
{
  struct stat d = DIR_ (0755), d_700 = DIR_ (0700), f = REG (0644, 1);
  struct stat d_other = st_of (S_IFDIR | 0755, 4096, 0, 100);       /* root's, on the host */
  struct stat d_split = st_of (S_IFDIR | 0555, 4096, 1000, 300);    /* bwrap's piece of it */
  struct stat d_newer = st_of (S_IFDIR | 0755, 4096, 1000, 300);
  struct verdict v;

  expect (entry_judge (&d, 0, 0, NULL, 0), CHANGE_ADDED, 0, false, DESCEND_ADD, false,
          "new directory");
  expect (entry_judge (&d, 0, 0, &f, 0), CHANGE_TYPE_CHANGED, 0, false, DESCEND_ADD,
          false, "file to directory");
  expect (entry_judge (&d, MARK_ORIGIN, 0, &d, 0), CHANGE_NONE, 0, false, DESCEND_MERGE,
          false, "copied-up directory");
  expect (entry_judge (&d_700, MARK_ORIGIN, 0, &d, 0), CHANGE_MODIFIED, WHAT_MODE,
          false, DESCEND_MERGE, false, "chmod of a directory");
  expect (entry_judge (&d, MARK_OPAQUE, FACT_OPAQUE, &d, 0), CHANGE_NONE, 0, false, DESCEND_OPAQUE,
          false, "removed and made again");
  expect (entry_judge (&d_700, MARK_OPAQUE, FACT_OPAQUE | FACT_EMPTY_DIR, &d, 0), CHANGE_MODIFIED, WHAT_MODE, false,
          DESCEND_OPAQUE, false, "made again with another mode");
  /* A split overlay's piece: as a user, another owner's directory gets
   * the caller's rights; and none gets the host's time. */
  expect (entry_judge (&d_split, MARK_ORIGIN, FACT_EMPTY_DIR, &d_other, JUDGE_TIMES), CHANGE_NONE, 0,
          false, DESCEND_MERGE, false, "split piece, as a user");
  expect (entry_judge (&d_split, 0, 0, &d_other, JUDGE_OWNERS), CHANGE_MODIFIED,
          WHAT_MODE | WHAT_OWNER, false, DESCEND_MERGE, false, "not so as root");
  expect (entry_judge (&d_newer, 0, 0, &d, JUDGE_TIMES), CHANGE_MODIFIED, WHAT_TIME,
          false, DESCEND_MERGE, false, "a directory with new entries, --times");
  /* A file mount point: the split leaves an empty file with no marks. */
  {
    struct stat empty = REG (0644, 0), mounted = REG (0644, 40);
    expect (entry_judge (&empty, 0, FACT_MOUNT_ROOT, &mounted, 0), CHANGE_NONE, 0, false,
            DESCEND_NONE, false, "file mount point");
    expect (entry_judge (&empty, MARK_ORIGIN, FACT_MOUNT_ROOT, &mounted, 0), CHANGE_MODIFIED,
            WHAT_CONTENT, false, DESCEND_NONE, false, "a file mount point emptied (a copy-up)");
    expect (entry_judge (&empty, 0, 0, &mounted, 0), CHANGE_MODIFIED, WHAT_CONTENT, false,
            DESCEND_NONE, false, "not a mount point");
  }
  /* Merged with a TARGET directory that is gone since: lazy. */
  v = entry_judge (&d, MARK_ORIGIN, FACT_EMPTY_DIR, NULL, 0);
  ck_assert (v.kind == CHANGE_ADDED && v.lazy && v.descend == DESCEND_ADD);
  v = entry_judge (&d, 0, FACT_EMPTY_DIR, NULL, 0);
  ck_assert (v.kind == CHANGE_ADDED && !v.lazy);
  /* redirect_dir, metacopy: refused. */
  v = entry_judge (&d, MARK_REDIRECT, 0, &d, 0);
  ck_assert (v.unsupported);
  v = entry_judge (&f, MARK_METACOPY, 0, &f, 0);
  ck_assert (v.unsupported);
}
END_TEST

START_TEST (test_verdict_differs)
{
  struct stat f = REG (0644, 1), l = st_of (S_IFLNK | 0777, 1, 0, 0);
  struct verdict v = { .kind = CHANGE_NONE, .compare = true };

  entry_verdict_differs (&v, false, &f);
  ck_assert (v.kind == CHANGE_NONE && v.what == 0 && !v.compare);
  v = (struct verdict) { .kind = CHANGE_MODIFIED, .what = WHAT_MODE, .compare = true };
  entry_verdict_differs (&v, true, &f);
  ck_assert (v.kind == CHANGE_MODIFIED && v.what == (WHAT_MODE | WHAT_CONTENT));
  v = (struct verdict) { .compare = true };
  entry_verdict_differs (&v, true, &l);
  ck_assert (v.kind == CHANGE_MODIFIED && v.what == WHAT_TARGET);
}
END_TEST

START_TEST (test_names)
{
  ck_assert_int_eq (change_letter (CHANGE_ADDED), 'A');
  ck_assert_int_eq (change_letter (CHANGE_MODIFIED), 'M');
  ck_assert_int_eq (change_letter (CHANGE_DELETED), 'D');
  ck_assert_int_eq (change_letter (CHANGE_TYPE_CHANGED), 'T');
  ck_assert_str_eq (change_name (CHANGE_TYPE_CHANGED), "type-changed");
  ck_assert_str_eq (change_what_name (WHAT_TARGET), "target");
  ck_assert_str_eq (entry_type_name (S_IFCHR), "char-device");
  ck_assert_str_eq (entry_type_name (S_IFDIR | 0755), "directory");
}
END_TEST

/* ---- PATH selection --------------------------------------------------- */

START_TEST (test_selection)
{
  char *args[] = { "/home/you/new/", "./a//b/.", "c" };
  char *bad[] = { "ok", "x/../y" };
  struct bwrap_error err = { 0 };
  struct selection sel, all;

  ck_assert_int_eq (selection_init (&sel, args, 3, &err), 0);
  ck_assert_str_eq (sel.paths[0], "home/you/new");
  ck_assert_str_eq (sel.paths[1], "a/b");
  ck_assert_int_eq (selection_match (&sel, "home/you/new"), SELECT_IN);
  ck_assert_int_eq (selection_match (&sel, "home/you/new/x/y"), SELECT_IN);
  ck_assert_int_eq (selection_match (&sel, "home/you"), SELECT_ANCESTOR);
  ck_assert_int_eq (selection_match (&sel, ""), SELECT_ANCESTOR);
  ck_assert_int_eq (selection_match (&sel, "home/you/newer"), SELECT_OUT);
  ck_assert_int_eq (selection_match (&sel, "home/yo"), SELECT_OUT);
  ck_assert_int_eq (selection_match (&sel, "a"), SELECT_ANCESTOR);
  ck_assert_int_eq (selection_match (&sel, "c"), SELECT_IN);
  ck_assert_int_eq (selection_match (&sel, "cc"), SELECT_OUT);
  selection_free (&sel);

  ck_assert_int_eq (selection_init (&all, NULL, 0, &err), 0);
  ck_assert_int_eq (selection_match (&all, "anything"), SELECT_IN);
  selection_free (&all);
  {
    char *dot[] = { "." };
    ck_assert_int_eq (selection_init (&all, dot, 1, &err), 0);
    ck_assert_int_eq (selection_match (&all, "x/y"), SELECT_IN);
    selection_free (&all);
  }
  ck_assert_int_eq (selection_init (&sel, bad, 2, &err), -EINVAL);
  ck_assert_str_eq (err.message, "x/../y: a PATH may not contain \"..\"");
  bwrap_error_clear (&err);
}
END_TEST

/* ---- the command line -------------------------------------------------- */

static int
parse (struct changes_args *a, struct bwrap_error *err, ...)
{
  char *argv[16] = { "bwrap-changes" };
  int argc = 1;
  va_list ap;
  char *s;

  va_start (ap, err);
  while ((s = va_arg (ap, char *)) != NULL)
    argv[argc++] = s;
  va_end (ap);
  bwrap_error_clear (err);
  return changes_args_parse (argc, argv, a, err);
}

START_TEST (test_args)
{
  struct bwrap_error err = { 0 };
  struct changes_args a;

  ck_assert_int_eq (parse (&a, &err, "status", "--json", "up", "t", "p1", "--times", "p2", NULL), 0);
  ck_assert (a.command == COMMAND_STATUS && a.format == REPORT_JSON && a.times && !a.exit_code);
  ck_assert_str_eq (a.upper, "up");
  ck_assert_str_eq (a.target, "t");
  ck_assert_uint_eq (a.n_paths, 2);
  ck_assert_str_eq (a.paths[0], "p1");
  ck_assert_str_eq (a.paths[1], "p2");
  changes_args_free (&a);

  ck_assert_int_eq (parse (&a, &err, "apply", "--dry-run", "-z", "--allow-special", "u", "t", "--",
                           "-odd", NULL), 0);
  ck_assert (a.command == COMMAND_APPLY && a.dry_run && a.allow_special && a.format == REPORT_NUL);
  ck_assert_uint_eq (a.n_paths, 1);
  ck_assert_str_eq (a.paths[0], "-odd");
  changes_args_free (&a);

  ck_assert_int_eq (parse (&a, &err, "clean", "u", NULL), 0);
  ck_assert (a.command == COMMAND_CLEAN && a.target == NULL);
  changes_args_free (&a);
  ck_assert_int_eq (parse (&a, &err, "diff", "--exit-code", "u", "t", NULL), 0);
  ck_assert (a.command == COMMAND_DIFF && a.exit_code);
  changes_args_free (&a);
  ck_assert_int_eq (parse (&a, &err, "--version", NULL), 0);
  ck_assert (a.command == COMMAND_VERSION);
  ck_assert_int_eq (parse (&a, &err, "status", "--help", NULL), 0);
  ck_assert (a.command == COMMAND_HELP);
  changes_args_free (&a);
}
END_TEST

static const struct
{
  const char *argv[6];
  const char *message;
} arg_errors[] = {
  { { NULL }, "no COMMAND given (status, diff, apply or clean; see --help)" },
  { { "stats", "u", "t" }, "unknown command stats (status, diff, apply or clean; see --help)" },
  { { "status", "--frobnicate", "u", "t" }, "status: unknown option --frobnicate" },
  { { "status", "--dry-run", "u", "t" }, "status: --dry-run is not an option of status" },
  { { "diff", "--json", "u", "t" }, "diff: --json is not an option of diff" },
  { { "clean", "--times", "u" }, "clean: --times is not an option of clean" },
  { { "status", "--json", "-z", "u", "t" }, "status: --json and -z exclude each other" },
  { { "status", "u" }, "status: UPPER and TARGET are required" },
  { { "apply" }, "apply: UPPER and TARGET are required" },
  { { "clean" }, "clean: takes UPPER and, optionally, WORKDIR" },
  { { "clean", "u", "w", "x" }, "clean: takes UPPER and, optionally, WORKDIR" },
};

START_TEST (test_arg_errors)
{
  char *argv[8] = { "bwrap-changes" };
  struct bwrap_error err = { 0 };
  struct changes_args a;
  int argc = 1;

  for (int i = 0; arg_errors[_i].argv[i] != NULL; i++)
    argv[argc++] = (char *) arg_errors[_i].argv[i];
  ck_assert_int_eq (changes_args_parse (argc, argv, &a, &err), -EINVAL);
  ck_assert_str_eq (err.message, arg_errors[_i].message);
  ck_assert_int_eq (err.errnum, 0);
  changes_args_free (&a);
  bwrap_error_clear (&err);
}
END_TEST

static Suite *
entry_suite (void)
{
  Suite *s = suite_create ("changes-entry");
  TCase *tc = tcase_create ("entry");

  tcase_add_test (tc, test_marks);
  tcase_add_test (tc, test_whiteouts);
  tcase_add_test (tc, test_judge_files);
  tcase_add_test (tc, test_judge_deletions);
  tcase_add_test (tc, test_judge_dirs);
  tcase_add_test (tc, test_verdict_differs);
  tcase_add_test (tc, test_names);
  tcase_add_test (tc, test_selection);
  tcase_add_test (tc, test_args);
  tcase_add_loop_test (tc, test_arg_errors, 0, N_ELEMENTS (arg_errors));
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (entry_suite ());
}
