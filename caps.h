/* SPDX-License-Identifier: LGPL-2.0-or-later
 * caps.h: capabilities and the final privilege state of the command.
 * caps_snapshot runs in the caller's process; caps_apply_final runs in the
 * sandbox process after the root is built (it needs CAP_SETPCAP in the
 * sandbox's user namespace to cut the bounding set); caps_raise_ambient in
 * the command's process right before exec. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "plan.h"

struct caps_state
{
  uint64_t caller_effective;  /* the caller's effective set at start */
  uint64_t caller_permitted;  /* the caller's permitted set at start */
  bool is_root;               /* real uid 0 (not setuid) */
  bool has_userns;            /* the sandbox has its own user namespace */
  bool changed;               /* final set applied (cap edits or userns) */
  uint64_t final;             /* what the command gets */
};

/* Record the caller's capabilities; dies with bubblewrap's message when a
 * non-root caller holds permitted capabilities (file capabilities). */
void caps_snapshot (struct caps_state *st, bool is_root);

/* Compute the command's set from the caller's and the plan's --cap-add /
 * --cap-drop edits: root starts from its effective set, others from none. */
uint64_t caps_compute_final (const struct caps_state *st, const struct plan *plan);

/* Reduce this process to st->final (bounding set too when it has a user
 * namespace).  Leaves a root caller without user namespace and without
 * --cap-* edits untouched.  Dies on error. */
void caps_apply_final (struct caps_state *st, const struct plan *plan);

/* Raise st->final as ambient capabilities so they survive exec under any
 * uid (only when --cap-add/--cap-drop were used).  Dies on error. */
void caps_raise_ambient (const struct caps_state *st, const struct plan *plan);

/* Drop every capability (permitted, effective, inheritable) of this
 * process: the monitor and the pid-1 helper need none. */
void caps_drop_all (void);

/* Highest capability number the kernel knows. */
int caps_last_cap (void);

/* Set permitted and effective to set, inheritable to inheritable.
 * 0 or -1 with errno. */
int caps_set (uint64_t set, uint64_t inheritable);

/* Drop every capability outside keep that is still in the bounding set
 * (needs CAP_SETPCAP while any is).  0 or -errno. */
int caps_bound (uint64_t keep);

/* True when the permitted, effective and inheritable sets are empty. */
bool caps_none_held (void);
