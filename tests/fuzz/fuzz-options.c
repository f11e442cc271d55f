/* SPDX-License-Identifier: LGPL-2.0-or-later
 * fuzz-options.c: libFuzzer target for the command-line parser.
 * Feeds arbitrary argv vectors and arbitrary --args data to options_parse()
 * and options_validate(), never executing, mounting or opening anything, and
 * frees the plan every iteration so leaks show up (-detect_leaks=1).
 *
 * Input format (seed corpus files are plain text):
 *   ARGV [ \x01 ARGS-DATA ]...
 * ARGV is split into words on NUL or newline (an empty word between two
 * separators is kept); "bwrap" is prepended as argv[0].  Each further
 * section, split on \x01, is the content the n-th --args read returns (the
 * fd number is ignored); once they run out --args fails with EBADF, as a
 * closed fd would.  Inside ARGS-DATA words are NUL-separated as usual.
 *
 * Every input is parsed three times: as real root, as an unprivileged user
 * with SELinux labels available, and as a setuid caller, so the
 * privilege-dependent paths are all reached.  Invariants of the plan are
 * checked with abort(), so a violation is reported as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "plan.h"
#include "utils.h"

#define SECTION_SEP '\x01'

struct fuzz_input
{
  char **argv;
  int argc;
  const uint8_t **blobs;
  size_t *blob_lens;
  size_t n_blobs;
  size_t next_blob;   /* reset before every parse */
};

/* A macro, so a violated invariant names itself in the crash report. */
#define check(ok) ((ok) ? (void) 0 : check_failed (__LINE__, #ok))

static void
check_failed (int line, const char *what)
{
  fprintf (stderr, "fuzz-options.c:%d: invariant violated: %s\n", line, what);
  abort ();
}

static int
fuzz_read_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  struct fuzz_input *in = userdata;
  size_t len;
  char *data;

  (void) fd;   /* the sections are handed out in order, whatever the fd */
  if (in->next_blob >= in->n_blobs)
    return -EBADF;
  len = in->blob_lens[in->next_blob];
  data = malloc (len + 1);
  if (data == NULL)
    return -ENOMEM;
  memcpy (data, in->blobs[in->next_blob], len);
  data[len] = '\0';   /* the contract: one NUL past ret_len */
  in->next_blob++;
  *ret_data = data;
  *ret_len = len;
  return 0;
}

static void
split_input (const uint8_t *data, size_t size, struct fuzz_input *in)
{
  const uint8_t *sep = memchr (data, SECTION_SEP, size);
  size_t argv_len = sep ? (size_t) (sep - data) : size;
  size_t n_words = 1;

  /* ARGV: one word per separator, plus the last one if non-empty (a
   * trailing newline, as in a text file, adds nothing). */
  for (size_t i = 0; i < argv_len; i++)
    if (data[i] == '\0' || data[i] == '\n')
      n_words++;
  in->argv = calloc (n_words + 2, sizeof (char *));
  check (in->argv != NULL);
  in->argv[in->argc++] = strdup ("bwrap");
  for (size_t start = 0, i = 0; i <= argv_len; i++)
    {
      if (i < argv_len && data[i] != '\0' && data[i] != '\n')
        continue;
      if (i == argv_len && i == start)
        break;
      in->argv[in->argc] = strndup ((const char *) data + start, i - start);
      check (in->argv[in->argc] != NULL);
      in->argc++;
      start = i + 1;
    }
  in->argv[in->argc] = NULL;

  /* ARGS-DATA sections. */
  while (sep != NULL)
    {
      const uint8_t *start = sep + 1;
      size_t left = size - (size_t) (start - data);
      sep = memchr (start, SECTION_SEP, left);
      in->blobs = realloc (in->blobs, (in->n_blobs + 1) * sizeof *in->blobs);
      in->blob_lens = realloc (in->blob_lens, (in->n_blobs + 1) * sizeof *in->blob_lens);
      check (in->blobs != NULL && in->blob_lens != NULL);
      in->blobs[in->n_blobs] = start;
      in->blob_lens[in->n_blobs] = sep ? (size_t) (sep - start) : left;
      in->n_blobs++;
    }
}

