/* SPDX-License-Identifier: MIT */
/*
 * What librtactor keeps of nodes (rt/wire.h): the node a system has
 * started, which the generated P_A_export and P_A_lookup reach, and the
 * dead letters that never entered a system. The node itself, and NATS, are
 * in librtnode, so that a program whose protocol has a remote kind but
 * which never starts a node links neither.
 */
#include <pthread.h>
#include <rt/wire.h>

#include "log.h"
#include "system_int.h"

/*
 * One lock for the node of every system: attaching, detaching and the
 * calls through it are rare (start, stop, export, lookup), and a lookup
 * may wait for the network, so readers share it.
 */
static pthread_rwlock_t remote_lock = PTHREAD_RWLOCK_INITIALIZER;

int
rt_remote_attach(rt_system *sys, void *node, const rt_remote_ops *ops)
{
	int rc = 0;

	if (sys == NULL || node == NULL || ops == NULL)
		return RT_EINVAL;
	pthread_rwlock_wrlock(&remote_lock);
	if (sys->remote_node != NULL) {
		rc = RT_EEXIST;
	} else {
		sys->remote_node = node;
		sys->remote_ops = ops;
	}
	pthread_rwlock_unlock(&remote_lock);
	return rc;
}

void
rt_remote_detach(rt_system *sys, void *node)
{
	if (sys == NULL)
		return;
	pthread_rwlock_wrlock(&remote_lock);
	if (sys->remote_node == node) {
		sys->remote_node = NULL;
		sys->remote_ops = NULL;
	}
	pthread_rwlock_unlock(&remote_lock);
}

int
rt_remote_export(rt_ref ref, const char *name, const rt_wire_kind *kind)
{
	rt_system *sys;
	int rc;

	if (rt_ref_is_null(ref) || name == NULL || kind == NULL)
		return RT_EINVAL;
	sys = ref.cell->sys;
	pthread_rwlock_rdlock(&remote_lock);
	rc = sys->remote_node == NULL ?
	    RT_ENODE :
	    sys->remote_ops->export_name(sys->remote_node, ref, name, kind);
	pthread_rwlock_unlock(&remote_lock);
	return rc;
}

int
rt_remote_lookup(rt_system *sys, const char *name, const rt_wire_kind *kind,
    rt_ref *out)
{
	int rc;

	if (sys == NULL || name == NULL || kind == NULL || out == NULL)
		return RT_EINVAL;
	pthread_rwlock_rdlock(&remote_lock);
	rc = sys->remote_node == NULL ?
	    RT_ENODE :
	    sys->remote_ops->lookup(sys->remote_node, name, kind, out);
	pthread_rwlock_unlock(&remote_lock);
	return rc;
}

void
rt_remote_dead_letter(rt_system *sys, rt_dead_cause cause, const char *actor,
    const char *message, const void *msg)
{
	rt_dead_letter dl;

	if (sys == NULL || sys->cfg.dead_letter == NULL)
		return;
	dl.cause = cause;
	dl.actor = actor;
	dl.message = message;
	dl.tag = 0;
	dl.msg = msg;
	sys->cfg.dead_letter(sys->cfg.dead_letter_user, &dl);
}

void
rt_remote_log(rt_system *sys, rt_log_level level, const char *line)
{
	if (line != NULL)
		rti_log_line(sys, level, line);
}
