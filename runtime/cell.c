/* SPDX-License-Identifier: MIT */
/*
 * The cell directory: chunks of cells carved in order, and a free list of
 * recycled cells. Spawning and final stops take the directory lock; sends
 * never do, they only read the cell the ref points at.
 */
#include <stdlib.h>
#include <string.h>

#include "cell.h"

int
rti_cell_dir_init(rti_cell_dir *dir)
{
	memset(dir, 0, sizeof(*dir));
	if (pthread_mutex_init(&dir->lock, NULL) != 0)
		return RT_ENOMEM;
	dir->carved = RTI_CELLS_PER_CHUNK;
	return 0;
}

void
rti_cell_dir_destroy(rti_cell_dir *dir)
{
	struct rti_cell_chunk *c, *next;

	for (c = dir->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	dir->chunks = NULL;
	pthread_mutex_destroy(&dir->lock);
}

rt_cell *
rti_cell_alloc(rt_system *sys, rti_cell_dir *dir)
{
	rt_cell *cell;

	pthread_mutex_lock(&dir->lock);
	cell = dir->free;
	if (cell != NULL) {
		dir->free = cell->free_next;
		pthread_mutex_unlock(&dir->lock);
		return cell;
	}
	if (dir->carved == RTI_CELLS_PER_CHUNK) {
		struct rti_cell_chunk *chunk;

		chunk = aligned_alloc(RT_CACHELINE, sizeof(*chunk));
		if (chunk == NULL) {
			pthread_mutex_unlock(&dir->lock);
			return NULL;
		}
		chunk->next = dir->chunks;
		dir->chunks = chunk;
		dir->carved = 0;
	}
	cell = &dir->chunks->cells[dir->carved];
	memset(cell, 0, sizeof(*cell));
	rti_mailbox_init(&cell->mb);
	cell->sys = sys;
	/*
	 * Publish the carve count last: rti_cell_foreach reads it under the
	 * same lock, so a plain store is enough.
	 */
	dir->carved++;
	pthread_mutex_unlock(&dir->lock);
	return cell;
}

void
rti_cell_release(rti_cell_dir *dir, rt_cell *cell)
{
	pthread_mutex_lock(&dir->lock);
	cell->free_next = dir->free;
	dir->free = cell;
	pthread_mutex_unlock(&dir->lock);
}

void
rti_cell_foreach(rti_cell_dir *dir, void (*fn)(rt_cell *, void *), void *arg)
{
	struct rti_cell_chunk *c;
	unsigned n;

	pthread_mutex_lock(&dir->lock);
	n = dir->carved;
	for (c = dir->chunks; c != NULL; c = c->next) {
		unsigned i;

		for (i = 0; i < n; i++)
			fn(&c->cells[i], arg);
		n = RTI_CELLS_PER_CHUNK;
	}
	pthread_mutex_unlock(&dir->lock);
}