static void
free_input (struct fuzz_input *in)
{
  for (int i = 0; i < in->argc; i++)
    free (in->argv[i]);
  free (in->argv);
  free (in->blobs);
  free (in->blob_lens);
}

static bool
kind_takes_perms (enum setup_op_kind kind)
{
  return kind == SETUP_OP_TMPFS || kind == SETUP_OP_DIR || kind == SETUP_OP_FILE
         || kind == SETUP_OP_BIND_DATA || kind == SETUP_OP_RO_BIND_DATA;
}

static bool
kind_is_overlay (enum setup_op_kind kind)
{
  return kind == SETUP_OP_OVERLAY || kind == SETUP_OP_TMP_OVERLAY
         || kind == SETUP_OP_RO_OVERLAY;
}

static bool
kind_has_fd (enum setup_op_kind kind)
{
  return kind == SETUP_OP_BIND_FD || kind == SETUP_OP_RO_BIND_FD || kind == SETUP_OP_FILE
         || kind == SETUP_OP_BIND_DATA || kind == SETUP_OP_RO_BIND_DATA;
}

/* What a successfully parsed plan must look like, whatever the input. */
static void
check_parsed_plan (const struct plan *plan, const struct options_context *ctx)
{
  unsigned n_tmp_overlays = 0;

  check (plan->command != NULL && plan->command[plan->n_command] == NULL);
  for (size_t i = 0; i < plan->n_command; i++)
    check (plan->command[i] != NULL);
  check (plan->n_ops <= PLAN_MAX_ARGS);
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      const struct setup_op *op = &plan->ops[i];

      check (strcmp (setup_op_kind_name (op->kind), "?") != 0);
      check ((op->dest == NULL) == (op->kind == SETUP_OP_SET_HOSTNAME));
      check (kind_has_fd (op->kind) ? op->fd >= 0 : op->fd == -1);
      if (op->flags & SETUP_OP_FLAG_HAS_PERMS)
        check (kind_takes_perms (op->kind));
      if ((op->flags & SETUP_OP_FLAG_HAS_PERMS) || op->kind == SETUP_OP_CHMOD)
        check (op->perms <= 07777);
      if (op->flags & SETUP_OP_FLAG_HAS_SIZE)
        {
          check (op->kind == SETUP_OP_TMPFS || op->kind == SETUP_OP_TMP_OVERLAY);
          check (op->size != 0 && op->size <= SIZE_MAX / 2);
          check (!ctx->is_setuid);
        }
      check (!(op->flags & SETUP_OP_FLAG_SKIP));   /* preflight's, not ours */
      if (kind_is_overlay (op->kind))
        {
          check (!ctx->is_setuid);
          check (op->n_layers >= (op->kind == SETUP_OP_RO_OVERLAY ? 2u : 1u));
          check (op->n_layers <= PLAN_MAX_LAYERS);
          for (size_t k = 0; k < op->n_layers; k++)
            check (op->layers[k] != NULL);
          check ((op->source != NULL) == (op->kind == SETUP_OP_OVERLAY));
          check ((op->workdir != NULL) == (op->kind == SETUP_OP_OVERLAY));
          if (op->kind == SETUP_OP_TMP_OVERLAY)
            check (op->overlay_index == n_tmp_overlays++);
        }
      else
        check (op->n_layers == 0 && op->layers == NULL && op->workdir == NULL);
      check (op->resolved_source == NULL && op->resolved_layers == NULL);
    }
  check (plan->n_tmp_overlays == n_tmp_overlays);
  for (size_t i = 0; i < plan->n_env_edits; i++)
    {
      const struct env_edit *e = &plan->env_edits[i];
      if (e->kind == ENV_EDIT_CLEAR)
        continue;
      check (e->name != NULL && e->name[0] != '\0' && strchr (e->name, '=') == NULL);
      check ((e->value != NULL) == (e->kind == ENV_EDIT_SET));
    }
  check (!(plan->seccomp_fd != -1 && plan->n_add_seccomp_fds > 0));
  for (size_t i = 0; i < plan->n_warnings; i++)
    check (plan->warnings[i] != NULL && strncmp (plan->warnings[i], "bwrap: ", 7) != 0);
}

