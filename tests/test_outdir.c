/* All-or-nothing output directories: nothing appears until commit, abort leaves nothing,
 * an existing directory is refused without force and replaced with it. */
#include "por_test.h"
#include "por/outdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* A folder of "user files" at BASE/NAME holding keep.txt; returns its path in OUT. */
static void make_user_folder(const char *base, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", base, name);
    ck_assert_int_eq(mkdir(out, 0755), 0);
    char f[4400];
    snprintf(f, sizeof f, "%s/keep.txt", out);
    FILE *fp = fopen(f, "w");
    fputs("user data", fp);
    fclose(fp);
}

static bool user_file_kept(const char *folder)
{
    char f[4400];
    snprintf(f, sizeof f, "%s/keep.txt", folder);
    char *txt = por_test_slurp(f);
    bool ok = txt && !strcmp(txt, "user data");
    free(txt);
    return ok;
}

/* Issue 20.1: -o LINK --force with LINK -> a folder of user files deleted the files (the
 * link was renamed, then the recursive delete followed it). A link is never replaced. */
START_TEST(test_symlink_refused_and_never_followed)
{
    const char *base = por_test_tmpdir("outdir-link");
    char user[4200], link[4200];
    make_user_folder(base, "user", user, sizeof user);
    snprintf(link, sizeof link, "%s/link", base);
    ck_assert_int_eq(symlink(user, link), 0);
    por_error err = {POR_OK, ""};
    ck_assert_int_eq(por_outdir_check(link, true, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
    /* The link appearing after the check: commit refuses it too, nothing deleted. */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/out", base);
    por_outdir od;
    ck_assert_int_eq(por_outdir_begin(&od, dir, true, &err), POR_OK);
    ck_assert_int_eq(symlink(user, dir), 0);
    ck_assert_int_eq(por_outdir_commit(&od, &err), POR_EINPUT);
    por_outdir_abort(&od);
    ck_assert(user_file_kept(user));
    struct stat st;
    ck_assert_int_eq(lstat(dir, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    /* A link inside a replaced output folder is removed, its target left alone. */
    ck_assert_int_eq(unlink(dir), 0);
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    char inner[4400];
    snprintf(inner, sizeof inner, "%s/inner-link", dir);
    ck_assert_int_eq(symlink(user, inner), 0);
    /* a folder porsim wrote (its meta.json says so), else --force refuses it (issue 18) */
    char meta[4400];
    snprintf(meta, sizeof meta, "%s/meta.json", dir);
    FILE *mf = fopen(meta, "w");
    ck_assert_ptr_nonnull(mf);
    fputs("{\"porsim_version\": \"0.1.0\"}\n", mf);
    fclose(mf);
    ck_assert_int_eq(por_outdir_begin(&od, dir, true, &err), POR_OK);
    ck_assert_int_eq(por_outdir_commit(&od, &err), POR_OK);
    ck_assert(lstat(inner, &st) != 0);
    ck_assert(user_file_kept(user));
    /* A dangling link is refused before any work. */
    char dangling[4200];
    snprintf(dangling, sizeof dangling, "%s/dangling", base);
    ck_assert_int_eq(symlink("/nonexistent-porsim-target", dangling), 0);
    ck_assert_int_eq(por_outdir_check(dangling, false, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link to nothing"));
}
END_TEST

/* Issue 20.1: ., .., /, $HOME, a folder holding the working directory and a mount point
 * are never replaced, with or without --force. */
START_TEST(test_protected_folders_refused)
{
    const char *base = por_test_tmpdir("outdir-protect");
    char work[4200], sub[4300];
    make_user_folder(base, "work", work, sizeof work);
    snprintf(sub, sizeof sub, "%s/sub", work);
    ck_assert_int_eq(mkdir(sub, 0755), 0);
    char cwd[4096];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(sub), 0);
    por_error err = {POR_OK, ""};
    const char *names[] = {".", "./", "..", "../", "../sub/..", "/"};
    const char *why[] = {"current or parent", "current or parent", "current or parent",
                         "current or parent", "current or parent", "root"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        ck_assert_int_eq(por_outdir_check(names[i], true, &err), POR_EINPUT);
        ck_assert_msg(strstr(err.msg, why[i]), "%s: %s", names[i], err.msg);
    }
    /* An absolute path to an ancestor of the working directory. */
    ck_assert_int_eq(por_outdir_check(work, true, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "working directory"));
    ck_assert_int_eq(chdir(cwd), 0);
    /* $HOME */
    const char *old_home = getenv("HOME");
    char saved[4096] = "";
    if (old_home)
        snprintf(saved, sizeof saved, "%s", old_home);
    setenv("HOME", work, 1);
    ck_assert_int_eq(por_outdir_check(work, true, &err), POR_EINPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "home folder"));
    if (old_home)
        setenv("HOME", saved, 1);
    else
        unsetenv("HOME");
    ck_assert(user_file_kept(work));
    /* A mount point: /proc is one wherever procfs is mounted. */
    struct stat a, b;
    if (stat("/proc", &a) == 0 && stat("/", &b) == 0 && a.st_dev != b.st_dev) {
        ck_assert_int_eq(por_outdir_check("/proc", true, &err), POR_EINPUT);
        ck_assert_ptr_nonnull(strstr(err.msg, "mount point"));
    }
}
END_TEST

/* Issue 20.6: a killed run's DIR.partial-XXXXXX (its writer gone) is removed by the next
 * run writing DIR; one whose writer still runs is left alone. */
START_TEST(test_stale_partial_removed)
{
    const char *base = por_test_tmpdir("outdir-stale");
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    waitpid(child, NULL, 0); /* CHILD's pid now names no process */
    long pids[2] = {(long)child, (long)getpid()};
    char dirs[2][4096];
    for (int k = 0; k < 2; k++) {
        snprintf(dirs[k], sizeof dirs[k], "%s/out.partial-%s", base, k ? "LIVE01" : "DEAD01");
        ck_assert_int_eq(mkdir(dirs[k], 0755), 0);
        char f[4300];
        snprintf(f, sizeof f, "%s/.porsim-owner", dirs[k]);
        FILE *fp = fopen(f, "w");
        fprintf(fp, "%ld %s\n", pids[k], host);
        fclose(fp);
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/out", base);
    por_error err = {POR_OK, ""};
    por_outdir od;
    ck_assert_int_eq(por_outdir_begin(&od, dir, false, &err), POR_OK);
    ck_assert(!exists(dirs[0]));
    ck_assert(exists(dirs[1]));
    ck_assert_int_eq(por_outdir_commit(&od, &err), POR_OK);
    char owner[4400];
    snprintf(owner, sizeof owner, "%s/.porsim-owner", dir);
    ck_assert(!exists(owner)); /* the marker never reaches the committed folder */
}
END_TEST

/* Issue 20.1/20.6 through the CLI: run, sweep and merge share the rule, and refuse before
 * simulating (a dangling link at -o used to fail only after the whole run). */
START_TEST(test_cli_refuses_link_before_running)
{
    const char *base = por_test_tmpdir("outdir-cli");
    char user[4200], link[4200], dangling[4200], log[4200], args[9000];
    make_user_folder(base, "user", user, sizeof user);
    snprintf(link, sizeof link, "%s/link", base);
    ck_assert_int_eq(symlink(user, link), 0);
    snprintf(dangling, sizeof dangling, "%s/dangling", base);
    ck_assert_int_eq(symlink("/nonexistent-porsim-target", dangling), 0);
    snprintf(log, sizeof log, "%s/log.txt", base);
    /* trace --html to a path that cannot be written: why, before the run, exit 2. */
    ck_assert_int_eq(por_test_run_cli("trace --html /nonexistent-porsim/x.html", log), 2);
    char *why = por_test_slurp(log);
    ck_assert_msg(strstr(why, "x.html: cannot write the HTML page: No such file or directory") &&
                  !strstr(why, "# porsim trace"), "%s", why);
    free(why);
    const char *cmds[] = {"run -r 1 -o %s --force", "sweep --param seed=1,2 -r 1 -o %s --force",
                          ("merge --force %s " POR_TEST_DIR), "run -r 1 -o %s"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        snprintf(args, sizeof args, cmds[i], i == 3 ? dangling : link);
        ck_assert_int_eq(por_test_run_cli(args, log), 2);
        char *txt = por_test_slurp(log);
        ck_assert_msg(strstr(txt, "symbolic link") && !strstr(txt, "replication"), "%s: %s", args,
                      txt);
        free(txt);
        ck_assert(user_file_kept(user));
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
    tcase_add_test(tc, test_symlink_refused_and_never_followed);
    tcase_add_test(tc, test_protected_folders_refused);
    tcase_add_test(tc, test_stale_partial_removed);
    tcase_add_test(tc, test_cli_refuses_link_before_running);
    suite_add_tcase(s, tc);
    return s;
}
