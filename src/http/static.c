/* The web UI's files in memory (static.h). */
#include "http/static.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "util/mem.h"

#define MAX_DEPTH 8

static const struct {
    const char *ext, *type;
    bool text; /* worth compressing */
} types[] = {
    {"html", "text/html; charset=utf-8", true},
    {"js", "text/javascript; charset=utf-8", true},
    {"mjs", "text/javascript; charset=utf-8", true},
    {"css", "text/css; charset=utf-8", true},
    {"json", "application/json", true},
    {"map", "application/json", true},
    {"svg", "image/svg+xml", true},
    {"txt", "text/plain; charset=utf-8", true},
    {"ico", "image/x-icon", true},
    {"png", "image/png", false},
    {"jpg", "image/jpeg", false},
    {"jpeg", "image/jpeg", false},
    {"gif", "image/gif", false},
    {"webp", "image/webp", false},
    {"woff", "font/woff", false},
    {"woff2", "font/woff2", false},
    {"ttf", "font/ttf", true},
};

static int type_index(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return -1;
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot + 1, types[i].ext) == 0)
            return (int)i;
    return -1;
}

const char *kam_static_type(const char *name)
{
    int i = type_index(name);
    return i < 0 ? "application/octet-stream" : types[i].type;
}

/* FNV-1a, 64 bits: an ETag only has to change when the content does. */
static uint64_t hash(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211u;
    return h;
}

/* gzip of data into f->gz, kept only when it saves at least a tenth. */
static void compress_file(struct kam_static_file *f)
{
    z_stream z = {0};
    if (f->len < 256 || deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return;
    uLong cap = deflateBound(&z, (uLong)f->len);
    char *out = kam_xmalloc(cap);
    z.next_in = (Bytef *)f->data;
    z.avail_in = (uInt)f->len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < f->len - f->len / 10) {
        f->gz = out;
        f->gz_len = z.total_out;
    } else {
        free(out);
    }
    deflateEnd(&z);
}

struct walk {
    struct kam_static_site *site;
    size_t cap;
    struct kam_err *err;
};

static enum kam_rc add_file(struct walk *w, int fd, const char *path, const char *url, off_t size)
{
    struct kam_static_site *s = w->site;
    if (s->n == KAM_STATIC_MAX_FILES)
        return kam_err_set(w->err, KAM_ERR_IO, "%s: more than %d files in the web UI", path,
                           KAM_STATIC_MAX_FILES);
    if ((uint64_t)size > KAM_STATIC_MAX_BYTES - s->bytes)
        return kam_err_set(w->err, KAM_ERR_IO, "%s: the web UI is larger than %u bytes", path,
                           KAM_STATIC_MAX_BYTES);
    char *data = kam_xmalloc((size_t)size + 1);
    size_t got = 0;
    while (got < (size_t)size) {
        ssize_t r = read(fd, data + got, (size_t)size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(data);
            return kam_err_set(w->err, KAM_ERR_IO, "%s: cannot read: %s", path,
                               r < 0 ? strerror(errno) : "it became shorter");
        }
        got += (size_t)r;
    }
    if (s->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 32;
        s->files = kam_xrealloc(s->files, w->cap * sizeof(*s->files));
    }
    struct kam_static_file *f = &s->files[s->n++];
    memset(f, 0, sizeof(*f));
    f->path = kam_xstrdup(url);
    f->type = kam_static_type(url);
    f->data = data;
    f->len = (size_t)size;
    snprintf(f->etag, sizeof(f->etag), "\"%016llx\"", (unsigned long long)hash(data, f->len));
    f->immutable = strncmp(url, "/assets/", 8) == 0;
    int t = type_index(url);
    if (t >= 0 && types[t].text)
        compress_file(f);
    s->bytes += f->len + f->gz_len;
    return KAM_OK;
}

/* Adds the regular files under the directory dir (at path, served at url). */
static enum kam_rc walk_dir(struct walk *w, int dir, const char *path, const char *url, int depth)
{
    DIR *d = fdopendir(dir);
    enum kam_rc rc = KAM_OK;
    struct dirent *e;
    if (d == NULL) {
        close(dir);
        return kam_err_set(w->err, KAM_ERR_IO, "%s: cannot list: %s", path, strerror(errno));
    }
    while (rc == KAM_OK && (e = readdir(d)) != NULL) {
        char sub[4096], suburl[4096];
        struct stat sb;
        if (e->d_name[0] == '.') /* ".", "..", and hidden files are not part of the UI */
            continue;
        if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name) >= sizeof(sub) ||
            (size_t)snprintf(suburl, sizeof(suburl), "%s/%s", url, e->d_name) >= sizeof(suburl)) {
            rc = kam_err_set(w->err, KAM_ERR_IO, "%s/%s: the path is too long", path, e->d_name);
            break;
        }
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ELOOP) /* a symbolic link: not served */
                continue;
            rc = kam_err_set(w->err, KAM_ERR_IO, "%s: cannot open: %s", sub, strerror(errno));
            break;
        }
        if (fstat(fd, &sb) != 0) {
            rc = kam_err_set(w->err, KAM_ERR_IO, "%s: %s", sub, strerror(errno));
            close(fd);
        } else if (S_ISDIR(sb.st_mode) && depth < MAX_DEPTH) {
            rc = walk_dir(w, fd, sub, suburl, depth + 1); /* closes fd */
        } else {
            if (S_ISREG(sb.st_mode))
                rc = add_file(w, fd, sub, suburl, sb.st_size);
            close(fd);
        }
    }
    closedir(d);
    return rc;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const struct kam_static_file *)a)->path,
                  ((const struct kam_static_file *)b)->path);
}

enum kam_rc kam_static_load(const char *root, struct kam_static_site *site, struct kam_err *err)
{
    struct walk w = {site, 0, err};
    memset(site, 0, sizeof(*site));
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return kam_err_set(err, errno == ENOENT ? KAM_ERR_NOT_FOUND : KAM_ERR_IO,
                           "%s: cannot open the web UI's directory: %s", root, strerror(errno));
    enum kam_rc rc = walk_dir(&w, fd, root, "", 0);
    if (rc == KAM_OK) {
        qsort(site->files, site->n, sizeof(*site->files), by_path);
        if (kam_static_find(site, "/index.html") == NULL)
            rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "%s has no index.html: build the UI first",
                             root);
    }
    if (rc != KAM_OK)
        kam_static_release(site);
    return rc;
}

void kam_static_release(struct kam_static_site *site)
{
    for (size_t i = 0; i < site->n; i++) {
        free(site->files[i].path);
        free(site->files[i].data);
        free(site->files[i].gz);
    }
    free(site->files);
    memset(site, 0, sizeof(*site));
}

static const struct kam_static_file *lookup(const struct kam_static_site *site, const char *path)
{
    struct kam_static_file key = {.path = (char *)path};
    return bsearch(&key, site->files, site->n, sizeof(*site->files), by_path);
}

const struct kam_static_file *kam_static_find(const struct kam_static_site *site, const char *url)
{
    if (url[0] != '/' || strstr(url, "/..") != NULL) /* no parent paths, not even to index */
        return NULL;
    const struct kam_static_file *f = lookup(site, strcmp(url, "/") == 0 ? "/index.html" : url);
    if (f != NULL)
        return f;
    /* A missing file (an asset, or a name with a file type) is a 404; any other path is a page
     * of the app (an account's code may hold a dot). */
    if (strncmp(url, "/assets/", 8) == 0 || type_index(strrchr(url, '/')) >= 0)
        return NULL;
    return lookup(site, "/index.html");
}
