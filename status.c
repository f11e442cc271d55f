/* SPDX-License-Identifier: LGPL-2.0-or-later
 * status.c: --info-fd / --json-status-fd documents, exit-code mapping.
 * The formatters are pure; status_read_ns_ids runs in the monitor. */
#include "status.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "utils.h"

static const struct
{
  const char *key;
  const char *file;
  int flag;
} ns_table[STATUS_NS_COUNT] = {
  [STATUS_NS_CGROUP] = { "cgroup-namespace", "cgroup", CLONE_NEWCGROUP },
  [STATUS_NS_IPC] = { "ipc-namespace", "ipc", CLONE_NEWIPC },
  [STATUS_NS_MNT] = { "mnt-namespace", "mnt", CLONE_NEWNS },
  [STATUS_NS_NET] = { "net-namespace", "net", CLONE_NEWNET },
  [STATUS_NS_PID] = { "pid-namespace", "pid", CLONE_NEWPID },
  [STATUS_NS_UTS] = { "uts-namespace", "uts", CLONE_NEWUTS },
};

void
status_read_ns_ids (pid_t pid, int clone_flags, uint64_t ids[STATUS_NS_COUNT])
{
  for (int i = 0; i < STATUS_NS_COUNT; i++)
    {
      char path[64];
      struct stat st;
      ids[i] = 0;
      if (!(clone_flags & ns_table[i].flag))
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, ns_table[i].file);
      if (stat (path, &st) == 0)
        ids[i] = st.st_ino;
    }
}

char *
status_format_start (pid_t child_pid, const uint64_t ids[STATUS_NS_COUNT], bool pretty)
{
  const char *sep = pretty ? ",\n    " : ", ";
  char *doc = xasprintf (pretty ? "{\n    \"child-pid\": %d" : "{ \"child-pid\": %d", (int) child_pid);

  for (int i = 0; i < STATUS_NS_COUNT; i++)
    {
      char *next;
      if (ids[i] == 0)
        continue;
      next = xasprintf ("%s%s\"%s\": %llu", doc, sep, ns_table[i].key,
                        (unsigned long long) ids[i]);
      free (doc);
      doc = next;
    }
  {
    char *next = xasprintf ("%s%s", doc, pretty ? "\n}\n" : " }\n");
    free (doc);
    return next;
  }
}

char *
status_format_exit (int exit_code)
{
  return xasprintf ("{ \"exit-code\": %d }\n", exit_code);
}

int
status_exit_code (int wait_status)
{
  if (WIFEXITED (wait_status))
    return WEXITSTATUS (wait_status);
  if (WIFSIGNALED (wait_status))
    return 128 + WTERMSIG (wait_status);
  return 255;
}
