/* All-or-nothing output directories (see por/outdir.h). */
#include "por/outdir.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void por__parent_of(const char *path, char *out, size_t n)
{
    snprintf(out, n, "%s", path);
    size_t len = strlen(out);
    while (len > 1 && out[len - 1] == '/')
        out[--len] = '\0';
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

/* Whether an existing directory DIR may be replaced by --force: it is empty, or porsim
 * wrote it, which its meta.json says ("porsim_version" in the top-level object, written
 * first by run, sweep, merge and porsim-mpi). A folder the user filled (results/ with
 * paper-figure.pdf) is never deleted. POR_EINPUT naming the reason otherwise. */
static por_status por__replaceable(const char *dir, por_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return por_error_set(err, POR_EINPUT, "%s: cannot read it to replace it: %s", dir,
                             strerror(errno));
    bool empty = true;
    for (struct dirent *e; empty && (e = readdir(d));)
        empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
    closedir(d);
    if (empty)
        return POR_OK;
    char meta[4200];
    snprintf(meta, sizeof meta, "%s/meta.json", dir);
    bool porsim = false;
    FILE *f = fopen(meta, "r");
    if (f) {
        char text[65536];
        size_t n = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[n] = '\0';
        cJSON *root = cJSON_Parse(text);
        porsim = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "porsim_version"));
        cJSON_Delete(root);
    }
    if (!porsim)
        return por_error_set(err, POR_EINPUT,
                             "%s: not replaced: porsim did not write this directory (no porsim "
                             "meta.json), so --force will not delete it; choose another -o or "
                             "empty it yourself",
                             dir);
    return POR_OK;
}

/* The nearest existing ancestor of PATH (PATH itself excluded) into OUT: where mkdir -p
 * starts creating the missing parents. */
static void por__existing_ancestor(const char *path, char *out, size_t n)
{
    por__parent_of(path, out, n);
    struct stat st;
    while (stat(out, &st) != 0 && strcmp(out, ".") && strcmp(out, "/")) {
        char up[4096];
        por__parent_of(out, up, sizeof up);
        snprintf(out, n, "%s", up);
    }
}

/* mkdir -p of DIR's parent: creates each missing ancestor (mode 0777 & ~umask). */
static por_status por__make_parents(const char *dir, por_error *err)
{
    char parent[4096];
    por__parent_of(dir, parent, sizeof parent);
    struct stat st;
    if (stat(parent, &st) == 0)
        return POR_OK;
    if (strcmp(parent, ".") && strcmp(parent, "/")) {
        por_status st2 = por__make_parents(parent, err);
        if (st2 != POR_OK)
            return st2;
    }
    if (mkdir(parent, 0777) != 0 && errno != EEXIST)
        return por_error_set(err, POR_EIO, "%s: cannot create parent directory %s: %s", dir,
                             parent, strerror(errno));
    return POR_OK;
}

por_status por_outdir_check(const char *dir, bool force, por_error *err)
{
    if (!dir || !*dir)
        return por_error_set(err, POR_EINPUT, "output directory: empty path");
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!force)
            return por_error_set(err, POR_EINPUT,
                                 "%s: output directory exists; use --force to replace it", dir);
        if (!S_ISDIR(st.st_mode))
            return por_error_set(err, POR_EINPUT, "%s: exists and is not a directory", dir);
        por_status rs = por__replaceable(dir, err);
        if (rs != POR_OK)
            return rs;
    }
    /* Missing parents are created at begin (as mkdir -p would); here the nearest existing
     * one must be a writable directory. */
    char parent[4096];
    por__existing_ancestor(dir, parent, sizeof parent);
    if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
        return por_error_set(err, POR_EINPUT, "%s: parent directory %s is not a directory", dir,
                             parent);
    if (access(parent, W_OK) != 0)
        return por_error_set(err, POR_EINPUT, "%s: parent directory %s is not writable", dir,
                             parent);
    return POR_OK;
}

static void por__rm_rf(const char *path);

/* Temporary directories still open, removed at exit(): a run that ends through exit()
 * while writing (out of memory: por_xmalloc exits 1) leaves no DIR.partial-XXXXXX. */
