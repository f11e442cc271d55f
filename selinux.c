/* SPDX-License-Identifier: LGPL-2.0-or-later
 * selinux.c: SELinux labels through libselinux, or stubs without it.
 * Setting a label only restricts the sandbox further (the policy decides
 * which transitions are allowed), so no extra privilege is involved.
 *
 * libselinux is opened on first use instead of being linked: loading it
 * and libpcre2, which it pulls in, and running its constructor (which
 * probes /sys/fs/selinux and /proc/filesystems) cost about 0.7 ms, 6% of
 * every start, although labels are rare.  The only caller that opens it
 * is the option parser, when it meets --exec-label or --file-label: that
 * runs before any namespace or mount exists, so the library always comes
 * from the host's library path and never from inside a sandbox.  A
 * setuid bwrap searches with ld.so's secure-mode rules, as for a linked
 * library (no LD_LIBRARY_PATH). */
#include "config.h"
#include "selinux.h"

#include <errno.h>

#include "utils.h"

#if HAVE_SELINUX
#include <dlfcn.h>
#include <selinux/selinux.h>

/* The ABI name; libselinux has kept it since 2004. */
#define LIBSELINUX_SONAME "libselinux.so.1"

static struct
{
  bool tried;
  bool enabled;
  __typeof__ (&security_check_context) check_context;
  __typeof__ (&setfscreatecon) set_file_context;
  __typeof__ (&setexeccon) set_exec_context;
} lib;

/* Opens libselinux once (RTLD_NOW: every symbol is bound here, on the
 * host, not later inside the sandbox).  Missing library or symbols mean
 * no label support, as in a build without libselinux. */
static void
selinux_load (void)
{
  __typeof__ (&is_selinux_enabled) enabled;
  void *handle;

  if (lib.tried)
    return;
  lib.tried = true;
  handle = dlopen (LIBSELINUX_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    return;
  enabled = (__typeof__ (enabled)) dlsym (handle, "is_selinux_enabled");
  lib.check_context = (__typeof__ (lib.check_context)) dlsym (handle, "security_check_context");
  lib.set_file_context = (__typeof__ (lib.set_file_context)) dlsym (handle, "setfscreatecon");
  lib.set_exec_context = (__typeof__ (lib.set_exec_context)) dlsym (handle, "setexeccon");
  if (enabled == NULL || lib.check_context == NULL || lib.set_file_context == NULL
      || lib.set_exec_context == NULL)
    return;
  lib.enabled = enabled () > 0;
}

bool
selinux_labels_supported (void)
{
  selinux_load ();
  return lib.enabled;
}

/* The label functions run only after the parser accepted a label, so the
 * library is loaded; the check keeps a future caller honest. */
static void
require_loaded (void)
{
  if (!lib.enabled)
    die ("labeling not supported on this system");
}

void
selinux_check_label (const char *label)
{
  if (label == NULL)
    return;
  require_loaded ();
  if (lib.check_context (label) < 0)
    die_with_error ("invalid label %s", label);
}

void
selinux_set_file_label (const char *label)
{
  if (label == NULL)
    return;
  require_loaded ();
  if (lib.set_file_context (label) < 0)
    die_with_error ("--file-label setup failed");
}

void
selinux_set_exec_label (const char *label, const char *command)
{
  if (label == NULL)
    return;
  require_loaded ();
  if (lib.set_exec_context (label) < 0)
    die_with_error ("label_exec %s", command);
}

#else

bool
selinux_labels_supported (void)
{
  return false;
}

/* Unreachable in practice: the parser refuses labels when unsupported. */
void
selinux_check_label (const char *label)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}

void
selinux_set_file_label (const char *label)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}

void
selinux_set_exec_label (const char *label, const char *command)
{
  if (label != NULL)
    die ("labeling not supported on this system");
}
#endif
