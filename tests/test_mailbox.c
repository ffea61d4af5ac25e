/* SPDX-License-Identifier: MIT */
/*
 * The mailbox on its own: FIFO order, the idle bit as a run token, and a
 * stress test of many producers against one consumer that follows the same
 * protocol as the scheduler (whoever finds the mailbox idle schedules it,
 * exactly once; the consumer gives the token back only when it is empty).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include "cutest.h"
#include "mailbox.h"
#include "rt_atomic.h"

typedef struct item {
	rti_mpsc_node node; /* first, so a node pointer is an item pointer */
	unsigned producer;
	unsigned seq;
} item;

static void
a_new_mailbox_is_idle_and_empty(void)
{
	rti_mailbox mb;

	rti_mailbox_init(&mb);
	CU_ASSERT_TRUE(rti_mailbox_is_idle(&mb));
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
}

static void
the_first_push_to_an_idle_mailbox_takes_the_run_token(void)
{
	rti_mailbox mb;
	item a = { .seq = 1 }, b = { .seq = 2 };

	rti_mailbox_init(&mb);
	CU_ASSERT_TRUE(rti_mailbox_push_mpsc(&mb, &a.node));
	CU_ASSERT_FALSE(rti_mailbox_is_idle(&mb));
	CU_ASSERT_FALSE(rti_mailbox_push_mpsc(&mb, &b.node));
}

static void
pop_returns_nodes_in_push_order(void)
{
	rti_mailbox mb;
	item it[10];
	unsigned i;

	rti_mailbox_init(&mb);
	for (i = 0; i < 10; i++) {
		it[i].seq = i;
		rti_mailbox_push_mpsc(&mb, &it[i].node);
	}
	for (i = 0; i < 10; i++) {
		item *got = (item *)rti_mailbox_pop(&mb);

		CU_ASSERT_PTR_EQUAL_FATAL(got, &it[i]);
	}
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
}

static void
a_popped_node_is_detached_and_can_be_pushed_again(void)
{
	rti_mailbox mb;
	item a = { .seq = 1 };

	rti_mailbox_init(&mb);
	rti_mailbox_push_mpsc(&mb, &a.node);
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &a.node);
	rti_mailbox_push_mpsc(&mb, &a.node);
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &a.node);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
}

static void
try_idle_fails_while_messages_wait_and_succeeds_when_empty(void)
{
	rti_mailbox mb;
	item a, b;

	rti_mailbox_init(&mb);
	CU_ASSERT_TRUE(rti_mailbox_push_mpsc(&mb, &a.node));
	CU_ASSERT_FALSE(rti_mailbox_try_idle(&mb));
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &a.node);
	CU_ASSERT_TRUE(rti_mailbox_try_idle(&mb));
	CU_ASSERT_TRUE(rti_mailbox_is_idle(&mb));
	/* The token comes back with the next push. */
	CU_ASSERT_TRUE(rti_mailbox_push_mpsc(&mb, &b.node));
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &b.node);
	CU_ASSERT_TRUE(rti_mailbox_try_idle(&mb));
}

/*
 * A drain that keeps the consumer's end in a register (rti_mailbox_pop_at)
 * sees what rti_mailbox_pop would, and the mailbox is whole once the end is
 * stored back. Emptied, the end is the sentinel again: where it started.
 */
static void
a_drain_with_its_own_tail_pops_in_order_and_stores_it_back(void)
{
	rti_mailbox mb;
	rti_mpsc_node *tail;
	item it[6];
	unsigned i;

	rti_mailbox_init(&mb);
	tail = mb.tail;
	for (i = 0; i < 3; i++)
		rti_mailbox_push_mpsc(&mb, &it[i].node);
	for (i = 0; i < 2; i++)
		CU_ASSERT_PTR_EQUAL(rti_mailbox_pop_at(&mb, &tail),
		    &it[i].node);
	/* More arrive in the middle of the drain. */
	for (i = 3; i < 6; i++)
		rti_mailbox_push_mpsc(&mb, &it[i].node);
	for (i = 2; i < 6; i++)
		CU_ASSERT_PTR_EQUAL(rti_mailbox_pop_at(&mb, &tail),
		    &it[i].node);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop_at(&mb, &tail));
	CU_ASSERT_PTR_EQUAL(tail, &mb.sentinel);
	rti_mailbox_set_tail(&mb, tail);
	CU_ASSERT_FALSE(rti_mailbox_has_pending(&mb));
	CU_ASSERT_TRUE(rti_mailbox_try_idle(&mb));
	CU_ASSERT_TRUE(rti_mailbox_push_mpsc(&mb, &it[0].node));
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &it[0].node);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
}

