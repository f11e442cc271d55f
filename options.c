/* SPDX-License-Identifier: LGPL-2.0-or-later
 * options.c: the command line (argv and --args FD) into a struct plan, the
 * cross-option rules and the usage text.  Pure code run first, in the
 * caller's process (setuid: with privileges already reduced): the only I/O
 * is reading --args and --add-seccomp-fd data through the caller's
 * callbacks.
 * Every option is one row of a table (name, arity, setuid flag, handler);
 * the table is also the --help text, so the two cannot drift apart. */
#include "options.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

struct parser;
struct option_def;
typedef int (*option_handler) (struct parser *p, const struct option_def *def,
                               char **args);

/* Row flags. */
#define OPT_NO_SETUID   (1u << 0)  /* refused in setuid mode at parse time */
#define OPT_MODIFIER    (1u << 1)  /* --perms/--size: attaches to the next option */
#define OPT_LAYER       (1u << 2)  /* --overlay-src: keeps the layer list pending */
#define OPT_TRY         (1u << 3)  /* -try bind variant */
#define OPT_SAY_ONE     (1u << 4)  /* arity message says "one argument" */
#define OPT_NOT_IN_FILE (1u << 5)  /* refused inside an --args file */
#define OPT_BIND_FD_MSG (1u << 6)  /* arity message names --bind-fd (bubblewrap's text) */

struct option_def
{
  const char *name;
  const char *metavar;   /* usage text, NULL when the option takes nothing */
  const char *help;      /* usage text; '\n' continues on the next line */
  option_handler handler;
  unsigned char n_args;
  unsigned char flags;
  int data;              /* handler-specific: op kind, plan field offset, ... */
};

/* State that lives across options, including across an --args file. */
struct parser
{
  const struct options_context *ctx;
  struct plan *plan;
  struct bwrap_error *err;
  bool in_file;
  size_t n_words;                  /* argv words plus --args words so far */
  bool has_perms, has_size;        /* modifiers waiting for the next option */
  mode_t perms;
  uint64_t size;
  char **layers;                   /* --overlay-src waiting for an overlay */
  size_t n_layers;
  bool has_size_after_layers;      /* --size between layers and an overlay */
};

#define PLAN_FIELD(p, def, type) ((type *) ((char *) (p)->plan + (def)->data))
#define MAX_TMPFS_BYTES ((uint64_t) (SIZE_MAX / 2))

static void
warn_only_last (struct parser *p, const char *name)
{
  struct plan *plan = p->plan;
  plan->warnings = xappend (plan->warnings, &plan->n_warnings, sizeof (char *));
  plan->warnings[plan->n_warnings - 1]
    = xasprintf ("Only the last %s option will take effect", name);
  /* bubblewrap prints a warning as soon as it parses it, so one given
   * before --level-prefix carries no prefix. */
  if (!plan->level_prefix)
    plan->n_warnings_unprefixed = plan->n_warnings;
}

static int
fd_arg (struct parser *p, const char *str, int *ret_fd)
{
  if (parse_fd (str, ret_fd) < 0)
    return bwrap_error_set (p->err, 0, "Invalid fd: %s", str);
  return 0;
}

/* ---- Modifiers and overlay layers ------------------------------------- */

/* Consumes the pending modifiers the new op accepts; check_pending then
 * reports any left over.  Extension: --size also limits the hidden upper
 * tmpfs of a --tmp-overlay. */
static struct setup_op *
add_op (struct parser *p, enum setup_op_kind kind)
{
  struct setup_op *op = plan_add_op (p->plan, kind);
  bool takes_perms = kind == SETUP_OP_TMPFS || kind == SETUP_OP_DIR || kind == SETUP_OP_FILE
                     || kind == SETUP_OP_BIND_DATA || kind == SETUP_OP_RO_BIND_DATA;
  bool takes_size = kind == SETUP_OP_TMPFS || kind == SETUP_OP_TMP_OVERLAY;

  if (p->has_perms && takes_perms)
    {
      op->flags |= SETUP_OP_FLAG_HAS_PERMS;
      op->perms = p->perms;
      p->has_perms = false;
    }
  if (p->has_size && takes_size)
    {
      op->flags |= SETUP_OP_FLAG_HAS_SIZE;
      op->size = p->size;
      p->has_size = false;
      p->has_size_after_layers = false;
    }
  return op;
}

static int
overlay_src_misplaced (struct parser *p)
{
  return bwrap_error_set (p->err, 0, "--overlay-src must be followed by another "
                          "--overlay-src or one of --overlay, --tmp-overlay, or --ro-overlay");
}

/* Runs after every option except the modifiers: a modifier or layer list
 * still pending was not consumed by that option, so it was misplaced.
 * The order of the checks is bubblewrap's. */
