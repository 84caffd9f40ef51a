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

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Replaces DIR through the all-or-nothing writer with one file, new.txt. */
static por_status replace_with_new(const char *dir, bool force, por_error *err)
{
    por_outdir od;
    por_status st = por_outdir_begin(&od, dir, force, err);
    if (st != POR_OK)
        return st;
    FILE *f = por_outdir_fopen(&od, "new.txt", err);
    fputs("new", f);
    por_outdir_fclose(&od, f, "new.txt", err);
    st = por_outdir_commit(&od, err);
    por_outdir_abort(&od);
    return st;
}

START_TEST(test_existing_needs_force)
{
    const char *base = por_test_tmpdir("outdir-force");
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check(base, false, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "--force"));
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_OK); /* empty: replaceable */
    /* A directory porsim wrote (its meta.json carries porsim_version) is replaced. */
    write_file(base, "meta.json", "{\n  \"porsim_version\": \"0.1.0\",\n  \"seed\": 1\n}\n");
    write_file(base, "old.txt", "old");
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_OK);
    ck_assert_int_eq(replace_with_new(base, true, &err), POR_OK);
    char old[4200], nw[4200];
    snprintf(old, sizeof old, "%s/old.txt", base);
    snprintf(nw, sizeof nw, "%s/new.txt", base);
    ck_assert(!exists(old));
    ck_assert(exists(nw));
}
END_TEST

/* issue 18: `-o results --force` deleted results/paper-figure.pdf. A folder porsim did
 * not write is refused even with force, at check and again at commit, untouched. */
START_TEST(test_force_refuses_a_folder_porsim_did_not_write)
{
    const char *base = por_test_tmpdir("outdir-foreign");
    por_error err = {POR_OK, ""};
    write_file(base, "paper-figure.pdf", "%PDF");
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "porsim did not write this directory"));
    ck_assert_int_eq(replace_with_new(base, true, &err), POR_EINPUT);
    char pdf[4200];
    snprintf(pdf, sizeof pdf, "%s/paper-figure.pdf", base);
    ck_assert(exists(pdf));
    /* A meta.json that is not porsim's does not count either. */
    write_file(base, "meta.json", "{\"author\": \"me\"}");
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_EINPUT);
    write_file(base, "meta.json", "not json");
    ck_assert_int_eq(por_outdir_check(base, true, &err), POR_EINPUT);
    ck_assert(exists(pdf));
}
END_TEST

/* issue 18: `-o out/grid` in a fresh clone failed (no out/). Parents are created as
 * mkdir -p would, at begin; a refused check creates nothing. */
START_TEST(test_missing_parents_are_created)
{
    const char *base = por_test_tmpdir("outdir-parents");
    char dir[4200], top[4200];
    snprintf(top, sizeof top, "%s/out", base);
    snprintf(dir, sizeof dir, "%s/out/a/b/grid", base);
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check(dir, false, &err), POR_OK);
    ck_assert(!exists(top)); /* the check touches nothing */
    ck_assert_int_eq(replace_with_new(dir, false, &err), POR_OK);
    char nw[4300];
    snprintf(nw, sizeof nw, "%s/new.txt", dir);
    ck_assert(exists(nw));
    /* A regular file where a parent should be is refused at check. */
    write_file(base, "file", "x");
    snprintf(dir, sizeof dir, "%s/file/sub/grid", base);
    ck_assert_int_eq(por_outdir_check(dir, false, &err), POR_EINPUT);
}
END_TEST

START_TEST(test_missing_parent_and_full_disk)
{
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check("/dev/null/nonexistent-parent/x", false, &err), POR_EINPUT);
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
    tcase_add_test(tc, test_force_refuses_a_folder_porsim_did_not_write);
    tcase_add_test(tc, test_missing_parents_are_created);
    tcase_add_test(tc, test_missing_parent_and_full_disk);
    suite_add_tcase(s, tc);
    return s;
}
