/* All-or-nothing output directories (see por/outdir.h). */
#define _DEFAULT_SOURCE /* realpath */
#include "por/outdir.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

/* Whether replacing DIR (which exists) could delete what the user did not ask porsim to
 * replace: a symbolic link (the delete would follow it into its target), `.` or `..`,
 * the root, $HOME, a folder holding the working directory, or a mount point. POR_EINPUT
 * naming the reason; POR_OK when DIR may be replaced. */
static por_status por__replace_allowed(const char *dir, por_error *err)
{
    struct stat lst, st, pst;
    if (lstat(dir, &lst) != 0)
        return POR_OK; /* nothing there to replace */
    if (S_ISLNK(lst.st_mode))
        return por_error_set(err, POR_EINPUT,
                             "%s: is a symbolic link%s; porsim never writes through or replaces "
                             "a link: give the folder it points to, or another path",
                             dir, stat(dir, &st) != 0 ? " to nothing" : "");
    char last[4096];
    snprintf(last, sizeof last, "%s", dir);
    size_t len = strlen(last);
    while (len > 1 && last[len - 1] == '/')
        last[--len] = '\0';
    const char *base = strrchr(last, '/') ? strrchr(last, '/') + 1 : last;
    if (!strcmp(base, ".") || !strcmp(base, ".."))
        return por_error_set(err, POR_EINPUT,
                             "%s: names the current or parent folder; porsim never replaces "
                             "it: give a new folder inside it", dir);
    char real[PATH_MAX], other[PATH_MAX];
    if (!realpath(dir, real))
        return por_error_set(err, POR_EINPUT, "%s: cannot resolve: %s", dir, strerror(errno));
    if (!strcmp(real, "/"))
        return por_error_set(err, POR_EINPUT, "%s: is the root folder; porsim never replaces it",
                             dir);
    const char *home = getenv("HOME");
    if (home && *home && realpath(home, other) && !strcmp(real, other))
        return por_error_set(err, POR_EINPUT,
                             "%s: is your home folder ($HOME); porsim never replaces it", dir);
    size_t rlen = strlen(real);
    if (getcwd(other, sizeof other) && !strncmp(other, real, rlen) &&
        (other[rlen] == '\0' || other[rlen] == '/'))
        return por_error_set(err, POR_EINPUT,
                             "%s: holds the working directory (%s); porsim never replaces it",
                             dir, other);
    char parent[PATH_MAX + 4];
    snprintf(parent, sizeof parent, "%s/..", real);
    if (stat(real, &st) == 0 && stat(parent, &pst) == 0 &&
        (st.st_dev != pst.st_dev || st.st_ino == pst.st_ino))
        return por_error_set(err, POR_EINPUT,
                             "%s: is a mount point; porsim never replaces it: give a new folder "
                             "inside it", dir);
    return POR_OK;
}

por_status por_outdir_check(const char *dir, bool force, por_error *err)
{
    if (!dir || !*dir)
        return por_error_set(err, POR_EINPUT, "output directory: empty path");
    struct stat st;
    if (lstat(dir, &st) == 0) {
        por_status s = por__replace_allowed(dir, err);
        if (s != POR_OK)
            return s;
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
    /* access() can say yes where creating fails (a read-only mount, procfs, root): try it,
     * so the run does not simulate for nothing. */
    char probe[4200];
    snprintf(probe, sizeof probe, "%s/.porsim-probe-XXXXXX", parent);
    if (!mkdtemp(probe))
        return por_error_set(err, POR_EINPUT, "%s: cannot create a folder in %s: %s", dir, parent,
                             strerror(errno));
    rmdir(probe);
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

/* A temporary directory holds OWNER_FILE ("PID HOST") until commit, so that a later run
 * can tell a directory left by a killed run (its process gone) from one still being
 * written, and remove it. */
static const char por__owner_file[] = ".porsim-owner";

static void por__owner_id(char *out, size_t n)
{
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(out, n, "%ld %s", (long)getpid(), host);
}

/* Removes FINAL.partial-XXXXXX siblings whose writer, on this host, no longer runs. */
static void por__remove_stale(const char *final_path)
{
    char parent[4096];
    por__parent_of(final_path, parent, sizeof parent);
    const char *base = strrchr(final_path, '/') ? strrchr(final_path, '/') + 1 : final_path;
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "%s.partial-", base);
    size_t plen = strlen(prefix);
    char me[300];
    por__owner_id(me, sizeof me);
    const char *my_host = strchr(me, ' ') + 1;
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, plen) || strlen(e->d_name) != plen + 6)
            continue;
        char path[8400];
        snprintf(path, sizeof path, "%s/%s/%s", parent, e->d_name, por__owner_file);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        long pid = 0;
        char host[256] = "";
        int got = fscanf(f, "%ld %255s", &pid, host);
        fclose(f);
        if (got != 2 || pid <= 0 || strcmp(host, my_host) ||
            !(kill((pid_t)pid, 0) != 0 && errno == ESRCH))
            continue;
        snprintf(path, sizeof path, "%s/%s", parent, e->d_name);
        por__rm_rf(path);
    }
    closedir(d);
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
    por_status mp = por__make_parents(od->final_path, err);
    if (mp != POR_OK)
        return mp;
    if (!mkdtemp(od->tmp_path))
        return por_error_set(err, POR_EIO, "%s: cannot create temporary directory: %s",
                             od->final_path, strerror(errno));
    /* mkdtemp makes it 0700; the renamed DIR gets the mode mkdir would have given it. */
    mode_t mask = umask(0);
    umask(mask);
    chmod(od->tmp_path, 0777 & ~mask);
    od->open = true;
    por__track(od, true);
    char owner[4200];
    snprintf(owner, sizeof owner, "%s/%s", od->tmp_path, por__owner_file);
    FILE *f = fopen(owner, "w");
    if (!f) {
        por_error_set(err, POR_EIO, "%s: cannot write: %s", od->tmp_path, strerror(errno));
        por_outdir_abort(od);
        return err ? err->status : POR_EIO;
    }
    char id[300];
    por__owner_id(id, sizeof id);
    fprintf(f, "%s\n", id);
    fclose(f);
    por__remove_stale(od->final_path);
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

/* Deletes the entry NAME of the open folder DIRFD and, when it is a folder on device DEV,
 * everything in it. Never follows a symbolic link (a link is removed, not its target)
 * and never descends into another file system (a mount point inside is left alone). */
static void por__rm_at(int dirfd, const char *name, dev_t dev)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        unlinkat(dirfd, name, 0);
        return;
    }
    if (st.st_dev != dev)
        return;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            por__rm_at(fd, e->d_name, dev);
    closedir(d);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* rm -rf PATH without following links: a link at PATH itself is removed, not followed. */
static void por__rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    por__rm_at(AT_FDCWD, path, st.st_dev);
}

por_status por_outdir_commit(por_outdir *od, por_error *err)
{
    if (!od->open)
        return por_error_set(err, POR_EIO, "output directory was not started");
    char owner[4200];
    snprintf(owner, sizeof owner, "%s/%s", od->tmp_path, por__owner_file);
    unlink(owner);
    struct stat st;
    char old[4200] = "";
    if (lstat(od->final_path, &st) == 0) {
        if (!od->force)
            return por_error_set(err, POR_EIO, "%s: appeared while running; not replaced",
                                 od->final_path);
        /* Checked again here, where the delete happens: DIR may have changed since. */
        por_status s = por__replace_allowed(od->final_path, err);
        if (s != POR_OK)
            return s;
        s = por__replaceable(od->final_path, err);
        if (s != POR_OK)
            return s;
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
