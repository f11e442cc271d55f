/* SPDX-License-Identifier: LGPL-2.0-or-later
 * plan.h: the contract between parsing and doing.
 * options.c fills a struct plan from argv; preflight (parent, no namespaces
 * yet) resolves host paths into it; setup.c walks plan->ops inside the new
 * mount namespace.  Parsing never mounts; setup never looks at argv. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct overlay_split;

/* Every filesystem (and hostname) operation, in command-line order. */
enum setup_op_kind
{
  SETUP_OP_BIND,           /* --bind[-try]      source dest */
  SETUP_OP_RO_BIND,        /* --ro-bind[-try]   source dest */
  SETUP_OP_DEV_BIND,       /* --dev-bind[-try]  source dest */
  SETUP_OP_BIND_FD,        /* --bind-fd         fd dest */
  SETUP_OP_RO_BIND_FD,     /* --ro-bind-fd      fd dest */
  SETUP_OP_REMOUNT_RO,     /* --remount-ro      dest */
  SETUP_OP_PROC,           /* --proc            dest */
  SETUP_OP_DEV,            /* --dev             dest */
  SETUP_OP_TMPFS,          /* --tmpfs           dest (perms, size) */
  SETUP_OP_MQUEUE,         /* --mqueue          dest */
  SETUP_OP_DIR,            /* --dir             dest (perms) */
  SETUP_OP_FILE,           /* --file            fd dest (perms) */
  SETUP_OP_BIND_DATA,      /* --bind-data       fd dest (perms) */
  SETUP_OP_RO_BIND_DATA,   /* --ro-bind-data    fd dest (perms) */
  SETUP_OP_SYMLINK,        /* --symlink         source(=target) dest */
  SETUP_OP_CHMOD,          /* --chmod           perms dest */
  SETUP_OP_OVERLAY,        /* --overlay         source(=rwsrc) workdir dest, layers */
  SETUP_OP_TMP_OVERLAY,    /* --tmp-overlay     dest, layers (size) */
  SETUP_OP_RO_OVERLAY,     /* --ro-overlay      dest, layers */
  SETUP_OP_SET_HOSTNAME,   /* --hostname        source(=name) */
};

#define SETUP_OP_FLAG_TRY        (1u << 0)  /* -try variant: missing source skips */
#define SETUP_OP_FLAG_HAS_PERMS  (1u << 1)  /* --perms was given for this op */
#define SETUP_OP_FLAG_HAS_SIZE   (1u << 2)  /* --size was given for this op */
#define SETUP_OP_FLAG_SKIP       (1u << 3)  /* preflight: -try source missing */

struct setup_op
{
  enum setup_op_kind kind;
  unsigned flags;
  char *source;       /* host path as given (bind, overlay RWSRC), symlink
                         target, hostname; NULL when unused */
  char *workdir;      /* --overlay WORKDIR as given */
  char *dest;         /* sandbox path as given; NULL for SET_HOSTNAME */
  int fd;             /* --bind-fd, --file, --bind-data; -1 when unused */
  mode_t perms;       /* --perms / --chmod value (valid with HAS_PERMS or CHMOD) */
  uint64_t size;      /* --size value (valid with HAS_SIZE) */
  char **layers;      /* --overlay-src list, bottom layer first, as given */
  size_t n_layers;
  unsigned overlay_index; /* n-th --tmp-overlay, from 0 (hidden dir names) */

  /* Filled by preflight (parent process, before any namespace exists):
   * canonical absolute host paths, all symlinks resolved. */
  char *resolved_source;
  char *resolved_workdir;
  char **resolved_layers;
  /* Overlays over trees with mounts: where to split (overlay-split.h);
   * NULL for a single overlay. */
  struct overlay_split *split;
};

enum env_edit_kind
{
  ENV_EDIT_SET,
  ENV_EDIT_UNSET,
  ENV_EDIT_CLEAR,
};

struct env_edit
{
  enum env_edit_kind kind;
  char *name;
  char *value;
};

#define CAP_EDIT_ALL (-1)
struct cap_edit
{
  bool is_add;
  int cap;            /* capability number, or CAP_EDIT_ALL */
};

#define PLAN_MAX_ARGS 9000       /* bubblewrap's limit on argv + --args words */
#define PLAN_MAX_LAYERS 500      /* the kernel's limit on overlay lower layers */

struct plan
{
  /* Namespaces.  unshare_user may be switched on implicitly by
   * options_finish() for unprivileged callers. */
  bool unshare_user, unshare_user_try, unshare_ipc, unshare_pid;
  bool unshare_net, unshare_uts, unshare_cgroup, unshare_cgroup_try;
  bool disable_userns, assert_userns_disabled;
  int userns_fd, userns2_fd, pidns_fd;       /* -1 when not given */

  bool has_uid, has_gid;
  uid_t uid;
  gid_t gid;
  bool has_hostname;                         /* the op list holds the change */

  /* Process behaviour. */
  bool new_session, die_with_parent, as_pid_1, level_prefix;
  char *chdir_path;                          /* --chdir, last wins */
  char *argv0;                               /* --argv0 */
  struct env_edit *env_edits;
  size_t n_env_edits;
  struct cap_edit *cap_edits;
  size_t n_cap_edits;
  char **lock_files;
  size_t n_lock_files;

  /* Coordination fds, -1 when not given. */
  int info_fd, json_status_fd, block_fd, userns_block_fd, sync_fd;
  int seccomp_fd;
  int *add_seccomp_fds;
  size_t n_add_seccomp_fds;

  char *exec_label, *file_label;

  /* Filesystem and hostname operations, in command-line order. */
  struct setup_op *ops;
  size_t n_ops;
  unsigned n_tmp_overlays;

  /* COMMAND and its arguments (pointers into argv or --args data). */
  char **command;
  size_t n_command;

  /* Warnings the parser wants printed (e.g. repeated --chdir), in order. */
  char **warnings;
  size_t n_warnings;
  size_t n_warnings_unprefixed;  /* the first ones, seen before --level-prefix */
};

/* Initialise an empty plan (all fds -1). */
void plan_init (struct plan *plan);
/* Free everything the plan owns; accepts a zeroed or initialised plan. */
void plan_free (struct plan *plan);
/* Append a zero-initialised op (fd -1) and return it; never fails (dies on OOM). */
struct setup_op *plan_add_op (struct plan *plan, enum setup_op_kind kind);
/* Whether any op of the plan is of this kind. */
bool plan_has_op (const struct plan *plan, enum setup_op_kind kind);

/* --overlay, --tmp-overlay or --ro-overlay. */
static inline bool
setup_op_is_overlay (const struct setup_op *op)
{
  return op->kind == SETUP_OP_OVERLAY || op->kind == SETUP_OP_TMP_OVERLAY
         || op->kind == SETUP_OP_RO_OVERLAY;
}
/* Name of the option that created an op kind, e.g. "--ro-bind" (for messages). */
const char *setup_op_kind_name (enum setup_op_kind kind);
