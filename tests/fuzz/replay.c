/* Corpus replay for builds without libFuzzer: `replay_<name> DIR` feeds every regular file in
 * DIR (sorted by name; dot files skipped) to the target's LLVMFuzzerTestOneInput, so gcc builds
 * run the corpus under `meson test` (after harfbuzz's test/fuzzing/main.cc). Each input lives
 * in a buffer of exactly its size, so sanitizers catch reads past the end. Exits 0 when every
 * file ran, 1 if the directory or a file cannot be read, 2 on bad usage. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads path into a new malloc'd buffer of exactly its size (at least 1 byte is allocated).
 * Returns NULL on error. */
static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		goto close;
	if ((buf = malloc(n > 0 ? (size_t)n : 1)) == NULL)
		goto close;
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		goto close;
	}
	*len = (size_t)n;
close:
	fclose(f);
	return buf;
}

static int not_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

int main(int argc, char **argv)
{
	struct dirent **names;
	int n, count = 0, rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	if ((n = scandir(argv[1], &names, not_hidden, alphasort)) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;
		uint8_t *data;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]->d_name);
		free(names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if ((data = read_file(path, &len)) == NULL) {
			perror(path);
			rc = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		count++;
	}
	free(names);
	printf("replayed %d files\n", count);
	return rc;
}
