/* All-or-nothing output directories: nothing appears until commit, abort leaves nothing,
 * an existing directory is refused without force and replaced with it. */
#include "por_test.h"
#include "por/outdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

START_TEST(test_commit_moves_files_into_place)
{
    const char *base = por_test_tmpdir("outdir-commit");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/result", base);
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check(dir, false, &err), POR_OK);
    por_outdir od;
    ck_assert_int_eq(por_outdir_begin(&od, dir, false, &err), POR_OK);
    FILE *f = por_outdir_fopen(&od, "a.txt", &err);
    ck_assert_ptr_nonnull(f);
    fputs("hello\n", f);
    ck_assert_int_eq(por_outdir_fclose(&od, f, "a.txt", &err), POR_OK);
    ck_assert(!exists(dir)); /* not visible before commit */
    ck_assert_int_eq(por_outdir_commit(&od, &err), POR_OK);
    char path[4300];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    char *txt = por_test_slurp(path);
    ck_assert_str_eq(txt, "hello\n");
    free(txt);
    ck_assert(!exists(od.tmp_path));
}
END_TEST

START_TEST(test_abort_leaves_nothing)
{
    const char *base = por_test_tmpdir("outdir-abort");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/result", base);
    por_error err = {POR_OK, ""};
    por_outdir od;
    ck_assert_int_eq(por_outdir_begin(&od, dir, false, &err), POR_OK);
    FILE *f = por_outdir_fopen(&od, "a.txt", &err);
    fputs("partial", f);
    por_outdir_fclose(&od, f, "a.txt", &err);
    por_outdir_abort(&od);
    ck_assert(!exists(dir));
    ck_assert(!exists(od.tmp_path));
}
END_TEST

START_TEST(test_existing_needs_force)
{
    const char *base = por_test_tmpdir("outdir-force");
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check(base, false, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "--force"));
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_OK);
    char old[4200];
    snprintf(old, sizeof old, "%s/old.txt", base);
    FILE *f = fopen(old, "w");
    fputs("old", f);
    fclose(f);
    por_outdir od;
    ck_assert_int_eq(por_outdir_begin(&od, base, true, &err), POR_OK);
    f = por_outdir_fopen(&od, "new.txt", &err);
    fputs("new", f);
    por_outdir_fclose(&od, f, "new.txt", &err);
    ck_assert_int_eq(por_outdir_commit(&od, &err), POR_OK);
    ck_assert(!exists(old));
    char nw[4200];
    snprintf(nw, sizeof nw, "%s/new.txt", base);
    ck_assert(exists(nw));
}
END_TEST

START_TEST(test_missing_parent_and_full_disk)
{
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check("/nonexistent-parent/x", false, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "does not exist"));
    ck_assert_int_eq(por_outdir_check("", false, &err), POR_EINPUT);
    /* /dev/full reports ENOSPC on flush: the close must surface it as an I/O error. */
    FILE *f = fopen("/dev/full", "w");
    if (f) {
        por_outdir od = {.final_path = "/dev", .tmp_path = "/dev", .open = false};
        fputs("x", f);
        ck_assert_int_eq(por_outdir_fclose(&od, f, "full", &err), POR_EIO);
        ck_assert_ptr_nonnull(strstr(err.msg, "write failed"));
    }
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("outdir");
    TCase *tc = tcase_create("outdir");
    tcase_add_test(tc, test_commit_moves_files_into_place);
    tcase_add_test(tc, test_abort_leaves_nothing);
    tcase_add_test(tc, test_existing_needs_force);
    tcase_add_test(tc, test_missing_parent_and_full_disk);
    suite_add_tcase(s, tc);
    return s;
}
