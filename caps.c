/* SPDX-License-Identifier: LGPL-2.0-or-later
 * caps.c: capability sets of bwrap's processes and of the command.
 * The command must never hold a capability it was not granted, nor be able
 * to regain one: no_new_privs is set at start (main), the bounding set is
 * cut whenever there is a user namespace, and ambient capabilities are
 * raised only for explicitly granted sets. */
#include "caps.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "utils.h"

static int
capget_raw (struct __user_cap_data_struct data[2])
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  return syscall (SYS_capget, &hdr, data);
}

int
caps_set (uint64_t set, uint64_t inheritable)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  memset (data, 0, sizeof data);
  for (int i = 0; i < 2; i++)
    {
      data[i].effective = data[i].permitted = (uint32_t) (set >> (32 * i));
      data[i].inheritable = (uint32_t) (inheritable >> (32 * i));
    }
  return syscall (SYS_capset, &hdr, data);
}

int
caps_last_cap (void)
{
  static int last = -1;
  char buf[16] = "";
  cleanup_fd int fd = -1;

  if (last >= 0)
    return last;
  last = CAP_LAST_CAP;
  fd = open ("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0)
    {
      int v = atoi (buf);
      if (v > 0 && v < 64)
        last = v;
    }
  return last;
}

int
caps_bound (uint64_t keep)
{
  for (int cap = 0; cap <= caps_last_cap (); cap++)
    if (!(keep & ((uint64_t) 1 << cap)) && prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1
        && prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
      return -errno;
  return 0;
}

bool
caps_none_held (void)
{
  struct __user_cap_data_struct data[2];

  return capget_raw (data) == 0
         && (data[0].permitted | data[1].permitted | data[0].effective | data[1].effective
             | data[0].inheritable | data[1].inheritable) == 0;
}

static uint64_t
all_caps (void)
{
  int last = caps_last_cap ();
  return last >= 63 ? UINT64_MAX : ((uint64_t) 1 << (last + 1)) - 1;
}

void
caps_snapshot (struct caps_state *st, bool is_root)
{
  struct __user_cap_data_struct data[2];

  memset (st, 0, sizeof *st);
  st->is_root = is_root;
  (void) caps_last_cap ();  /* read while /proc is the caller's */
  if (capget_raw (data) != 0)
    die_with_error ("capget failed");
  st->caller_effective = data[0].effective | ((uint64_t) data[1].effective << 32);
  st->caller_permitted = data[0].permitted | ((uint64_t) data[1].permitted << 32);
  if (!is_root && (data[0].permitted | data[1].permitted) != 0)
    die ("Unexpected capabilities but not setuid, old file caps config?");
}

uint64_t
caps_compute_final (const struct caps_state *st, const struct plan *plan)
{
  uint64_t set = st->is_root ? st->caller_effective : 0;

  for (size_t i = 0; i < plan->n_cap_edits; i++)
    {
      const struct cap_edit *e = &plan->cap_edits[i];
      uint64_t bits = e->cap == CAP_EDIT_ALL ? all_caps () : ((uint64_t) 1 << e->cap);
      set = e->is_add ? (set | bits) : (set & ~bits);
    }
  /* Without a user namespace root can keep only what it holds (a
   * container's root may lack some): ALL means all of those. */
  if (st->is_root && !st->has_userns)
    set &= st->caller_permitted;
  return set & all_caps ();
}

void
caps_apply_final (struct caps_state *st, const struct plan *plan)
{
  bool has_edits = plan->n_cap_edits > 0;

  if (st->is_root && !st->has_userns && !has_edits)
    return;   /* real root, no namespace asked for: nothing changes */
  st->final = caps_compute_final (st, plan);
  st->changed = true;
  if (st->has_userns)
    {
      /* The bounding set limits what any later exec (e.g. of a setuid-root
       * binary mapped in the namespace) can gain: cut it to the final set.
       * Needs CAP_SETPCAP, so it comes before capset() below; only what
       * is still there (setuid mode's sandbox process has none left). */
      if (caps_bound (st->final) < 0)
        die_with_error ("Dropping capabilities from the bounding set");
    }
  /* Inheritable (needed for ambient) only for an explicit --cap-add or
   * --cap-drop, as bubblewrap: by default nothing survives an exec under
   * a non-zero uid. */
  if (caps_set (st->final, has_edits ? st->final : 0) != 0)
    die_with_error ("capset failed");
}

void
caps_raise_ambient (const struct caps_state *st, const struct plan *plan)
{
  if (!st->changed || plan->n_cap_edits == 0)
    return;
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    die_with_error ("Clearing ambient capabilities");
  for (int cap = 0; cap <= caps_last_cap (); cap++)
    if ((st->final & ((uint64_t) 1 << cap))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0 && errno != EINVAL)
      die_with_error ("Adding ambient capability %d", cap);
}

void
caps_drop_all (void)
{
  if (caps_set (0, 0) != 0)
    die_with_error ("capset failed");
}