static int
check_pending (struct parser *p, const struct option_def *def)
{
  if (p->has_size_after_layers)
    return overlay_src_misplaced (p);
  if (p->has_perms)
    return bwrap_error_set (p->err, 0, "--perms must be followed by an option that creates a file");
  if (p->has_size)
    return bwrap_error_set (p->err, 0, "--size must be followed by --tmpfs or --tmp-overlay");
  if (p->n_layers > 0 && !(def->flags & OPT_LAYER))
    return overlay_src_misplaced (p);
  return 0;
}

/* ---- Handlers ----------------------------------------------------------- */

static int
opt_result (struct parser *p, const struct option_def *def, char **args)
{
  return def->data;   /* OPTIONS_HELP or OPTIONS_VERSION, acted on when reached */
}

static int parse_words (struct parser *p, char **words, size_t n, size_t *ret_stop);

static int
count_limit (struct parser *p)
{
  if (p->n_words > PLAN_MAX_ARGS)
    return bwrap_error_set (p->err, 0, "Exceeded maximum number of arguments %u",
                            (unsigned) PLAN_MAX_ARGS);
  return 0;
}

static int
opt_args (struct parser *p, const struct option_def *def, char **args)
{
  cleanup_free char *data = NULL;
  cleanup_free char **words = NULL;
  size_t len = 0, n = 0, stop;
  int fd, r;

  r = fd_arg (p, args[0], &fd);
  if (r < 0)
    return r;
  r = p->ctx->read_fd ? p->ctx->read_fd (fd, &data, &len, p->ctx->userdata) : -EBADF;
  if (r < 0)
    return bwrap_error_set (p->err, -r, "Can't read --args data");

  /* NUL-separated words; the final NUL is optional, so "a\0b" and "a\0b\0"
   * are both two words.  read_fd appended one NUL past len. */
  for (size_t off = 0; off < len; off += strlen (data + off) + 1)
    n++;
  p->n_words += n;
  r = count_limit (p);
  if (r < 0)
    return r;
  words = xcalloc (n + 1, sizeof (char *));
  n = 0;
  for (size_t off = 0; off < len; off += strlen (data + off) + 1)
    words[n++] = data + off;

  /* Words after the file's first non-option (or "--") are dropped: COMMAND
   * can only come from the real command line. */
  p->in_file = true;
  r = parse_words (p, words, n, &stop);
  p->in_file = false;
  return r;
}

static int
opt_argv0 (struct parser *p, const struct option_def *def, char **args)
{
  if (p->plan->argv0 != NULL)
    return bwrap_error_set (p->err, 0, "--argv0 used multiple times");
  p->plan->argv0 = xstrdup (args[0]);
  return 0;
}

static int
opt_flag (struct parser *p, const struct option_def *def, char **args)
{
  *PLAN_FIELD (p, def, bool) = true;
  return 0;
}

static int
opt_unshare_all (struct parser *p, const struct option_def *def, char **args)
{
  struct plan *plan = p->plan;
  plan->unshare_user_try = plan->unshare_ipc = plan->unshare_pid = true;
  plan->unshare_net = plan->unshare_uts = plan->unshare_cgroup_try = true;
  return 0;
}

static int
opt_share_net (struct parser *p, const struct option_def *def, char **args)
{
  p->plan->unshare_net = false;
  return 0;
}

/* Single fds where the last one wins (the superseded fd is left alone). */
static int
opt_last_fd (struct parser *p, const struct option_def *def, char **args)
{
  int *field = PLAN_FIELD (p, def, int);
  if (*field != -1)
    warn_only_last (p, def->name);
  return fd_arg (p, args[0], field);
}

static int
opt_id (struct parser *p, const struct option_def *def, char **args)
{
  bool is_uid = def->data != 0;
  bool *has = is_uid ? &p->plan->has_uid : &p->plan->has_gid;
  uint32_t id;

  if (*has)
    warn_only_last (p, def->name);
  /* bubblewrap holds ids in a C int: it refuses 2^31 to 2^32-1 (negative
   * there) as invalid, and so do we, before anything runs.  It wraps
   * values 2^32 above a valid id (or below, negative ones) to that id;
   * we refuse those too, as no id is written that way on purpose. */
  if (parse_id (args[0], &id) < 0 || id > INT32_MAX)
    return bwrap_error_set (p->err, 0, "Invalid %s: %s", is_uid ? "uid" : "gid", args[0]);
  if (is_uid)
    p->plan->uid = id;
  else
    p->plan->gid = id;
  *has = true;
  return 0;
}

static int
opt_hostname (struct parser *p, const struct option_def *def, char **args)
{
  if (p->plan->has_hostname)
    warn_only_last (p, def->name);
  /* An op, not a setting: the change happens at its place in the sequence. */
  add_op (p, SETUP_OP_SET_HOSTNAME)->source = xstrdup (args[0]);
  p->plan->has_hostname = true;
  return 0;
}