/* The cross-option rules (options_validate) hold for every validated plan. */
static void
check_validated_plan (const struct plan *plan, const struct options_context *ctx)
{
  bool has_userns = plan->unshare_user || plan->unshare_user_try || plan->userns_fd != -1;

  check (plan->n_command > 0);
  if (!ctx->is_setuid && ctx->real_uid != 0 && plan->userns_fd < 0)
    check (plan->unshare_user);
  check (plan->uid == ctx->real_uid || has_userns);
  check (plan->gid == ctx->real_gid || has_userns);
  check (!plan->has_hostname || plan->unshare_uts);
  check (!plan->as_pid_1 || (plan->unshare_pid && plan->n_lock_files == 0));
  check (plan->userns_block_fd == -1 || (plan->unshare_user && plan->info_fd != -1));
  check (!(plan->userns_fd != -1 && (plan->unshare_user || plan->unshare_user_try)));
  check (!plan->disable_userns || (plan->unshare_user && plan->userns_block_fd == -1));
  if (ctx->is_setuid)
    check (plan->userns_fd == -1 && plan->userns2_fd == -1);
}

static void
check_error (int r, const struct bwrap_error *err)
{
  if (r < 0)
    {
      /* One message, without the "bwrap: " the logger adds. */
      check (err->message != NULL && err->message[0] != '\0');
      check (strncmp (err->message, "bwrap: ", 7) != 0);
    }
  else
    check (err->message == NULL);
}

static void
run_once (struct fuzz_input *in, const struct options_context *ctx)
{
  struct plan plan;
  struct bwrap_error err = { 0 };
  int r;

  in->next_blob = 0;
  plan_init (&plan);
  r = options_parse (in->argc, in->argv, ctx, &plan, &err);
  check_error (r, &err);
  check (r < 0 || r == OPTIONS_RUN || r == OPTIONS_HELP || r == OPTIONS_VERSION);
  if (r == OPTIONS_RUN)
    {
      check_parsed_plan (&plan, ctx);
      r = options_validate (&plan, ctx, &err);
      check_error (r, &err);
      check (r < 0 || r == OPTIONS_RUN || r == OPTIONS_USAGE);
      /* bubblewrap's own rules are checked before the missing COMMAND, so
       * an error may come without one; usage only ever without one. */
      check (r < 0 || (r == OPTIONS_USAGE) == (plan.n_command == 0));
      if (r == OPTIONS_RUN)
        check_validated_plan (&plan, ctx);
    }
  bwrap_error_clear (&err);
  plan_free (&plan);
}

static bool
labels_yes (void)
{
  return true;
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct fuzz_input in = { 0 };
  const struct options_context contexts[] = {
    { .read_fd = fuzz_read_fd, .userdata = &in, .real_uid = 0, .real_gid = 0 },
    { .read_fd = fuzz_read_fd, .userdata = &in, .labels_supported = labels_yes,
      .real_uid = 1000, .real_gid = 1000 },
    { .read_fd = fuzz_read_fd, .userdata = &in, .is_setuid = true,
      .real_uid = 1000, .real_gid = 100 },
  };

  split_input (data, size, &in);
  for (size_t i = 0; i < N_ELEMENTS (contexts); i++)
    run_once (&in, &contexts[i]);
  free_input (&in);
  return 0;
}