/* Until it is stored back, the mailbox's own end is where it was. */
static void
the_mailbox_keeps_its_end_until_a_drain_stores_it(void)
{
	rti_mailbox mb;
	rti_mpsc_node *tail;
	item a, b;

	rti_mailbox_init(&mb);
	rti_mailbox_push_mpsc(&mb, &a.node);
	rti_mailbox_push_mpsc(&mb, &b.node);
	tail = mb.tail;
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop_at(&mb, &tail), &a.node);
	CU_ASSERT_PTR_EQUAL(mb.tail, &mb.sentinel);
	CU_ASSERT_FALSE(rti_mailbox_try_idle(&mb));
	rti_mailbox_set_tail(&mb, tail);
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &b.node);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
	CU_ASSERT_TRUE(rti_mailbox_try_idle(&mb));
}

static void
has_pending_sees_nodes_in_front_of_a_re_pushed_sentinel(void)
{
	rti_mailbox mb;
	item a, b;

	/*
	 * The state left when the consumer, about to take the last node A,
	 * re-pushed the sentinel just after a producer had swapped B into the
	 * head but before it linked A to B: the head is the sentinel again,
	 * A and B still wait in front of it.
	 */
	rti_mailbox_init(&mb);
	a.node.next = NULL;
	b.node.next = &mb.sentinel;
	mb.sentinel.next = NULL;
	mb.tail = &a.node;
	mb.head = &mb.sentinel;
	CU_ASSERT_TRUE(rti_mailbox_has_pending(&mb));
	/* The producer links; both come out in order. */
	a.node.next = &b.node;
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &a.node);
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &b.node);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&mb));
	CU_ASSERT_FALSE(rti_mailbox_has_pending(&mb));
}

static void
has_pending_follows_pushes_and_pops(void)
{
	rti_mailbox mb;
	item a;

	rti_mailbox_init(&mb);
	CU_ASSERT_FALSE(rti_mailbox_has_pending(&mb));
	rti_mailbox_push_mpsc(&mb, &a.node);
	CU_ASSERT_TRUE(rti_mailbox_has_pending(&mb));
	CU_ASSERT_PTR_EQUAL(rti_mailbox_pop(&mb), &a.node);
	CU_ASSERT_FALSE(rti_mailbox_has_pending(&mb));
}

/* --- stress -------------------------------------------------------------- */

#define PRODUCERS 4
#define PER_PRODUCER 20000

typedef struct stress {
	rti_mailbox mb;
	item *items;
	uint32_t runnable;     /* 1 while someone holds the run token */
	uint32_t double_sched; /* a push found it idle while runnable */
	uint32_t go;
	int pin_cpu; /* -1: no pinning */
} stress;

typedef struct producer_arg {
	stress *s;
	unsigned id;
} producer_arg;

static void
pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
producer(void *arg)
{
	producer_arg *pa = arg;
	stress *s = pa->s;
	unsigned i;

	pin(s->pin_cpu);
	while (!ck_pr_load_32(&s->go))
		ck_pr_stall();
	for (i = 0; i < PER_PRODUCER; i++) {
		item *it = &s->items[pa->id * PER_PRODUCER + i];

		it->producer = pa->id;
		it->seq = i;
		if (rti_mailbox_push_mpsc(&s->mb, &it->node)) {
			/* We took the token: "schedule" the consumer. */
			if (!ck_pr_cas_32(&s->runnable, 0, 1))
				ck_pr_store_32(&s->double_sched, 1);
		}
		if ((i & 255) == 0)
			sched_yield();
	}
	return NULL;
}