/* --chdir, --exec-label, --file-label: one string, the last one wins. */
static int
opt_last_string (struct parser *p, const struct option_def *def, char **args)
{
  char **field = PLAN_FIELD (p, def, char *);
  bool is_label = def->data != offsetof (struct plan, chdir_path);

  if (*field != NULL)
    warn_only_last (p, def->name);
  if (is_label && (p->ctx->labels_supported == NULL || !p->ctx->labels_supported ()))
    return bwrap_error_set (p->err, 0, "labeling not supported on this system");
  free (*field);
  *field = xstrdup (args[0]);
  return 0;
}

static int
opt_env (struct parser *p, const struct option_def *def, char **args)
{
  struct plan *plan = p->plan;
  struct env_edit *edit;

  /* setenv(3) refuses these names; fail here as bubblewrap does. */
  if (def->data != ENV_EDIT_CLEAR && (args[0][0] == '\0' || strchr (args[0], '=') != NULL))
    return bwrap_error_set (p->err, 0, "%s failed",
                            def->data == ENV_EDIT_SET ? "setenv" : "unsetenv");
  plan->env_edits = xappend (plan->env_edits, &plan->n_env_edits, sizeof *edit);
  edit = &plan->env_edits[plan->n_env_edits - 1];
  edit->kind = def->data;
  if (def->data != ENV_EDIT_CLEAR)
    edit->name = xstrdup (args[0]);
  if (def->data == ENV_EDIT_SET)
    edit->value = xstrdup (args[1]);
  return 0;
}

static int
opt_lock_file (struct parser *p, const struct option_def *def, char **args)
{
  struct plan *plan = p->plan;
  plan->lock_files = xappend (plan->lock_files, &plan->n_lock_files, sizeof (char *));
  plan->lock_files[plan->n_lock_files - 1] = xstrdup (args[0]);
  return 0;
}

static int
opt_cap (struct parser *p, const struct option_def *def, char **args)
{
  struct plan *plan = p->plan;
  cap_value_t cap;
  int value;

  if (strcasecmp (args[0], "ALL") == 0)
    value = CAP_EDIT_ALL;
  else if (cap_from_name (args[0], &cap) == 0)
    value = cap;
  else
    return bwrap_error_set (p->err, 0, "unknown cap: %s", args[0]);
  plan->cap_edits = xappend (plan->cap_edits, &plan->n_cap_edits, sizeof *plan->cap_edits);
  plan->cap_edits[plan->n_cap_edits - 1].is_add = def->data != 0;
  plan->cap_edits[plan->n_cap_edits - 1].cap = value;
  return 0;
}

static int
opt_seccomp (struct parser *p, const struct option_def *def, char **args)
{
  if (p->plan->n_add_seccomp_fds > 0)
    return bwrap_error_set (p->err, 0, "--seccomp cannot be combined with --add-seccomp-fd");
  return opt_last_fd (p, def, args);
}

static int
opt_add_seccomp_fd (struct parser *p, const struct option_def *def, char **args)
{
  struct plan *plan = p->plan;
  int fd, r;

  if (plan->seccomp_fd != -1)
    return bwrap_error_set (p->err, 0, "--add-seccomp-fd cannot be combined with --seccomp");
  r = fd_arg (p, args[0], &fd);
  if (r < 0)
    return r;
  if (p->ctx->add_seccomp != NULL)
    {
      r = p->ctx->add_seccomp (fd, p->ctx->seccomp_userdata, p->err);
      if (r < 0)
        return r;
    }
  plan->add_seccomp_fds = xappend (plan->add_seccomp_fds, &plan->n_add_seccomp_fds, sizeof (int));
  plan->add_seccomp_fds[plan->n_add_seccomp_fds - 1] = fd;
  return 0;
}

static int
opt_perms (struct parser *p, const struct option_def *def, char **args)
{
  if (p->has_perms)
    return bwrap_error_set (p->err, 0, "--perms given twice for the same action");
  if (parse_mode (args[0], &p->perms) < 0)
    return bwrap_error_set (p->err, 0, "--perms takes an octal argument <= 07777");
  p->has_perms = true;
  /* bubblewrap checks for pending layers after every option but
   * --overlay-src, modifiers included. */
  if (p->n_layers > 0)
    return overlay_src_misplaced (p);
  return 0;
}

static int
opt_size (struct parser *p, const struct option_def *def, char **args)
{
  int r;

  if (p->has_size)
    return bwrap_error_set (p->err, 0, "--size given twice for the same action");
  r = parse_size (args[0], &p->size);
  if (r == -ERANGE)
    return bwrap_error_set (p->err, 0, "--size (for tmpfs) is limited to %llu",
                            (unsigned long long) MAX_TMPFS_BYTES);
  if (r < 0)
    return bwrap_error_set (p->err, 0, "--size takes a non-zero number of bytes");
  p->has_size = true;
  /* Extension: "--overlay-src ... --size N --tmp-overlay" sizes that
   * overlay's tmpfs.  Any other option next, and bubblewrap's error for
   * the pending layers stands, as it would have come here. */
  p->has_size_after_layers = p->n_layers > 0;
  return 0;
}

