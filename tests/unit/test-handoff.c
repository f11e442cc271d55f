/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-handoff.c: the setuid monitor's hand-off (handoff.h): records
 * written to a sealed memfd come back in order and unchanged, and the
 * reader refuses records of the wrong kind, cut records and seccomp
 * records that are not whole programs.  Malformed hand-offs are written
 * by hand into an unsealed memfd.  No privileges (memfd_create). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "handoff.h"
#include "unit-main.h"

/* ---- helpers ------------------------------------------------------------ */

/* Seccomp programs of 1 and 3 instructions (contents never run). */
static const struct sock_filter prog1[] = {
  BPF_STMT (BPF_RET | BPF_K, 0x7fff0000),
};
static const struct sock_filter prog3[] = {
  BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 0),
  BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 39, 0, 1),
  BPF_STMT (BPF_RET | BPF_K, 0x00050001),
};

/* An unsealed memfd holding len raw bytes, rewound. */
static int
raw_handoff (const void *bytes, size_t len)
{
  int fd = memfd_create ("test-handoff-raw", MFD_CLOEXEC);

  ck_assert_int_ge (fd, 0);
  if (len > 0)
    ck_assert_int_eq (write (fd, bytes, len), (ssize_t) len);
  ck_assert_int_eq (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

/* Append a record header and payload to a byte buffer. */
static size_t
put_record (uint8_t *buf, size_t off, uint32_t kind, uint32_t len, const void *data,
            size_t data_len)
{
  uint32_t header[2] = { kind, len };
  memcpy (buf + off, header, sizeof header);
  if (data_len > 0)
    memcpy (buf + off + sizeof header, data, data_len);
  return off + sizeof header + data_len;
}

static void
read_raw (const void *bytes, size_t len, struct handoff *h)
{
  int fd = raw_handoff (bytes, len);

  ck_assert_int_eq (handoff_read (fd, h), 0);
  ck_assert_uint_eq (h->len, len);
  ck_assert_int_eq (close (fd), 0);
}

/* What bubblewrap.c writes: two --args reads (one empty), then two
 * programs. */
static const char args1[] = "--ro-bind\0/usr\0/usr\0";
static const char args2[] = "";

static int
write_sample (void)
{
  int fd = handoff_create ();

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (handoff_append (fd, HANDOFF_ARGS, args1, sizeof args1), 0);
  ck_assert_int_eq (handoff_append (fd, HANDOFF_ARGS, args2, 0), 0);
  ck_assert_int_eq (handoff_append (fd, HANDOFF_SECCOMP, prog1, sizeof prog1), 0);
  ck_assert_int_eq (handoff_append (fd, HANDOFF_SECCOMP, prog3, sizeof prog3), 0);
  ck_assert_int_eq (handoff_finish (fd), 0);
  return fd;
}

/* ---- the writer --------------------------------------------------------- */

/* Sealed for good, and rewound for the reader. */
START_TEST (test_sealed)
{
  int fd = write_sample ();
  int seals = fcntl (fd, F_GET_SEALS);

  ck_assert_int_eq (lseek (fd, 0, SEEK_CUR), 0);
  ck_assert_int_ne (seals, -1);
  ck_assert_int_eq (seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
                    F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  errno = 0;
  ck_assert_int_eq (write (fd, "x", 1), -1);
  ck_assert_int_eq (errno, EPERM);
  errno = 0;
  ck_assert_int_eq (pwrite (fd, "x", 1, 0), -1);
  ck_assert_int_eq (errno, EPERM);
  errno = 0;
  ck_assert_int_eq (ftruncate (fd, 0), -1);
  ck_assert_int_eq (errno, EPERM);
  errno = 0;
  ck_assert_int_eq (fcntl (fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), -1);
  ck_assert_int_eq (errno, EPERM);
  /* Nor can it be mapped writable. */
  ck_assert_ptr_eq (mmap (NULL, 4096, PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
  ck_assert_int_eq (close (fd), 0);
}
END_TEST

/* A memfd made without MFD_ALLOW_SEALING cannot be finished, and a bad
 * fd is reported, not ignored. */
START_TEST (test_writer_errors)
{
  int fd = memfd_create ("test-handoff-nosealing", MFD_CLOEXEC);

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (handoff_append (fd, HANDOFF_ARGS, "a", 1), 0);
  ck_assert_int_eq (handoff_finish (fd), -EPERM);
  ck_assert_int_eq (close (fd), 0);
  ck_assert_int_eq (handoff_append (-1, HANDOFF_ARGS, "a", 1), -EBADF);
  ck_assert_int_eq (handoff_finish (-1), -EBADF);
}
END_TEST

/* ---- the reader --------------------------------------------------------- */

START_TEST (test_read_in_order)
{
  int fd = write_sample ();
  struct handoff h;
  const char *data = NULL;
  size_t len = 1234;

  /* The reader rewinds, wherever the offset was left. */
  ck_assert_int_eq (lseek (fd, 0, SEEK_END), (off_t) (4 * 8 + sizeof args1 + sizeof prog1
                                                       + sizeof prog3));
  ck_assert_int_eq (handoff_read (fd, &h), 0);
  ck_assert_int_eq (close (fd), 0);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), 0);
  ck_assert_uint_eq (len, sizeof args1);
  ck_assert_mem_eq (data, args1, sizeof args1);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), 0);
  ck_assert_uint_eq (len, 0);
  /* The next record is a program: asking for args is an error, and
   * leaves it to be read as what it is. */
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -EINVAL);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), 0);
  ck_assert_uint_eq (len, sizeof prog1);
  ck_assert_mem_eq (data, prog1, sizeof prog1);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), 0);
  ck_assert_uint_eq (len, sizeof prog3);
  ck_assert_mem_eq (data, prog3, sizeof prog3);
  /* The end, for either kind, as often as asked. */
  ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), -ENOENT);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -ENOENT);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -ENOENT);
  handoff_free (&h);
  ck_assert_ptr_null (h.data);
  handoff_free (&h);   /* twice is harmless */
}
END_TEST

