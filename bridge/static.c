/* A static path: files under a directory (relative to the node directory, as Crossbar's), its
 * index file for directories, optional listings, MIME types by extension. Path segments "."
 * and ".." are refused, so a request cannot leave the directory (symlinks inside it are
 * followed, as Twisted's File does). Files are read on the loop thread, bounded in size:
 * this serves web app assets, not downloads. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bridge/internal.h"
#include "router/log.h"
#include "router/router.h"

#define MAX_STATIC_FILE (64u << 20)

static const struct {
	const char *ext, *type;
} builtin_types[] = {
	{".html", "text/html; charset=utf-8"},  {".htm", "text/html; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},    {".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"}, {".json", "application/json"},
	{".map", "application/json"},           {".txt", "text/plain; charset=utf-8"},
	{".md", "text/markdown; charset=utf-8"}, {".xml", "application/xml"},
	{".svg", "image/svg+xml"},              {".png", "image/png"},
	{".jpg", "image/jpeg"},                 {".jpeg", "image/jpeg"},
	{".gif", "image/gif"},                  {".webp", "image/webp"},
	{".ico", "image/x-icon"},               {".wasm", "application/wasm"},
	{".woff", "font/woff"},                 {".woff2", "font/woff2"},
	{".ttf", "font/ttf"},                   {".otf", "font/otf"},
	{".pdf", "application/pdf"},            {".zip", "application/zip"},
	{".gz", "application/gzip"},            {".mp3", "audio/mpeg"},
	{".mp4", "video/mp4"},                  {".webm", "video/webm"},
	{".csv", "text/csv; charset=utf-8"},
};

static const char *mime_type(const struct wd_static_cfg *st, const char *path)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	for (size_t i = 0; i < st->n_mime_types; i++)
		if (strcasecmp(st->mime_types[i].ext, dot) == 0)
			return st->mime_types[i].type;
	for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++)
		if (strcasecmp(builtin_types[i].ext, dot) == 0)
			return builtin_types[i].type;
	return "application/octet-stream";
}

/* True if rel ("/a/b.html") has no "." or ".." segment and no NUL. */
static bool path_safe(const char *rel)
{
	const char *p = rel;
	while (*p != '\0') {
		const char *end;
		size_t n;
		while (*p == '/')
			p++;
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	return true;
}

static void text(struct wd_http_req *req, int status, const char *msg)
{
	wd_http_respond(req, status, "Content-Type: text/plain; charset=utf-8\r\n", msg,
			strlen(msg));
}

static void html_escape_into(struct wd_sbuf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		const char *rep = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
				: *s == '"' ? "&quot;" : NULL;
		if (rep != NULL)
			wd_sbuf_append(b, rep, strlen(rep));
		else
			wd_sbuf_append(b, s, 1);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing(struct wd_http_req *req, const char *dir, const char *url_path)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct wd_sbuf b = {0};
	char **names = NULL;
	size_t n = 0, cap = 0;
	if (d == NULL) {
		text(req, 404, "not found\n");
		return;
	}
	while ((de = readdir(d)) != NULL && n < 10000) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **g = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*g));
			if (g == NULL)
				break;
			names = g;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	wd_sbuf_append(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ",
		       66);
	html_escape_into(&b, url_path);
	wd_sbuf_append(&b, "</title></head><body><h1>Index of ", 34);
	html_escape_into(&b, url_path);
	wd_sbuf_append(&b, "</h1><ul>\n", 10);
	for (size_t i = 0; i < n; i++) {
		wd_sbuf_append(&b, "<li><a href=\"", 13);
		html_escape_into(&b, names[i]);
		wd_sbuf_append(&b, "\">", 2);
		html_escape_into(&b, names[i]);
		wd_sbuf_append(&b, "</a></li>\n", 10);
		free(names[i]);
	}
	free(names);
	wd_sbuf_append(&b, "</ul></body></html>\n", 20);
	wd_http_respond(req, 200, "Content-Type: text/html; charset=utf-8\r\n", b.data, b.len);
	wd_sbuf_free(&b);
}

static void send_file(struct wd_http_req *req, const struct wd_static_cfg *st, const char *file,
		      const struct stat *sb)
{
	char hdrs[256];
	char *data;
	int fd;
	size_t got = 0;
	if ((size_t)sb->st_size > MAX_STATIC_FILE) {
		text(req, 500, "file too large to serve\n");
		return;
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		text(req, errno == EACCES ? 403 : 404, "not found\n");
		return;
	}
	if ((data = malloc((size_t)sb->st_size + 1)) == NULL) {
		close(fd);
		text(req, 500, "out of memory\n");
		return;
	}
	while (got < (size_t)sb->st_size) {
		ssize_t r = read(fd, data + got, (size_t)sb->st_size - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (st->cache_timeout_s > 0)
		snprintf(hdrs, sizeof(hdrs), "Content-Type: %s\r\nCache-Control: max-age=%u\r\n",
			 mime_type(st, file), st->cache_timeout_s);
	else
		snprintf(hdrs, sizeof(hdrs), "Content-Type: %s\r\n", mime_type(st, file));
	wd_http_respond(req, 200, hdrs, data, got);
	free(data);
}

void wd_static_handle(struct wd_bridge *b, struct wd_http_req *req)
{
	const struct wd_static_cfg *st = &req->svc->stat;
	const char *rel = req->subpath ? req->subpath : "";
	char root[4096], file[8192];
	struct stat sb;
	size_t n;
	if (strcmp(req->method, "GET") != 0 && !req->is_head) {
		wd_http_respond(req, 405,
				"Content-Type: text/plain; charset=utf-8\r\nAllow: GET, HEAD\r\n",
				"only GET and HEAD are served here\n", 34);
		return;
	}
	if (!path_safe(rel)) {
		text(req, 404, "not found\n");
		return;
	}
	if (st->directory[0] == '/' || b->r->cbdir == NULL)
		snprintf(root, sizeof(root), "%s", st->directory);
	else
		snprintf(root, sizeof(root), "%s/%s", b->r->cbdir, st->directory);
	n = (size_t)snprintf(file, sizeof(file), "%s%s%s", root, rel[0] == '/' ? "" : "/", rel);
	if (n >= sizeof(file) || stat(file, &sb) < 0) {
		text(req, 404, "not found\n");
		return;
	}
	if (S_ISDIR(sb.st_mode)) {
		const char *path_end = req->target + strcspn(req->target, "?#");
		if (path_end == req->target || path_end[-1] != '/') {
			/* as Twisted: a directory URL without the slash is redirected to it */
			char loc[4200];
			snprintf(loc, sizeof(loc), "Location: %.*s/%s%s\r\n",
				 (int)(path_end - req->target), req->target,
				 req->query[0] ? "?" : "", req->query);
			wd_http_respond(req, 301, loc, "", 0);
			return;
		}
		if (n + strlen(st->default_file) + 2 < sizeof(file)) {
			char index[8192 + 256];
			struct stat isb;
			snprintf(index, sizeof(index), "%s/%.250s", file, st->default_file);
			if (stat(index, &isb) == 0 && S_ISREG(isb.st_mode)) {
				send_file(req, st, index, &isb);
				return;
			}
		}
		if (st->enable_directory_listing) {
			char url_path[4096];
			snprintf(url_path, sizeof(url_path), "%.*s",
				 (int)(path_end - req->target), req->target);
			listing(req, file, url_path);
			return;
		}
		text(req, 404, "not found\n");
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		text(req, 404, "not found\n");
		return;
	}
	send_file(req, st, file, &sb);
}