/* SRC DEST operations: binds (with or without -try) and --symlink. */
static int
opt_bind (struct parser *p, const struct option_def *def, char **args)
{
  struct setup_op *op = add_op (p, def->data);
  op->source = xstrdup (args[0]);
  op->dest = xstrdup (args[1]);
  if (def->flags & OPT_TRY)
    op->flags |= SETUP_OP_FLAG_TRY;
  return 0;
}

/* Operations taking only DEST (--proc, --dev, --tmpfs, --dir, ...). */
static int
opt_dest (struct parser *p, const struct option_def *def, char **args)
{
  add_op (p, def->data)->dest = xstrdup (args[0]);
  return 0;
}

/* FD DEST operations (--bind-fd, --file, --bind-data, ...). */
static int
opt_fd_dest (struct parser *p, const struct option_def *def, char **args)
{
  struct setup_op *op;
  int fd, r;

  r = fd_arg (p, args[0], &fd);
  if (r < 0)
    return r;
  op = add_op (p, def->data);
  op->fd = fd;
  op->dest = xstrdup (args[1]);
  return 0;
}

static int
opt_chmod (struct parser *p, const struct option_def *def, char **args)
{
  struct setup_op *op;
  mode_t mode;

  if (parse_mode (args[0], &mode) < 0)
    return bwrap_error_set (p->err, 0, "--chmod takes an octal argument <= 07777");
  op = add_op (p, SETUP_OP_CHMOD);
  op->perms = mode;
  op->dest = xstrdup (args[1]);
  return 0;
}

static int
opt_overlay_src (struct parser *p, const struct option_def *def, char **args)
{
  p->layers = xappend (p->layers, &p->n_layers, sizeof (char *));
  p->layers[p->n_layers - 1] = xstrdup (args[0]);
  return 0;
}

static int
opt_overlay (struct parser *p, const struct option_def *def, char **args)
{
  enum setup_op_kind kind = def->data;
  size_t needed = kind == SETUP_OP_RO_OVERLAY ? 2 : 1;
  struct setup_op *op;

  if (p->n_layers < needed)
    return bwrap_error_set (p->err, 0, "%s requires at least %s --overlay-src",
                            def->name, needed == 2 ? "two" : "one");
  /* Checked here, not only at mount time, so a huge list fails before any
   * namespace exists (a size the user controls is checked when parsed). */
  if (p->n_layers > PLAN_MAX_LAYERS)
    return bwrap_error_set (p->err, 0, "--overlay-src: too many layers (%zu), the kernel "
                            "allows at most %d", p->n_layers, PLAN_MAX_LAYERS);
  op = add_op (p, kind);
  op->layers = steal_pointer (&p->layers);
  op->n_layers = p->n_layers;
  p->n_layers = 0;
  if (kind == SETUP_OP_OVERLAY)
    {
      op->source = xstrdup (args[0]);
      op->workdir = xstrdup (args[1]);
      op->dest = xstrdup (args[2]);
    }
  else
    op->dest = xstrdup (args[0]);
  if (kind == SETUP_OP_TMP_OVERLAY)
    op->overlay_index = p->plan->n_tmp_overlays++;
  return 0;
}

/* ---- The table: parse behaviour and --help text, in --help order ------- */

#define OFS(field) ((int) offsetof (struct plan, field))
#define OPT(name, meta, handler, n, flags, data, help) \
  { name, meta, help, handler, n, flags, data }

