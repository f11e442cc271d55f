/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-resolve-walk.c: the classic path walk that stands in for
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS), and the kernel-api
 * fallback switch.  Every walk result is also compared with openat2's
 * where the kernel has it, so the two paths of resolve_open are held to
 * the same answers; the same for the RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS variant bwrap-changes writes with.  Works in a
 * mktemp -d tree; no privileges. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel-api.h"
#include "resolve-walk.h"
#include "utils.h"
#include "unit-main.h"

static char top[PATH_MAX];   /* mktemp dir: holds "root" and "secret" */
static int root_fd = -1;
static bool beneath_mode;   /* checking resolve_walk_open_beneath */

static void
put (const char *rel, const char *content)
{
  char path[PATH_MAX * 2];
  FILE *f;

  snprintf (path, sizeof path, "%s/%s", top, rel);
  f = fopen (path, "w");
  ck_assert_ptr_nonnull (f);
  fputs (content, f);
  fclose (f);
}

static void
link_at (const char *target, const char *rel)
{
  char path[PATH_MAX * 2];

  snprintf (path, sizeof path, "%s/root/%s", top, rel);
  ck_assert_int_eq (symlink (target, path), 0);
}

static void
setup (void)
{
  char path[PATH_MAX * 2];

  snprintf (top, sizeof top, "/tmp/bwrap-walk.XXXXXX");
  ck_assert_ptr_nonnull (mkdtemp (top));
  snprintf (path, sizeof path, "%s/root", top);
  ck_assert_int_eq (mkdir (path, 0755), 0);
  snprintf (path, sizeof path, "%s/root/a", top);
  ck_assert_int_eq (mkdir (path, 0755), 0);
  snprintf (path, sizeof path, "%s/root/a/b", top);
  ck_assert_int_eq (mkdir (path, 0755), 0);
  put ("secret", "outside");
  put ("root/secret", "inside");
  put ("root/a/b/file", "file");
  link_at ("/a/b", "abs");
  link_at ("a/b", "rel");
  link_at ("b/file", "a/to-file");
  link_at ("../../../../..", "a/b/up");
  link_at ("../secret", "escape");
  snprintf (path, sizeof path, "%s/secret", top);
  link_at (path, "abs-outside");   /* the host path, taken inside the root */
  link_at ("loop2", "loop1");
  link_at ("loop1", "loop2");
  link_at ("self-loop", "self-loop");
  link_at ("/a/created", "dangling");
  link_at ("/proc/self/root", "to-proc-root");
  /* chain-0 -> chain-1 -> ... -> chain-40 -> a/b/file */
  for (int i = 0; i <= 40; i++)
    {
      char name[32], target[32];
      snprintf (name, sizeof name, "chain-%d", i);
      if (i == 40)
        snprintf (target, sizeof target, "a/b/file");
      else
        snprintf (target, sizeof target, "chain-%d", i + 1);
      link_at (target, name);
    }
  snprintf (path, sizeof path, "%s/root", top);
  root_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  ck_assert_int_ge (root_fd, 0);
  kernel_api_force (KERNEL_API_OPENAT2, false);
  beneath_mode = false;
}

static void
teardown (void)
{
  char cmd[PATH_MAX + 32];

  close (root_fd);
  snprintf (cmd, sizeof cmd, "rm -rf '%s'", top);
  ck_assert_int_eq (system (cmd), 0);
}

/* The kernel's answer, or -ENOSYS when it has no openat2 for us. */

static int
kernel_open (int dir_fd, const char *path, int flags)
{
  struct open_how how = {
    .flags = flags | O_CLOEXEC,
    .mode = (flags & O_CREAT) ? 0644 : 0,
    .resolve = beneath_mode ? RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS
                            : RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
  };
  int fd = syscall (SYS_openat2, dir_fd, *path ? path : ".", &how, sizeof how);
  return fd < 0 ? -errno : fd;
}