/* The programs come back identical, in order, after the args. */
START_TEST (test_seccomp_programs)
{
  int fd = write_sample ();
  struct handoff h;
  struct seccomp_set set = { 0 };
  const char *data;
  size_t len;

  ck_assert_int_eq (handoff_read (fd, &h), 0);
  ck_assert_int_eq (close (fd), 0);
  /* Args not yet consumed: the next record is not a program. */
  ck_assert_int_eq (handoff_seccomp (&h, &set), -EINVAL);
  ck_assert_uint_eq (set.n, 0);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), 0);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), 0);
  ck_assert_int_eq (handoff_seccomp (&h, &set), 0);
  ck_assert_uint_eq (set.n, 2);
  ck_assert_uint_eq (set.progs[0].len, 1);
  ck_assert_mem_eq (set.progs[0].filter, prog1, sizeof prog1);
  ck_assert_uint_eq (set.progs[1].len, 3);
  ck_assert_mem_eq (set.progs[1].filter, prog3, sizeof prog3);
  /* Copies: they outlive the hand-off's buffer. */
  handoff_free (&h);
  ck_assert_mem_eq (set.progs[1].filter, prog3, sizeof prog3);
  seccomp_set_free (&set);
}
END_TEST

/* No records at all: nothing to read, no programs. */
START_TEST (test_empty)
{
  int fd = handoff_create ();
  struct handoff h;
  struct seccomp_set set = { 0 };
  const char *data;
  size_t len;

  ck_assert_int_ge (fd, 0);
  ck_assert_int_eq (handoff_finish (fd), 0);
  ck_assert_int_eq (handoff_read (fd, &h), 0);
  ck_assert_uint_eq (h.len, 0);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -ENOENT);
  ck_assert_int_eq (handoff_seccomp (&h, &set), 0);
  ck_assert_uint_eq (set.n, 0);
  handoff_free (&h);
  ck_assert_int_eq (close (fd), 0);
}
END_TEST

/* ---- malformed hand-offs -------------------------------------------------- */

/* A record of a kind nobody writes, or of the other kind. */
static const uint32_t bad_kinds[] = { 0, 3, 0x100, UINT32_MAX };

START_TEST (test_wrong_kind)
{
  uint8_t buf[64];
  size_t n = put_record (buf, 0, bad_kinds[_i], 2, "ab", 2);
  struct handoff h;
  struct seccomp_set set = { 0 };
  const char *data;
  size_t len;

  read_raw (buf, n, &h);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -EINVAL);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), -EINVAL);
  ck_assert_int_eq (handoff_seccomp (&h, &set), -EINVAL);
  ck_assert_uint_eq (set.n, 0);
  handoff_free (&h);
}
END_TEST

/* Cut records: a partial header, or a length past the end (up to a
 * length that would wrap a 32-bit sum), after a valid record or not. */
