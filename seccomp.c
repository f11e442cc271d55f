/* SPDX-License-Identifier: LGPL-2.0-or-later
 * seccomp.c: load --seccomp / --add-seccomp-fd BPF programs and install
 * them last before exec.  Installing needs no privilege because
 * no_new_privs is set for every bwrap process at start. */
#include "seccomp.h"

#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int
seccomp_read_program (int fd, struct sock_fprog *ret, struct bwrap_error *err)
{
  const size_t max = (size_t) BPF_MAXINSNS * sizeof (struct sock_filter);
  char *data = NULL;
  size_t len = 0;
  int r;

  r = read_fd_all (fd, max + sizeof (struct sock_filter), &data, &len);
  (void) close (fd);   /* read once; must not reach the sandbox */
  if (r == -E2BIG || (r == 0 && len > max))
    {
      free (data);
      return bwrap_error_set (err, 0, "Invalid seccomp data, more than %d instructions",
                              BPF_MAXINSNS);
    }
  if (r < 0)
    return bwrap_error_set (err, -r, "Can't read seccomp data");
  if (len == 0)
    {
      free (data);
      return bwrap_error_set (err, 0, "Invalid seccomp data, the program is empty");
    }
  if (len % 8 != 0)
    {
      free (data);
      return bwrap_error_set (err, 0, "Invalid seccomp data, must be multiple of 8");
    }
  ret->len = len / sizeof (struct sock_filter);
  ret->filter = (struct sock_filter *) data;
  return 0;
}

static void
load_one (int fd, struct seccomp_set *set)
{
  struct bwrap_error err = { 0 };
  struct sock_fprog prog;
  if (seccomp_read_program (fd, &prog, &err) < 0)
    die_error (&err);
  set->progs = xappend (set->progs, &set->n, sizeof *set->progs);
  set->progs[set->n - 1] = prog;
}

void
seccomp_load_added (const struct plan *plan, struct seccomp_set *set)
{
  memset (set, 0, sizeof *set);
  for (size_t i = 0; i < plan->n_add_seccomp_fds; i++)
    load_one (plan->add_seccomp_fds[i], set);
}

void
seccomp_load_main (const struct plan *plan, struct seccomp_set *set)
{
  /* Exclusive with --add-seccomp-fd (options.c): set is empty here. */
  if (plan->seccomp_fd >= 0)
    load_one (plan->seccomp_fd, set);
}

void
seccomp_set_free (struct seccomp_set *set)
{
  for (size_t i = 0; i < set->n; i++)
    free (set->progs[i].filter);
  free (set->progs);
  memset (set, 0, sizeof *set);
}

void
seccomp_install (const struct seccomp_set *set)
{
  for (size_t i = 0; i < set->n; i++)
    if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &set->progs[i]) != 0)
      {
        if (errno == EINVAL)
          die ("Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) "
               "reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP "
               "and CONFIG_SECCOMP_FILTER.)");
        die_with_error ("prctl(PR_SET_SECCOMP)");
      }
}