static bool
same_file (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0
         && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Walk path from dir_fd; expect -errno (expect_err) or a file whose
 * content starts with expect_content (NULL: just an fd).  Then check
 * openat2 agrees. */
static void
check_walk (int dir_fd, const char *path, int flags, int expect_err, const char *expect_content)
{
  int fd = beneath_mode ? resolve_walk_open_beneath (dir_fd, path, flags, 0644)
                        : resolve_walk_open (dir_fd, path, flags, 0644);
  int kfd;

  if (expect_err != 0)
    ck_assert_msg (fd == -expect_err, "%s: got %d, want -%d", path, fd, expect_err);
  else
    {
      ck_assert_msg (fd >= 0, "%s: got %d (%s)", path, fd, strerror (-fd));
      if (expect_content != NULL)
        {
          char buf[64] = "";
          char proc[64];
          int rd;
          snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
          rd = open (proc, O_RDONLY | O_CLOEXEC);
          ck_assert_int_ge (rd, 0);
          ck_assert_int_gt (read (rd, buf, sizeof buf - 1), 0);
          close (rd);
          ck_assert_msg (strncmp (buf, expect_content, strlen (expect_content)) == 0,
                         "%s: read \"%s\", want \"%s\"", path, buf, expect_content);
        }
    }
  kfd = kernel_open (dir_fd, path, flags);
  if (kfd != -ENOSYS && kfd != -EPERM)
    {
      if (fd < 0)
        ck_assert_msg (kfd == fd, "%s: openat2 says %d, the walk %d", path, kfd, fd);
      else
        ck_assert_msg (kfd >= 0 && same_file (fd, kfd), "%s: openat2 disagrees (%d)", path, kfd);
    }
  if (kfd >= 0)
    close (kfd);
  if (fd >= 0)
    close (fd);
}

START_TEST (test_plain)
{
  check_walk (root_fd, "a/b/file", O_PATH, 0, "file");
  check_walk (root_fd, "/a//b/./file", O_RDONLY, 0, "file");
  check_walk (root_fd, "", O_PATH | O_DIRECTORY, 0, NULL);
  check_walk (root_fd, "a/b/missing", O_PATH, ENOENT, NULL);
  check_walk (root_fd, "a/b/file/x", O_PATH, ENOTDIR, NULL);
  check_walk (root_fd, "a/b/file/", O_PATH, ENOTDIR, NULL);
  check_walk (root_fd, "a/b/file", O_PATH | O_DIRECTORY, ENOTDIR, NULL);
}
END_TEST

START_TEST (test_links)
{
  check_walk (root_fd, "abs/file", O_RDONLY, 0, "file");       /* absolute: in the root */
  check_walk (root_fd, "rel/file", O_RDONLY, 0, "file");       /* relative */
  check_walk (root_fd, "a/to-file", O_RDONLY, 0, "file");      /* final link followed */
  check_walk (root_fd, "abs/../b/file", O_RDONLY, 0, "file");  /* ".." after a link */
  check_walk (root_fd, "abs-outside", O_RDONLY, ENOENT, NULL); /* host path, not host file */
  check_walk (root_fd, "dangling", O_PATH, ENOENT, NULL);
}
END_TEST

START_TEST (test_nofollow)
{
  struct stat st;
  int fd = resolve_walk_open (root_fd, "a/to-file", O_PATH | O_NOFOLLOW, 0);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (fstat (fd, &st), 0);
  ck_assert (S_ISLNK (st.st_mode));
  close (fd);
  check_walk (root_fd, "a/to-file", O_RDONLY | O_NOFOLLOW, ELOOP, NULL);
  /* Only the last component is exempt. */
  check_walk (root_fd, "abs/file", O_PATH | O_NOFOLLOW, 0, NULL);
}
END_TEST

START_TEST (test_dotdot_at_root)
{
  check_walk (root_fd, "..", O_PATH | O_DIRECTORY, 0, NULL);
  check_walk (root_fd, "../../../secret", O_RDONLY, 0, "inside");
  check_walk (root_fd, "/../secret", O_RDONLY, 0, "inside");
  check_walk (root_fd, "a/b/../../../../secret", O_RDONLY, 0, "inside");
  check_walk (root_fd, "escape", O_RDONLY, 0, "inside");         /* link with ".." */
  check_walk (root_fd, "a/b/up/secret", O_RDONLY, 0, "inside");  /* "../../../../.." */
  {
    int fd = resolve_walk_open (root_fd, "..", O_PATH | O_DIRECTORY, 0);
    ck_assert_int_ge (fd, 0);
    ck_assert (same_file (fd, root_fd));
    close (fd);
  }
}
END_TEST

START_TEST (test_loops)
{
  check_walk (root_fd, "loop1", O_PATH, ELOOP, NULL);
  check_walk (root_fd, "loop1/x", O_PATH, ELOOP, NULL);
  check_walk (root_fd, "self-loop", O_PATH, ELOOP, NULL);
  /* 41 links: one past the limit; 40 (from chain-1) still resolve. */
  check_walk (root_fd, "chain-0", O_RDONLY, ELOOP, NULL);
  check_walk (root_fd, "chain-1", O_RDONLY, 0, "file");
}
END_TEST

START_TEST (test_create)
{
  int fd = resolve_walk_open (root_fd, "dangling", O_WRONLY | O_CREAT, 0600);
  struct stat st;

  /* The dangling link's target is created inside the root. */
  ck_assert_int_ge (fd, 0);
  close (fd);
  ck_assert_int_eq (fstatat (root_fd, "a/created", &st, 0), 0);
  ck_assert (S_ISREG (st.st_mode));
  fd = resolve_walk_open (root_fd, "a/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
  ck_assert_int_ge (fd, 0);
  close (fd);
  ck_assert_int_eq (resolve_walk_open (root_fd, "a/newer/", O_WRONLY | O_CREAT, 0600), -EISDIR);
}
END_TEST

/* With the host's "/" as the root, /proc is really procfs. */
START_TEST (test_proc)
{
  char path[64];
  int host_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int some = open ("/", O_RDONLY | O_CLOEXEC);

  ck_assert_int_ge (host_root, 0);
  ck_assert_int_ge (some, 0);
  if (access ("/proc/self/status", R_OK) != 0)
    {
      close (host_root);
      close (some);
      return;   /* no procfs mounted here: nothing to check */
    }
  /* /proc/self is an ordinary symlink, followed. */
  check_walk (host_root, "proc/self/status", O_RDONLY, 0, "Name:");
  /* Magic links are refused wherever they would be followed. */
  snprintf (path, sizeof path, "proc/self/fd/%d", some);
  check_walk (host_root, path, O_PATH, ELOOP, NULL);
  check_walk (host_root, "proc/self/root/etc", O_PATH, ELOOP, NULL);
  check_walk (host_root, "proc/self/cwd", O_PATH | O_DIRECTORY, ELOOP, NULL);
  check_walk (host_root, "proc/thread-self/exe", O_RDONLY, ELOOP, NULL);
  /* ... but a final one is not followed with O_NOFOLLOW: allowed. */
  check_walk (host_root, "proc/self/exe", O_PATH | O_NOFOLLOW, 0, NULL);
  /* A link in the tree that leads through /proc: /proc of the root. */
  check_walk (root_fd, "to-proc-root", O_PATH, ENOENT, NULL);
  close (some);
  close (host_root);
}
END_TEST

/* RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS: no link followed anywhere, no
 * way above the start. */
START_TEST (test_beneath)
{
  struct stat st;
  int fd;

  beneath_mode = true;
  check_walk (root_fd, "a/b/file", O_RDONLY, 0, "file");
  check_walk (root_fd, "a/b/../b/file", O_RDONLY, 0, "file");
  check_walk (root_fd, "a/b/file", O_PATH | O_NOFOLLOW, 0, NULL);
  check_walk (root_fd, "", O_PATH | O_DIRECTORY, 0, NULL);
  check_walk (root_fd, "a/b/missing", O_PATH, ENOENT, NULL);
  check_walk (root_fd, "a/b/file/x", O_PATH, ENOTDIR, NULL);
  check_walk (root_fd, "/a/b/file", O_RDONLY, EXDEV, NULL);
  check_walk (root_fd, "..", O_PATH | O_DIRECTORY, EXDEV, NULL);
  check_walk (root_fd, "a/../../secret", O_RDONLY, EXDEV, NULL);
  check_walk (root_fd, "rel/file", O_RDONLY, ELOOP, NULL);
  check_walk (root_fd, "abs/file", O_PATH, ELOOP, NULL);
  check_walk (root_fd, "escape", O_RDONLY, ELOOP, NULL);
  check_walk (root_fd, "a/to-file", O_RDONLY, ELOOP, NULL);
  check_walk (root_fd, "a/to-file", O_RDONLY | O_NOFOLLOW, ELOOP, NULL);
  check_walk (root_fd, "a/b/up/secret", O_RDONLY, ELOOP, NULL);
  check_walk (root_fd, "dangling", O_WRONLY | O_CREAT, ELOOP, NULL);
  check_walk (root_fd, "rel/", O_PATH | O_NOFOLLOW, ELOOP, NULL);
  /* A final link is handed back as itself only with O_PATH | O_NOFOLLOW. */
  fd = resolve_walk_open_beneath (root_fd, "a/to-file", O_PATH | O_NOFOLLOW, 0);
  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (fstat (fd, &st), 0);
  ck_assert (S_ISLNK (st.st_mode));
  close (fd);
  check_walk (root_fd, "a/new", O_WRONLY | O_CREAT, 0, NULL);
  ck_assert_int_eq (unlinkat (root_fd, "a/new", 0), 0);
}
END_TEST

START_TEST (test_kernel_api_switch)
{
  kernel_api_force (KERNEL_API_OPENAT2, false);
  ck_assert (!kernel_api_unavailable (KERNEL_API_OPENAT2, SYS_openat2, ENOENT));
  ck_assert (!kernel_api_is_legacy (KERNEL_API_OPENAT2));
  /* EPERM counts only when a probe confirms a filter. */
  if (kernel_open (root_fd, "", O_PATH) >= 0)
    ck_assert (!kernel_api_unavailable (KERNEL_API_OPENAT2, SYS_openat2, EPERM));
  ck_assert (kernel_api_unavailable (KERNEL_API_OPENAT2, SYS_openat2, ENOSYS));
  ck_assert (kernel_api_is_legacy (KERNEL_API_OPENAT2));
  ck_assert (!kernel_api_is_legacy (KERNEL_API_MOUNT));
  /* Once learnt, for the rest of the run. */
  ck_assert (kernel_api_unavailable (KERNEL_API_OPENAT2, SYS_openat2, EINVAL));
  kernel_api_force (KERNEL_API_OPENAT2, false);
  /* The version check behind "needs Linux X.Y" messages. */
  ck_assert (!kernel_older_than (2, 6));
  ck_assert (kernel_older_than (999, 0));
}
END_TEST

static Suite *
walk_suite (void)
{
  Suite *s = suite_create ("resolve-walk");
  TCase *tc = tcase_create ("walk");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_plain);
  tcase_add_test (tc, test_links);
  tcase_add_test (tc, test_nofollow);
  tcase_add_test (tc, test_dotdot_at_root);
  tcase_add_test (tc, test_loops);
  tcase_add_test (tc, test_create);
  tcase_add_test (tc, test_proc);
  tcase_add_test (tc, test_beneath);
  tcase_add_test (tc, test_kernel_api_switch);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (walk_suite ());
}