static const struct option_def option_table[] = {
  OPT ("--help", NULL, opt_result, 0, 0, OPTIONS_HELP, "Print this help"),
  OPT ("--version", NULL, opt_result, 0, 0, OPTIONS_VERSION, "Print version"),
  OPT ("--args", "FD", opt_args, 1, OPT_NOT_IN_FILE, 0, "Parse NUL-separated args from FD"),
  OPT ("--argv0", "VALUE", opt_argv0, 1, OPT_SAY_ONE, 0, "Set argv[0] to the value VALUE before running the program"),
  OPT ("--level-prefix", NULL, opt_flag, 0, 0, OFS (level_prefix), "Prepend e.g. <3> to diagnostic messages"),
  OPT ("--unshare-all", NULL, opt_unshare_all, 0, 0, 0, "Unshare every namespace we support by default"),
  OPT ("--share-net", NULL, opt_share_net, 0, 0, 0, "Retain the network namespace (can only combine with --unshare-all)"),
  OPT ("--unshare-user", NULL, opt_flag, 0, 0, OFS (unshare_user), "Create new user namespace (may be automatically implied if not setuid)"),
  OPT ("--unshare-user-try", NULL, opt_flag, 0, 0, OFS (unshare_user_try), "Create new user namespace if possible else continue by skipping it"),
  OPT ("--unshare-ipc", NULL, opt_flag, 0, 0, OFS (unshare_ipc), "Create new ipc namespace"),
  OPT ("--unshare-pid", NULL, opt_flag, 0, 0, OFS (unshare_pid), "Create new pid namespace"),
  OPT ("--unshare-net", NULL, opt_flag, 0, 0, OFS (unshare_net), "Create new network namespace"),
  OPT ("--unshare-uts", NULL, opt_flag, 0, 0, OFS (unshare_uts), "Create new uts namespace"),
  OPT ("--unshare-cgroup", NULL, opt_flag, 0, 0, OFS (unshare_cgroup), "Create new cgroup namespace"),
  OPT ("--unshare-cgroup-try", NULL, opt_flag, 0, 0, OFS (unshare_cgroup_try), "Create new cgroup namespace if possible else continue by skipping it"),
  OPT ("--userns", "FD", opt_last_fd, 1, 0, OFS (userns_fd), "Use this user namespace (cannot combine with --unshare-user)"),
  OPT ("--userns2", "FD", opt_last_fd, 1, 0, OFS (userns2_fd), "After setup switch to this user namespace, only useful with --userns"),
  OPT ("--disable-userns", NULL, opt_flag, 0, 0, OFS (disable_userns), "Disable further use of user namespaces inside sandbox"),
  OPT ("--assert-userns-disabled", NULL, opt_flag, 0, 0, OFS (assert_userns_disabled), "Fail unless further use of user namespace inside sandbox is disabled"),
  OPT ("--pidns", "FD", opt_last_fd, 1, 0, OFS (pidns_fd), "Use this pid namespace (as parent namespace if using --unshare-pid)"),
  OPT ("--uid", "UID", opt_id, 1, 0, 1, "Custom uid in the sandbox (requires --unshare-user or --userns)"),
  OPT ("--gid", "GID", opt_id, 1, 0, 0, "Custom gid in the sandbox (requires --unshare-user or --userns)"),
  OPT ("--hostname", "NAME", opt_hostname, 1, 0, 0, "Custom hostname in the sandbox (requires --unshare-uts)"),
  OPT ("--chdir", "DIR", opt_last_string, 1, OPT_SAY_ONE, OFS (chdir_path), "Change directory to DIR"),
  OPT ("--clearenv", NULL, opt_env, 0, 0, ENV_EDIT_CLEAR, "Unset all environment variables"),
  OPT ("--setenv", "VAR VALUE", opt_env, 2, 0, ENV_EDIT_SET, "Set an environment variable"),
  OPT ("--unsetenv", "VAR", opt_env, 1, 0, ENV_EDIT_UNSET, "Unset an environment variable"),
  OPT ("--lock-file", "DEST", opt_lock_file, 1, 0, 0, "Take a lock on DEST while sandbox is running"),
  OPT ("--sync-fd", "FD", opt_last_fd, 1, 0, OFS (sync_fd), "Keep this fd open while sandbox is running"),
  OPT ("--bind", "SRC DEST", opt_bind, 2, 0, SETUP_OP_BIND, "Bind mount the host path SRC on DEST"),
  OPT ("--bind-try", "SRC DEST", opt_bind, 2, OPT_TRY, SETUP_OP_BIND, "Equal to --bind but ignores non-existent SRC"),
  OPT ("--dev-bind", "SRC DEST", opt_bind, 2, 0, SETUP_OP_DEV_BIND, "Bind mount the host path SRC on DEST, allowing device access"),
  OPT ("--dev-bind-try", "SRC DEST", opt_bind, 2, OPT_TRY, SETUP_OP_DEV_BIND, "Equal to --dev-bind but ignores non-existent SRC"),
  OPT ("--ro-bind", "SRC DEST", opt_bind, 2, 0, SETUP_OP_RO_BIND, "Bind mount the host path SRC readonly on DEST"),
  OPT ("--ro-bind-try", "SRC DEST", opt_bind, 2, OPT_TRY, SETUP_OP_RO_BIND, "Equal to --ro-bind but ignores non-existent SRC"),
  OPT ("--bind-fd", "FD DEST", opt_fd_dest, 2, 0, SETUP_OP_BIND_FD, "Bind open directory or path fd on DEST"),
  OPT ("--ro-bind-fd", "FD DEST", opt_fd_dest, 2, OPT_BIND_FD_MSG, SETUP_OP_RO_BIND_FD, "Bind open directory or path fd read-only on DEST"),
  OPT ("--remount-ro", "DEST", opt_dest, 1, OPT_SAY_ONE, SETUP_OP_REMOUNT_RO, "Remount DEST as readonly; does not recursively remount"),
  OPT ("--overlay-src", "SRC", opt_overlay_src, 1, OPT_NO_SETUID | OPT_LAYER, 0, "Read files from SRC in the following overlay"),
  OPT ("--overlay", "RWSRC WORKDIR DEST", opt_overlay, 3, OPT_NO_SETUID, SETUP_OP_OVERLAY,
       "Mount overlayfs on DEST, with RWSRC as the host path for writes and\n"
       "WORKDIR an empty directory on the same filesystem as RWSRC"),
  OPT ("--tmp-overlay", "DEST", opt_overlay, 1, OPT_NO_SETUID, SETUP_OP_TMP_OVERLAY, "Mount overlayfs on DEST, with writes going to an invisible tmpfs"),
  OPT ("--ro-overlay", "DEST", opt_overlay, 1, OPT_NO_SETUID, SETUP_OP_RO_OVERLAY, "Mount overlayfs read-only on DEST"),
  OPT ("--exec-label", "LABEL", opt_last_string, 1, 0, OFS (exec_label), "Exec label for the sandbox"),
  OPT ("--file-label", "LABEL", opt_last_string, 1, 0, OFS (file_label), "File label for temporary sandbox content"),
  OPT ("--proc", "DEST", opt_dest, 1, 0, SETUP_OP_PROC, "Mount new procfs on DEST"),
  OPT ("--dev", "DEST", opt_dest, 1, 0, SETUP_OP_DEV, "Mount new dev on DEST"),
  OPT ("--tmpfs", "DEST", opt_dest, 1, 0, SETUP_OP_TMPFS, "Mount new tmpfs on DEST"),
  OPT ("--mqueue", "DEST", opt_dest, 1, 0, SETUP_OP_MQUEUE, "Mount new mqueue on DEST"),
  OPT ("--dir", "DEST", opt_dest, 1, 0, SETUP_OP_DIR, "Create dir at DEST"),
  OPT ("--file", "FD DEST", opt_fd_dest, 2, 0, SETUP_OP_FILE, "Copy from FD to destination DEST"),
  OPT ("--bind-data", "FD DEST", opt_fd_dest, 2, 0, SETUP_OP_BIND_DATA, "Copy from FD to file which is bind-mounted on DEST"),
  OPT ("--ro-bind-data", "FD DEST", opt_fd_dest, 2, 0, SETUP_OP_RO_BIND_DATA, "Copy from FD to file which is readonly bind-mounted on DEST"),
  OPT ("--symlink", "SRC DEST", opt_bind, 2, 0, SETUP_OP_SYMLINK, "Create symlink at DEST with target SRC"),
  OPT ("--seccomp", "FD", opt_seccomp, 1, 0, OFS (seccomp_fd), "Load and use seccomp rules from FD (not repeatable)"),
  OPT ("--add-seccomp-fd", "FD", opt_add_seccomp_fd, 1, 0, 0, "Load and use seccomp rules from FD (repeatable)"),
  OPT ("--block-fd", "FD", opt_last_fd, 1, 0, OFS (block_fd), "Block on FD until some data to read is available"),
  OPT ("--userns-block-fd", "FD", opt_last_fd, 1, 0, OFS (userns_block_fd), "Block on FD until the user namespace is ready"),
  OPT ("--info-fd", "FD", opt_last_fd, 1, 0, OFS (info_fd), "Write information about the running container to FD"),
  OPT ("--json-status-fd", "FD", opt_last_fd, 1, 0, OFS (json_status_fd), "Write container status to FD as multiple JSON documents"),
  OPT ("--new-session", NULL, opt_flag, 0, 0, OFS (new_session), "Create a new terminal session"),
  OPT ("--die-with-parent", NULL, opt_flag, 0, 0, OFS (die_with_parent), "Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's parent dies."),
  OPT ("--as-pid-1", NULL, opt_flag, 0, 0, OFS (as_pid_1), "Do not install a reaper process with PID=1"),
  OPT ("--cap-add", "CAP", opt_cap, 1, 0, 1, "Add cap CAP when running as privileged user"),
  OPT ("--cap-drop", "CAP", opt_cap, 1, 0, 0, "Drop cap CAP when running as privileged user"),
  OPT ("--perms", "OCTAL", opt_perms, 1, OPT_MODIFIER, 0, "Set permissions of next argument (--bind-data, --file, etc.)"),
  OPT ("--size", "BYTES", opt_size, 1, OPT_MODIFIER | OPT_NO_SETUID, 0, "Set size of next argument (only for --tmpfs and --tmp-overlay)"),
  OPT ("--chmod", "OCTAL PATH", opt_chmod, 2, 0, 0, "Change permissions of PATH (must already exist)"),
};