#define POR__MAX_PENDING 8
static por_outdir *por__pending[POR__MAX_PENDING];

static void por__remove_pending(void)
{
    for (size_t i = 0; i < POR__MAX_PENDING; i++)
        if (por__pending[i] && por__pending[i]->open)
            por__rm_rf(por__pending[i]->tmp_path);
}

static void por__track(por_outdir *od, bool add)
{
    static bool registered;
    if (add && !registered)
        registered = atexit(por__remove_pending) == 0;
    for (size_t i = 0; i < POR__MAX_PENDING; i++) {
        if (add && !por__pending[i]) {
            por__pending[i] = od;
            return;
        }
        if (!add && por__pending[i] == od)
            por__pending[i] = NULL;
    }
}

por_status por_outdir_begin(por_outdir *od, const char *dir, bool force, por_error *err)
{
    memset(od, 0, sizeof *od);
    od->force = force;
    static const char suffix[] = ".partial-XXXXXX";
    size_t len = strlen(dir);
    if (len + sizeof suffix > sizeof od->tmp_path)
        return por_error_set(err, POR_EINPUT, "output directory path too long (%zu bytes)", len);
    memcpy(od->final_path, dir, len + 1);
    while (len > 1 && od->final_path[len - 1] == '/')
        od->final_path[--len] = '\0';
    memcpy(od->tmp_path, od->final_path, len);
    memcpy(od->tmp_path + len, suffix, sizeof suffix);
    por_status st = por__make_parents(od->final_path, err);
    if (st != POR_OK)
        return st;
    if (!mkdtemp(od->tmp_path))
        return por_error_set(err, POR_EIO, "%s: cannot create temporary directory: %s",
                             od->final_path, strerror(errno));
    /* mkdtemp makes it 0700; the renamed DIR gets the mode mkdir would have given it. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(od->tmp_path, 0777 & ~mask);
    od->open = true;
    por__track(od, true);
    return POR_OK;
}

FILE *por_outdir_fopen(por_outdir *od, const char *name, por_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", od->tmp_path, name);
    FILE *f = fopen(path, "w");
    if (!f)
        por_error_set(err, POR_EIO, "%s/%s: cannot write: %s", od->final_path, name,
                      strerror(errno));
    return f;
}

por_status por_outdir_fclose(por_outdir *od, FILE *f, const char *name, por_error *err)
{
    bool bad = ferror(f) != 0;
    int saved = errno;
    if (fflush(f) != 0) {
        bad = true;
        saved = errno;
    }
    if (fclose(f) != 0) {
        bad = true;
        saved = errno;
    }
    if (bad)
        return por_error_set(err, POR_EIO, "%s/%s: write failed: %s", od->final_path, name,
                             strerror(saved ? saved : EIO));
    return POR_OK;
}

static void por__rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4400];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                por__rm_rf(sub);
            else
                unlink(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

por_status por_outdir_commit(por_outdir *od, por_error *err)
{
    if (!od->open)
        return por_error_set(err, POR_EIO, "output directory was not started");
    struct stat st;
    char old[4200] = "";
    if (stat(od->final_path, &st) == 0) {
        if (!od->force)
            return por_error_set(err, POR_EIO, "%s: appeared while running; not replaced",
                                 od->final_path);
        por_status rs = por__replaceable(od->final_path, err);
        if (rs != POR_OK)
            return rs;
        snprintf(old, sizeof old, "%s.old-%ld", od->final_path, (long)getpid());
        if (rename(od->final_path, old) != 0)
            return por_error_set(err, POR_EIO, "%s: cannot replace: %s", od->final_path,
                                 strerror(errno));
    }
    if (rename(od->tmp_path, od->final_path) != 0) {
        int saved = errno;
        if (*old)
            rename(old, od->final_path);
        return por_error_set(err, POR_EIO, "%s: cannot move results into place: %s",
                             od->final_path, strerror(saved));
    }
    od->open = false;
    por__track(od, false);
    if (*old)
        por__rm_rf(old);
    return POR_OK;
}

void por_outdir_abort(por_outdir *od)
{
    if (od->open)
        por__rm_rf(od->tmp_path);
    od->open = false;
    por__track(od, false);
}