static void
run_stress(int pin_cpu)
{
	stress s = { .pin_cpu = pin_cpu };
	producer_arg args[PRODUCERS];
	pthread_t th[PRODUCERS];
	unsigned next[PRODUCERS] = { 0 };
	unsigned total = 0, i;
	int order_ok = 1;

	s.items = calloc(PRODUCERS * PER_PRODUCER, sizeof(item));
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.items);
	rti_mailbox_init(&s.mb);
	pin(pin_cpu);
	for (i = 0; i < PRODUCERS; i++) {
		args[i].s = &s;
		args[i].id = i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, producer,
					  &args[i]),
		    0);
	}
	ck_pr_store_32(&s.go, 1);
	while (total < PRODUCERS * PER_PRODUCER) {
		item *it;

		/* Wait to be scheduled. */
		while (!ck_pr_load_32(&s.runnable))
			ck_pr_stall();
		while ((it = (item *)rti_mailbox_pop(&s.mb)) != NULL) {
			if (it->seq != next[it->producer])
				order_ok = 0;
			next[it->producer] = it->seq + 1;
			total++;
		}
		/* Give the token back, unless work arrived meanwhile. */
		ck_pr_store_32(&s.runnable, 0);
		if (!rti_mailbox_try_idle(&s.mb))
			ck_pr_store_32(&s.runnable, 1);
		else if (total % 64 == 0)
			sched_yield();
	}
	for (i = 0; i < PRODUCERS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_TRUE(order_ok);
	CU_ASSERT_EQUAL(total, PRODUCERS * PER_PRODUCER);
	CU_ASSERT_EQUAL(ck_pr_load_32(&s.double_sched), 0);
	CU_ASSERT_PTR_NULL(rti_mailbox_pop(&s.mb));
	pin(-1);
	free(s.items);
}

static void
many_producers_lose_nothing_and_keep_their_order(void)
{
	run_stress(-1);
}

static void
many_producers_on_one_cpu_lose_nothing_and_keep_their_order(void)
{
	/* Preemption between a producer's exchange and its link is common
	 * when everybody shares one CPU: the consumer must cope. */
	run_stress(0);
}

static CU_TestInfo mailbox_tests[] = {
	{ "a new mailbox is idle and empty", a_new_mailbox_is_idle_and_empty },
	{ "the first push to an idle mailbox takes the run token",
	    the_first_push_to_an_idle_mailbox_takes_the_run_token },
	{ "pop returns nodes in push order", pop_returns_nodes_in_push_order },
	{ "a popped node is detached and can be pushed again",
	    a_popped_node_is_detached_and_can_be_pushed_again },
	{ "try_idle fails while messages wait and succeeds when empty",
	    try_idle_fails_while_messages_wait_and_succeeds_when_empty },
	{ "a drain with its own tail pops in order and stores it back",
	    a_drain_with_its_own_tail_pops_in_order_and_stores_it_back },
	{ "the mailbox keeps its end until a drain stores it",
	    the_mailbox_keeps_its_end_until_a_drain_stores_it },
	{ "has_pending follows pushes and pops",
	    has_pending_follows_pushes_and_pops },
	{ "has_pending sees nodes in front of a re-pushed sentinel",
	    has_pending_sees_nodes_in_front_of_a_re_pushed_sentinel },
	{ "many producers lose nothing and keep their order",
	    many_producers_lose_nothing_and_keep_their_order },
	{ "many producers on one CPU lose nothing and keep their order",
	    many_producers_on_one_cpu_lose_nothing_and_keep_their_order },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "mailbox", NULL, NULL, NULL, NULL, mailbox_tests },
	CU_SUITE_INFO_NULL,
};

int
main(int argc, char **argv)
{
	return cutest_run(suites, argc, argv);
}