/* ---- The parsing loop --------------------------------------------------- */

static const struct option_def *
find_option (const char *name)
{
  for (size_t i = 0; i < N_ELEMENTS (option_table); i++)
    if (strcmp (option_table[i].name, name) == 0)
      return &option_table[i];
  return NULL;
}

static int
arity_error (struct parser *p, const struct option_def *def)
{
  static const char *const counts[] = { "", "an argument", "two arguments", "three arguments" };
  const char *name = def->flags & OPT_BIND_FD_MSG ? "--bind-fd" : def->name;

  /* A trailing --overlay-src is a misplaced one, not a short one. */
  if (def->flags & OPT_LAYER)
    return overlay_src_misplaced (p);
  return bwrap_error_set (p->err, 0, "%s takes %s", name,
                          def->flags & OPT_SAY_ONE ? "one argument" : counts[def->n_args]);
}

/* One option with n_avail words after it.  Returns 0, an options_result > 0
 * to stop (--help, --version) or a negative errno. */
static int
run_option (struct parser *p, const struct option_def *def, char **args, size_t n_avail)
{
  int r;

  if (p->in_file && (def->flags & OPT_NOT_IN_FILE))
    return bwrap_error_set (p->err, 0, "%s not supported in arguments file", def->name);
  /* Refused on purpose: --size and overlays let the user drive kernel code
   * (tmpfs sizing, overlayfs) with privileges they would not otherwise have. */
  if (p->ctx->is_setuid && (def->flags & OPT_NO_SETUID))
    return bwrap_error_set (p->err, 0, "The %s option is not permitted in setuid mode", def->name);
  if (n_avail < def->n_args)
    return arity_error (p, def);
  r = def->handler (p, def, args);
  if (r != 0 || (def->flags & OPT_MODIFIER))
    return r;
  return check_pending (p, def);
}

