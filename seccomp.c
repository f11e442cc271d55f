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
  /* An empty program is refused only by seccomp_install, where bubblewrap
   * meets the kernel's EINVAL for it: errors of the options in between
   * come first. */
  if (len % 8 != 0)
    {
      free (data);
      return bwrap_error_set (err, 0, "Invalid seccomp data, must be multiple of 8");
    }
  ret->len = len / sizeof (struct sock_filter);
  ret->filter = (struct sock_filter *) data;
  return 0;
}

int
seccomp_add_program (int fd, void *userdata, struct bwrap_error *err)
{
  struct seccomp_set *set = userdata;
  struct sock_fprog prog;
  int r = seccomp_read_program (fd, &prog, err);

  if (r < 0)
    return r;
  set->progs = xappend (set->progs, &set->n, sizeof *set->progs);
  set->progs[set->n - 1] = prog;
  return 0;
}

void
seccomp_load_main (const struct plan *plan, struct seccomp_set *set)
{
  struct bwrap_error err = { 0 };

  /* Exclusive with --add-seccomp-fd (options.c): set is empty here. */
  if (plan->seccomp_fd >= 0 && seccomp_add_program (plan->seccomp_fd, set, &err) < 0)
    die_error (&err);
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
    if (set->progs[i].len == 0)
      die ("Invalid seccomp data, the program is empty");
    else if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &set->progs[i]) != 0)
      {
        if (errno == EINVAL)
          die ("Unable to set up system call filtering as requested: prctl(PR_SET_SECCOMP) "
               "reported EINVAL. (Hint: this requires a kernel configured with CONFIG_SECCOMP "
               "and CONFIG_SECCOMP_FILTER.)");
        die_with_error ("prctl(PR_SET_SECCOMP)");
      }
}