START_TEST (test_truncated)
{
  static const uint32_t bad_lengths[] = { 5, 6, 100, 0x7fffffff, 0xfffffff8u, UINT32_MAX };
  uint8_t buf[64];
  struct handoff h;
  const char *data;
  size_t len, n;

  for (size_t cut = 1; cut < 8; cut++)
    {
      put_record (buf, 0, HANDOFF_ARGS, 0, NULL, 0);
      read_raw (buf, cut, &h);
      ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -EINVAL);
      handoff_free (&h);
      /* Same, after a whole record. */
      n = put_record (buf, 0, HANDOFF_ARGS, 3, "abc", 3);
      put_record (buf, n, HANDOFF_ARGS, 0, NULL, 0);
      read_raw (buf, n + cut, &h);
      ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), 0);
      ck_assert_uint_eq (len, 3);
      ck_assert_int_eq (handoff_next (&h, HANDOFF_ARGS, &data, &len), -EINVAL);
      handoff_free (&h);
    }
  for (size_t i = 0; i < N_ELEMENTS (bad_lengths); i++)
    {
      n = put_record (buf, 0, HANDOFF_SECCOMP, bad_lengths[i], "abcd", 4);
      read_raw (buf, n, &h);
      ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), -EINVAL);
      handoff_free (&h);
    }
  /* One byte short of its length. */
  n = put_record (buf, 0, HANDOFF_SECCOMP, sizeof prog1, prog1, sizeof prog1);
  read_raw (buf, n - 1, &h);
  ck_assert_int_eq (handoff_next (&h, HANDOFF_SECCOMP, &data, &len), -EINVAL);
  handoff_free (&h);
}
END_TEST

/* A program record whose length is not whole instructions.  (An empty
 * program passes: seccomp_install refuses it, where bubblewrap would.) */
static const uint32_t bad_prog_lengths[] = { 1, 4, 7, 9, 12, 15, 17, 23 };

START_TEST (test_seccomp_bad_length)
{
  uint8_t buf[64];
  uint8_t bytes[24];
  struct handoff h;
  struct seccomp_set set = { 0 };
  size_t n;

  memset (bytes, 0x11, sizeof bytes);
  n = put_record (buf, 0, HANDOFF_SECCOMP, bad_prog_lengths[_i], bytes, bad_prog_lengths[_i]);
  read_raw (buf, n, &h);
  ck_assert_int_eq (handoff_seccomp (&h, &set), -EINVAL);
  ck_assert_uint_eq (set.n, 0);
  handoff_free (&h);
  /* After a good program: it was taken, then the bad one refused. */
  n = put_record (buf, 0, HANDOFF_SECCOMP, sizeof prog1, prog1, sizeof prog1);
  n = put_record (buf, n, HANDOFF_SECCOMP, bad_prog_lengths[_i], bytes, bad_prog_lengths[_i]);
  read_raw (buf, n, &h);
  ck_assert_int_eq (handoff_seccomp (&h, &set), -EINVAL);
  handoff_free (&h);
  seccomp_set_free (&set);
}
END_TEST

/* BPF_MAXINSNS instructions is the largest program; one more is not one. */
START_TEST (test_seccomp_max_length)
{
  static uint8_t buf[8 + (BPF_MAXINSNS + 1) * sizeof (struct sock_filter)];
  static struct sock_filter insns[BPF_MAXINSNS + 1];
  struct handoff h;
  struct seccomp_set set = { 0 };
  size_t n;

  for (size_t i = 0; i < N_ELEMENTS (insns); i++)
    insns[i] = prog1[0];
  n = put_record (buf, 0, HANDOFF_SECCOMP, BPF_MAXINSNS * sizeof insns[0], insns,
                  BPF_MAXINSNS * sizeof insns[0]);
  read_raw (buf, n, &h);
  ck_assert_int_eq (handoff_seccomp (&h, &set), 0);
  ck_assert_uint_eq (set.n, 1);
  ck_assert_uint_eq (set.progs[0].len, BPF_MAXINSNS);
  ck_assert_mem_eq (set.progs[0].filter, insns, BPF_MAXINSNS * sizeof insns[0]);
  handoff_free (&h);
  seccomp_set_free (&set);
  n = put_record (buf, 0, HANDOFF_SECCOMP, sizeof insns, insns, sizeof insns);
  read_raw (buf, n, &h);
  ck_assert_int_eq (handoff_seccomp (&h, &set), -EINVAL);
  ck_assert_uint_eq (set.n, 0);
  handoff_free (&h);
}
END_TEST

static Suite *
handoff_suite (void)
{
  Suite *s = suite_create ("handoff");
  TCase *tc = tcase_create ("handoff");

  tcase_add_test (tc, test_sealed);
  tcase_add_test (tc, test_writer_errors);
  tcase_add_test (tc, test_read_in_order);
  tcase_add_test (tc, test_seccomp_programs);
  tcase_add_test (tc, test_empty);
  tcase_add_loop_test (tc, test_wrong_kind, 0, N_ELEMENTS (bad_kinds));
  tcase_add_test (tc, test_truncated);
  tcase_add_loop_test (tc, test_seccomp_bad_length, 0, N_ELEMENTS (bad_prog_lengths));
  tcase_add_test (tc, test_seccomp_max_length);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (handoff_suite ());
}