/* Parse words[0..n-1] up to the first non-option word or past "--";
 * *ret_stop is the index where COMMAND (if any) starts. */
static int
parse_words (struct parser *p, char **words, size_t n, size_t *ret_stop)
{
  size_t i = 0;

  while (i < n)
    {
      const char *arg = words[i];
      const struct option_def *def;
      int r;

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-')
        break;
      /* Layers, --size, then --overlay or --ro-overlay: the layers are
       * where they belong, the --size (our extension: bubblewrap has no
       * --size for overlays) is what is misplaced, so it is named. */
      if (p->has_size_after_layers
          && (strcmp (arg, "--overlay") == 0 || strcmp (arg, "--ro-overlay") == 0))
        return bwrap_error_set (p->err, 0, "--size must be followed by --tmpfs or --tmp-overlay, "
                                "not %s", arg);
      if (p->has_size_after_layers && strcmp (arg, "--tmp-overlay") != 0)
        return overlay_src_misplaced (p);
      def = find_option (arg);
      if (def == NULL)
        return bwrap_error_set (p->err, 0, "Unknown option %s", arg);
      r = run_option (p, def, words + i + 1, n - i - 1);
      if (r != 0)
        return r;
      i += 1 + def->n_args;
    }
  *ret_stop = i;
  return 0;
}

int
options_parse (int argc, char **argv, const struct options_context *ctx,
               struct plan *plan, struct bwrap_error *err)
{
  struct parser p = { .ctx = ctx, .plan = plan, .err = err };
  size_t n = argc > 1 ? (size_t) argc - 1 : 0;
  size_t stop = 0;
  int r;

  p.n_words = n;
  r = count_limit (&p);
  if (r == 0)
    r = parse_words (&p, argv + 1, n, &stop);
  /* Unlike --perms/--size, a pending layer list at the end is an error. */
  if (r == 0 && p.n_layers > 0)
    r = overlay_src_misplaced (&p);
  for (size_t i = 0; i < p.n_layers; i++)
    free (p.layers[i]);
  free (p.layers);
  if (r != 0)
    return r;

  plan->n_command = n - stop;
  plan->command = xcalloc (plan->n_command + 1, sizeof (char *));
  for (size_t i = 0; i < plan->n_command; i++)
    plan->command[i] = xstrdup (argv[1 + stop + i]);
  return OPTIONS_RUN;
}

/* ---- Cross-option rules ------------------------------------------------- */

/* Would the --cap-add/--cap-drop edits leave any capability, starting from
 * the empty set of a non-root (setuid) caller? */
static bool
caps_nonempty (const struct plan *plan)
{
  uint64_t set = 0;

  for (size_t i = 0; i < plan->n_cap_edits; i++)
    {
      const struct cap_edit *e = &plan->cap_edits[i];
      uint64_t bits = e->cap == CAP_EDIT_ALL ? UINT64_MAX : (uint64_t) 1 << (e->cap & 63);
      set = e->is_add ? set | bits : set & ~bits;
    }
  return set != 0;
}

struct rule
{
  bool is_broken;
  const char *message;
};

static int
first_broken (const struct rule *rules, size_t n, struct bwrap_error *err)
{
  for (size_t i = 0; i < n; i++)
    if (rules[i].is_broken)
      return bwrap_error_set (err, 0, "%s", rules[i].message);
  return 0;
}

/* Reference section 11, checks 1-9.  They run before the
 * implicit user namespace: those naming --unshare-user want it explicit. */
static int
check_early_rules (const struct plan *plan, const struct options_context *ctx,
                   struct bwrap_error *err)
{
  bool setuid = ctx->is_setuid;
  const struct rule rules[] = {
    { setuid && caps_nonempty (plan), "--cap-add in setuid mode can be used only by root" },
    { plan->userns_block_fd != -1 && !plan->unshare_user, "--userns-block-fd requires --unshare-user" },
    { plan->userns_block_fd != -1 && plan->info_fd == -1, "--userns-block-fd requires --info-fd" },
    { plan->userns_fd != -1 && plan->unshare_user, "--userns not compatible --unshare-user" },
    { plan->userns_fd != -1 && plan->unshare_user_try, "--userns not compatible --unshare-user-try" },
    { plan->disable_userns && !plan->unshare_user, "--disable-userns requires --unshare-user" },
    { plan->disable_userns && plan->userns_block_fd != -1,
      "--disable-userns is not compatible with  --userns-block-fd" },
    { setuid && plan->userns_fd != -1, "--userns doesn't work in setuid mode" },
    { setuid && plan->userns2_fd != -1, "--userns2 doesn't work in setuid mode" },
  };
  return first_broken (rules, N_ELEMENTS (rules), err);
}

/* Reference section 11, checks 11-15, after uid/gid defaults are known. */
static int
check_late_rules (const struct plan *plan, const struct options_context *ctx,
                  struct bwrap_error *err)
{
  bool has_userns = plan->unshare_user || plan->unshare_user_try || plan->userns_fd != -1;
  const struct rule rules[] = {
    { plan->uid != ctx->real_uid && !has_userns, "Specifying --uid requires --unshare-user or --userns" },
    { plan->gid != ctx->real_gid && !has_userns, "Specifying --gid requires --unshare-user or --userns" },
    { plan->has_hostname && !plan->unshare_uts, "Specifying --hostname requires --unshare-uts" },
    { plan->as_pid_1 && !plan->unshare_pid, "Specifying --as-pid-1 requires --unshare-pid" },
    { plan->as_pid_1 && plan->n_lock_files > 0, "Specifying --as-pid-1 and --lock-file is not permitted" },
  };
  return first_broken (rules, N_ELEMENTS (rules), err);
}

/* Rules bubblewrap does not have, last: where bubblewrap fails, it does
 * so later (at run time) or not at all, so its own errors come first. */
static int
check_our_rules (const struct plan *plan, const struct options_context *ctx,
                 struct bwrap_error *err)
{
  bool setuid = ctx->is_setuid;
  const struct rule rules[] = {
    /* We do not make joining a caller's pid namespace safe while
     * privileged. */
    { setuid && plan->pidns_fd != -1, "--pidns doesn't work in setuid mode" },
    /* In setuid mode the setuid helper writes the id maps before the
     * sandbox exists, so a caller could not write them. */
    { setuid && plan->userns_block_fd != -1, "--userns-block-fd doesn't work in setuid mode" },
    /* --userns2 must descend from the setup user namespace, and only
     * --userns lets the caller choose that. */
    { plan->userns2_fd != -1 && plan->userns_fd == -1, "--userns2 requires --userns" },
  };
  return first_broken (rules, N_ELEMENTS (rules), err);
}

int
options_validate (struct plan *plan, const struct options_context *ctx,
                  struct bwrap_error *err)
{
  int r = check_early_rules (plan, ctx, err);

  if (r < 0)
    return r;
  /* Unprivileged callers always get a user namespace, as in bubblewrap. */
  if (!ctx->is_setuid && ctx->real_uid != 0 && plan->userns_fd < 0)
    plan->unshare_user = true;
  if (plan->n_command == 0)
    return OPTIONS_USAGE;
  if (!plan->has_uid)
    plan->uid = ctx->real_uid;
  if (!plan->has_gid)
    plan->gid = ctx->real_gid;
  r = check_late_rules (plan, ctx, err);
  if (r == 0)
    r = check_our_rules (plan, ctx, err);
  return r < 0 ? r : OPTIONS_RUN;
}

/* ---- Usage -------------------------------------------------------------- */

void
options_print_usage (FILE *out, const char *argv0)
{
  fprintf (out, "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n", argv0);
  for (size_t i = 0; i < N_ELEMENTS (option_table); i++)
    {
      const struct option_def *def = &option_table[i];
      cleanup_free char *head = def->metavar ? xasprintf ("%s %s", def->name, def->metavar)
                                             : xstrdup (def->name);
      const char *text = def->help;
      const char *nl;

      /* Descriptions start in column 33; continuation lines align there. */
      fprintf (out, "    %-28s ", head);
      while ((nl = strchr (text, '\n')) != NULL)
        {
          fprintf (out, "%.*s\n%33s", (int) (nl - text), text, "");
          text = nl + 1;
        }
      fprintf (out, "%s\n", text);
    }
}
