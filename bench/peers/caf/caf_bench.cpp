// rtbench peer in CAF 0.17 (C++ Actor Framework): the workloads of
// doc/benchmarks.md with event-based actors, printing the same lines as
// bench/rtbench.
//
//   caf_bench --workers N WORKLOAD [key=value...]...
//
// workers = scheduler.max-threads; one actor_system per workload, as
// rtbench starts one rt system per workload. Results come back to main
// through a scoped_actor.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "caf/all.hpp"

using namespace caf;
using std::uint64_t;

using peer_atom = atom_constant<atom("peer")>;
using ball_atom = atom_constant<atom("ball")>;
using quit_atom = atom_constant<atom("quit")>;
using link_atom = atom_constant<atom("link")>;
using token_atom = atom_constant<atom("token")>;
using go_atom = atom_constant<atom("go")>;
using inc_atom = atom_constant<atom("inc")>;
using get_atom = atom_constant<atom("get")>;
using item_atom = atom_constant<atom("item")>;
using done_atom = atom_constant<atom("done")>;
using tick_atom = atom_constant<atom("tick")>;
using batch_atom = atom_constant<atom("batch")>;
using result_atom = atom_constant<atom("result")>;
using ask_atom = atom_constant<atom("ask")>;
using pub_atom = atom_constant<atom("pub")>;
using report_atom = atom_constant<atom("report")>;
using crash_atom = atom_constant<atom("crash")>;
using up_atom = atom_constant<atom("up")>;
using task_atom = atom_constant<atom("task")>;
using tally_atom = atom_constant<atom("tally")>;
using flush_atom = atom_constant<atom("flush")>;

typedef std::map<std::string, uint64_t> params;

static double
now_sec()
{
	return std::chrono::duration<double>(
	    std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] static void
fail(const char *fmt, unsigned long long a, unsigned long long b)
{
	std::fprintf(stderr, fmt, a, b);
	std::fputc('\n', stderr);
	std::exit(1);
}

static uint64_t
await_result(scoped_actor &self)
{
	uint64_t got = 0;
	self->receive([&](result_atom, uint64_t x) { got = x; });
	return got;
}

/* --- pingpong ------------------------------------------------------------ */

struct player_state {
	actor peer;
	uint64_t hits = 0;
};

static behavior
player(stateful_actor<player_state> *self, actor main)
{
	return {
		[=](peer_atom, actor p) { self->state.peer = p; },
		[=](ball_atom, uint64_t left) {
			self->state.hits++;
			if (left == 1) {
				self->send(self->state.peer, quit_atom::value);
				self->send(main, result_atom::value, self->state.hits);
				self->quit();
				return;
			}
			self->send(self->state.peer, ball_atom::value, left - 1);
		},
		[=](quit_atom) {
			self->send(main, result_atom::value, self->state.hits);
			self->quit();
		},
	};
}

static void
pingpong(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"];
	scoped_actor self{ sys };
	actor main = actor_cast<actor>(self);
	auto a = sys.spawn(player, main);
	auto b = sys.spawn(player, main);
	double t0 = now_sec();
	anon_send(a, peer_atom::value, b);
	anon_send(b, peer_atom::value, a);
	anon_send(a, ball_atom::value, 2 * n);
	uint64_t hits = await_result(self) + await_result(self);
	double s = now_sec() - t0;
	if (hits != 2 * n)
		fail("pingpong: %llu hits, want %llu", hits, 2 * n);
	std::printf("pingpong msgs=%llu seconds=%.3f ns_per_msg=%.1f "
	    "workers=%u\n", (unsigned long long)(2 * n), s, s * 1e9 / (2.0 * n),
	    workers);
}

/* --- ring ---------------------------------------------------------------- */

struct node_state {
	actor next;
	uint64_t hops = 0;
};

static behavior
ring_node(stateful_actor<node_state> *self, actor main)
{
	return {
		[=](link_atom, actor next) { self->state.next = next; },
		[=](token_atom, uint64_t left) {
			if (left == 0) {
				self->send(self->state.next, quit_atom::value);
				self->send(main, result_atom::value, self->state.hops);
				self->quit();
				return;
			}
			self->state.hops++;
			self->send(self->state.next, token_atom::value, left - 1);
		},
		[=](quit_atom) {
			self->send(self->state.next, quit_atom::value);
			self->send(main, result_atom::value, self->state.hops);
			self->quit();
		},
	};
}

static void
ring(actor_system &sys, params &p, unsigned workers)
{
	uint64_t r = p["r"], h = p["h"], total = 0;
	scoped_actor self{ sys };
	actor main = actor_cast<actor>(self);
	std::vector<actor> nodes;
	for (uint64_t i = 0; i < r; i++)
		nodes.push_back(sys.spawn(ring_node, main));
	for (uint64_t i = 0; i < r; i++)
		anon_send(nodes[i], link_atom::value, nodes[(i + 1) % r]);
	nodes.resize(1);
	double t0 = now_sec();
	anon_send(nodes[0], token_atom::value, h);
	for (uint64_t i = 0; i < r; i++)
		total += await_result(self);
	double s = now_sec() - t0;
	if (total != h)
		fail("ring: %llu hops, want %llu", total, h);
	std::printf("ring actors=%llu hops=%llu seconds=%.3f ns_per_hop=%.1f "
	    "workers=%u\n", (unsigned long long)r, (unsigned long long)h, s,
	    s * 1e9 / (double)h, workers);
}

/* --- counting ------------------------------------------------------------ */

struct counter_state {
	uint64_t count = 0;
};

static behavior
counter(stateful_actor<counter_state> *self)
{
	return {
		[=](inc_atom) { self->state.count++; },
		[=](get_atom) {
			self->quit();
			return self->state.count;
		},
	};
}

/* On go: N incs, then a request for the count (CAF's ask). */
static behavior
producer(event_based_actor *self, actor ctr, uint64_t n, actor main)
{
	return {
		[=](go_atom) {
			for (uint64_t i = 0; i < n; i++)
				self->send(ctr, inc_atom::value);
			self->request(ctr, infinite, get_atom::value)
			    .then([=](uint64_t c) {
				    self->send(main, result_atom::value, c);
				    self->quit();
			    });
		},
	};
}

static void
counting(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"];
	scoped_actor self{ sys };
	auto c = sys.spawn(counter);
	auto prod = sys.spawn(producer, c, n, actor_cast<actor>(self));
	double t0 = now_sec();
	anon_send(prod, go_atom::value);
	uint64_t got = await_result(self);
	double s = now_sec() - t0;
	if (got != n)
		fail("counting: count %llu, want %llu", got, n);
	std::printf("counting msgs=%llu seconds=%.3f msgs_per_sec=%.0f "
	    "workers=%u\n", (unsigned long long)n, s, (double)n / s, workers);
}

/* --- fanin --------------------------------------------------------------- */

struct receiver_state {
	uint64_t items = 0, claimed = 0, done = 0;
};

static behavior
receiver(stateful_actor<receiver_state> *self, uint64_t senders, actor main)
{
	return {
		[=](item_atom) { self->state.items++; },
		[=](done_atom, uint64_t sent) {
			self->state.claimed += sent;
			if (++self->state.done == senders) {
				self->send(main, result_atom::value,
				    self->state.items);
				self->send(main, result_atom::value,
				    self->state.claimed);
				self->quit();
			}
		},
	};
}

static behavior
sender(event_based_actor *self, actor recv, uint64_t m)
{
	return {
		[=](go_atom) {
			for (uint64_t i = 0; i < m; i++)
				self->send(recv, item_atom::value);
			self->send(recv, done_atom::value, m);
			self->quit();
		},
	};
}

static void
fanin(actor_system &sys, params &p, unsigned workers)
{
	uint64_t snd = p["s"], m = p["m"];
	scoped_actor self{ sys };
	auto recv = sys.spawn(receiver, snd, actor_cast<actor>(self));
	std::vector<actor> senders;
	for (uint64_t i = 0; i < snd; i++)
		senders.push_back(sys.spawn(sender, recv, m));
	double t0 = now_sec();
	for (auto &a : senders)
		anon_send(a, go_atom::value);
	senders.clear();
	uint64_t items = await_result(self);
	uint64_t claimed = await_result(self);
	double s = now_sec() - t0;
	if (items != snd * m || claimed != snd * m)
		fail("fanin: %llu items, want %llu", items, snd * m);
	std::printf("fanin senders=%llu msgs=%llu seconds=%.3f "
	    "msgs_per_sec=%.0f workers=%u\n", (unsigned long long)snd,
	    (unsigned long long)(snd * m), s, (double)(snd * m) / s, workers);
}

/* --- skynet -------------------------------------------------------------- */

struct sky_state {
	uint64_t sum = 0;
	int pending = 10;
};

static behavior
skynet_node(stateful_actor<sky_state> *self, actor parent, uint64_t ordinal,
    uint64_t size)
{
	if (size <= 1) {
		self->send(parent, result_atom::value, ordinal);
		self->quit();
		return {};
	}
	uint64_t sub = size / 10;
	for (uint64_t i = 0; i < 10; i++)
		self->spawn(skynet_node, actor_cast<actor>(self),
		    ordinal + i * sub, sub);
	return {
		[=](result_atom, uint64_t v) {
			self->state.sum += v;
			if (--self->state.pending == 0) {
				self->send(parent, result_atom::value,
				    self->state.sum);
				self->quit();
			}
		},
	};
}

static void
skynet(actor_system &sys, params &p, unsigned workers)
{
	uint64_t leaves = p["n"], actors = 0, l;
	for (l = 1; l < leaves; l *= 10)
		actors += l;
	if (l != leaves)
		fail("skynet: n=%llu leaves is not a power of 10 (%llu)", leaves,
		    l);
	actors += leaves;
	uint64_t want = leaves * (leaves - 1) / 2;
	scoped_actor self{ sys };
	double t0 = now_sec();
	sys.spawn(skynet_node, actor_cast<actor>(self), uint64_t{ 0 }, leaves);
	uint64_t got = await_result(self);
	double s = now_sec() - t0;
	if (got != want)
		fail("skynet: sum %llu, want %llu", got, want);
	std::printf("skynet actors=%llu sum=%llu seconds=%.3f ms=%.1f "
	    "ns_per_actor=%.1f workers=%u\n", (unsigned long long)actors,
	    (unsigned long long)want, s, s * 1e3, s * 1e9 / (double)actors,
	    workers);
}

/* --- spawn --------------------------------------------------------------- */

static std::atomic<uint64_t> started;

static void
spawn(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"];
	started = 0;
	double t0 = now_sec();
	for (uint64_t i = 0; i < n; i++)
		sys.spawn([](event_based_actor *self) {
			started.fetch_add(1, std::memory_order_relaxed);
			self->quit();
		});
	sys.await_all_actors_done();
	double s = now_sec() - t0;
	if (started != n)
		fail("spawn: %llu started, want %llu", started.load(), n);
	std::printf("spawn actors=%llu seconds=%.3f ns_per_actor=%.1f "
	    "workers=%u\n", (unsigned long long)n, s, s * 1e9 / (double)n,
	    workers);
}

/* --- idle_memory --------------------------------------------------------- */

static long
rss_kb()
{
	char line[256];
	long kb = -1;
	FILE *f = std::fopen("/proc/self/status", "r");
	if (f == nullptr)
		return -1;
	while (std::fgets(line, sizeof(line), f) != nullptr)
		if (std::strncmp(line, "VmRSS:", 6) == 0) {
			kb = std::strtol(line + 6, nullptr, 10);
			break;
		}
	std::fclose(f);
	return kb;
}

static void
idle_memory(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"];
	std::vector<actor> actors;
	actors.reserve(n);
	started = 0;
	long before = rss_kb();
	for (uint64_t i = 0; i < n; i++)
		actors.push_back(sys.spawn([](event_based_actor *self) -> behavior {
			started.fetch_add(1, std::memory_order_relaxed);
			return { [=](quit_atom) { self->quit(); } };
		}));
	while (started.load() < n)
		std::this_thread::sleep_for(std::chrono::milliseconds(1));
	long after = rss_kb();
	for (auto &a : actors)
		anon_send(a, quit_atom::value);
	actors.clear();
	sys.await_all_actors_done();
	if (before < 0 || after < 0)
		fail("idle_memory: cannot read VmRSS (%llu %llu)", 0, 0);
	std::printf("idle_memory actors=%llu rss_kb=%ld bytes_per_actor=%.1f "
	    "workers=%u\n", (unsigned long long)n, after - before,
	    (double)(after - before) * 1024.0 / (double)n, workers);
}

/* --- ask ----------------------------------------------------------------- */

/* The server of ask and call: answers a request for i with i + 1. */
static behavior
ask_server(event_based_actor *)
{
	return {
		[](ask_atom, uint64_t i) { return i + 1; },
	};
}

struct asker_state {
	uint64_t sum = 0;
};

/* On go: N requests to the server, one at a time, each made in the
 * response handler of the one before (CAF's ask: request(...).then). */
static void
ask_next(stateful_actor<asker_state> *self, actor server, uint64_t i,
    uint64_t n, actor main)
{
	if (i == n) {
		self->send(main, result_atom::value, self->state.sum);
		self->quit();
		return;
	}
	self->request(server, infinite, ask_atom::value, i)
	    .then([=](uint64_t r) {
		    self->state.sum += r;
		    ask_next(self, server, i + 1, n, main);
	    });
}

static behavior
asker(stateful_actor<asker_state> *self, actor server, uint64_t n, actor main)
{
	return {
		[=](go_atom) { ask_next(self, server, 0, n, main); },
	};
}

static void
ask(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"];
	scoped_actor self{ sys };
	auto server = sys.spawn(ask_server);
	auto client = sys.spawn(asker, server, n, actor_cast<actor>(self));
	double t0 = now_sec();
	anon_send(client, go_atom::value);
	uint64_t got = await_result(self);
	double s = now_sec() - t0;
	anon_send_exit(server, exit_reason::user_shutdown);
	if (got != n * (n + 1) / 2)
		fail("ask: sum %llu, want %llu", got, n * (n + 1) / 2);
	std::printf("ask roundtrips=%llu seconds=%.3f ns_per_roundtrip=%.1f "
	    "workers=%u\n", (unsigned long long)n, s, s * 1e9 / (double)n,
	    workers);
}

/* --- call ---------------------------------------------------------------- */

/* N blocking requests from the main thread, outside the scheduler, through
 * a scoped_actor: request(...).receive(...). With CAF's default scheduler
 * settings this costs tens of microseconds a round trip: between two
 * requests the server's worker runs out of work, and an idle worker polls
 * its queue in 50 us sleeps (work-stealing.moderate-sleep-duration) before
 * it waits on a condition variable that an enqueue would signal. The
 * default is kept, as for every other workload. */
static void
call(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"], sum = 0;
	scoped_actor self{ sys };
	auto server = sys.spawn(ask_server);
	double t0 = now_sec();
	for (uint64_t i = 0; i < n; i++)
		self->request(server, infinite, ask_atom::value, i)
		    .receive([&](uint64_t r) { sum += r; },
			[&](error &e) {
				fail("call: request %llu failed (error %llu)",
				    i, e.code());
			});
	double s = now_sec() - t0;
	anon_send_exit(server, exit_reason::user_shutdown);
	if (sum != n * (n + 1) / 2)
		fail("call: sum %llu, want %llu", sum, n * (n + 1) / 2);
	std::printf("call roundtrips=%llu seconds=%.3f ns_per_roundtrip=%.1f "
	    "workers=%u\n", (unsigned long long)n, s, s * 1e9 / (double)n,
	    workers);
}

/* --- restart ------------------------------------------------------------ */

/* CAF has no supervisor; this one is made by hand, the CAF way: it spawns
 * its worker monitored, and its down handler spawns a fresh one (one child,
 * permanent, one_for_one) unless that makes more than `intensity` restarts
 * within `period` seconds, when it gives up. A CAF actor's mailbox dies
 * with it and its successor has a new handle, so the supervisor hands each
 * new worker to the client (up), and the client sends its next message to
 * that worker. */

/* The worker: counts its start and throws on every message. Its exception
 * handler turns the exception into the error it exits with, quietly (CAF's
 * default handler prints each one on stdout). */
struct restart_worker_state {
	uint64_t handled = 0;
};

static behavior
restart_worker(stateful_actor<restart_worker_state> *self)
{
	started.fetch_add(1, std::memory_order_relaxed);
	self->set_exception_handler([](std::exception_ptr &) -> error {
		return sec::runtime_error;
	});
	return {
		[=](crash_atom) {
			self->state.handled++;
			throw std::runtime_error("restart: crash");
		},
	};
}

struct restart_sup_state {
	actor worker;
	uint64_t restarts = 0;
	std::vector<double> times; /* the last restarts, a ring */
};

/* On get: stop the worker and itself, and answer the number of restarts. */
static behavior
restart_supervisor(stateful_actor<restart_sup_state> *self,
    uint64_t intensity, double period, actor client)
{
	auto start = [=] {
		self->state.worker = self->spawn<monitored>(restart_worker);
		self->send(client, up_atom::value, self->state.worker);
	};
	self->state.times.resize(intensity);
	self->set_down_handler([=](down_msg &dm) {
		auto &st = self->state;
		if (dm.source != st.worker)
			return;
		double now = now_sec();
		uint64_t i = st.restarts % intensity;
		if (st.restarts >= intensity && now - st.times[i] < period) {
			self->send(client, done_atom::value);
			self->quit(dm.reason);
			return;
		}
		st.times[i] = now;
		st.restarts++;
		start();
	});
	start();
	return {
		[=](get_atom) {
			self->send_exit(self->state.worker,
			    exit_reason::user_shutdown);
			self->quit();
			return self->state.restarts;
		},
	};
}

struct restart_client_state {
	uint64_t ups = 0;
	actor last;
};

/* Sends each worker it is handed one message, until N + 1 workers have
 * started (N restarts); then tells main how many restarts it saw. */
static behavior
restart_client(stateful_actor<restart_client_state> *self, uint64_t n,
    actor main)
{
	return {
		[=](up_atom, actor w) {
			auto &st = self->state;
			if (w == st.last)
				fail("restart: worker %llu handed over twice (%llu)",
				    w.id(), st.ups);
			st.last = w;
			if (st.ups++ == n) {
				self->send(main, result_atom::value, n);
				self->quit();
				return;
			}
			self->send(w, crash_atom::value);
		},
		[=](done_atom) { /* the supervisor gave up */
			self->send(main, result_atom::value, self->state.ups - 1);
			self->quit();
		},
	};
}

/* restart: the client and the supervisor are spawned, and the time taken
 * until the client has seen N restarts; it includes the first start of the
 * worker (one spawn among N + 1). The client's count, the supervisor's and
 * the workers' own must agree. */
static void
restart(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"], seen, restarts = 0;
	double s;
	started = 0;
	{
		scoped_actor self{ sys };
		double t0 = now_sec();
		auto client = sys.spawn(restart_client, n,
		    actor_cast<actor>(self));
		auto sup = sys.spawn(restart_supervisor, n + 10, 1.0, client);
		seen = await_result(self);
		s = now_sec() - t0;
		self->request(sup, infinite, get_atom::value)
		    .receive([&](uint64_t r) { restarts = r; },
			[&](error &) { restarts = 0; });
	}
	/* Until the last worker has started (and stopped) too. */
	sys.await_all_actors_done();
	if (seen != n)
		fail("restart: the client saw %llu restarts, want %llu", seen, n);
	if (restarts != n)
		fail("restart: the supervisor made %llu restarts, want %llu",
		    restarts, n);
	if (started != n + 1)
		fail("restart: %llu workers started, want %llu", started.load(),
		    n + 1);
	std::printf("restart restarts=%llu seconds=%.3f us_per_restart=%.2f "
	    "workers=%u\n", (unsigned long long)n, s, s * 1e6 / (double)n,
	    workers);
}

/* --- broker -------------------------------------------------------------- */

/* The topic is a CAF group (a local anonymous group, CAF's own
 * publish-subscribe): subscribers are spawned into it, the publisher sends
 * to the group, and the group hands each message to every member. */
struct subscriber_state {
	uint64_t count = 0, sum = 0;
};

static behavior
subscriber(stateful_actor<subscriber_state> *self, uint64_t n)
{
	return {
		[=](pub_atom, uint64_t v) {
			self->state.count++;
			self->state.sum += v;
		},
		[=](done_atom) {
			uint64_t want = n * (n + 1) / 2;
			bool ok = self->state.count == n && self->state.sum == want;
			if (!ok)
				std::fprintf(stderr, "broker: subscriber got %llu "
				    "messages summing to %llu, want %llu and %llu\n",
				    (unsigned long long)self->state.count,
				    (unsigned long long)self->state.sum,
				    (unsigned long long)n, (unsigned long long)want);
			self->send(actor_cast<actor>(self->current_sender()),
			    report_atom::value, ok);
			self->quit();
		},
	};
}

struct publisher_state {
	uint64_t reports = 0, bad = 0;
};

/* On go: publish 1..N and then done on the group; finish (tell main how
 * many subscribers were wrong) once all K have reported. */
static behavior
publisher(stateful_actor<publisher_state> *self, group grp, uint64_t n,
    uint64_t k, actor main)
{
	return {
		[=](go_atom) {
			for (uint64_t i = 1; i <= n; i++)
				self->send(grp, pub_atom::value, i);
			self->send(grp, done_atom::value);
		},
		[=](report_atom, bool ok) {
			if (!ok)
				self->state.bad++;
			if (++self->state.reports == k) {
				self->send(main, result_atom::value,
				    self->state.bad);
				self->quit();
			}
		},
	};
}

static void
broker(actor_system &sys, params &p, unsigned workers)
{
	uint64_t n = p["n"], k = p["k"];
	scoped_actor self{ sys };
	auto grp = sys.groups().anonymous();
	for (uint64_t i = 0; i < k; i++)
		sys.spawn_in_group(grp, subscriber, n);
	auto pub = sys.spawn(publisher, grp, n, k, actor_cast<actor>(self));
	double t0 = now_sec();
	anon_send(pub, go_atom::value);
	uint64_t bad = await_result(self);
	double s = now_sec() - t0;
	if (bad != 0)
		fail("broker: %llu of %llu subscribers got the wrong messages",
		    bad, k);
	std::printf("broker msgs=%llu subscribers=%llu deliveries=%llu "
	    "seconds=%.3f ns_per_delivery=%.1f workers=%u\n",
	    (unsigned long long)n, (unsigned long long)k,
	    (unsigned long long)(n * k), s, s * 1e9 / (double)(n * k), workers);
}

/* --- dispatch ------------------------------------------------------------ */

/* One scheduler thread (the system is made with one), one actor sending
 * itself batches of B ticks, then batch{left - B}; batch{0} ends it. */
struct looper_state {
	uint64_t ticks = 0;
};

static behavior
looper(stateful_actor<looper_state> *self, actor main)
{
	return {
		[=](batch_atom, uint64_t left) {
			if (left == 0) {
				self->send(main, result_atom::value,
				    self->state.ticks);
				self->quit();
				return;
			}
			uint64_t k = left < 1000 ? left : 1000;
			for (uint64_t i = 0; i < k; i++)
				self->send(self, tick_atom::value);
			self->send(self, batch_atom::value, left - k);
		},
		[=](tick_atom) { self->state.ticks++; },
	};
}

static void
dispatch(actor_system &sys, params &p, unsigned)
{
	uint64_t n = p["n"];
	scoped_actor self{ sys };
	auto l = sys.spawn(looper, actor_cast<actor>(self));
	double t0 = now_sec();
	anon_send(l, batch_atom::value, n);
	uint64_t got = await_result(self);
	double s = now_sec() - t0;
	if (got != n)
		fail("dispatch: %llu ticks, want %llu", got, n);
	std::printf("dispatch msgs=%llu seconds=%.3f ns_per_msg=%.1f "
	    "workers=1\n", (unsigned long long)n, s, s * 1e9 / (double)n);
}

/* --- driver -------------------------------------------------------------- */

/* --- pool ---------------------------------------------------------------- */

/* P producers each send M tasks to 8 workers: straight to the workers in
 * turn (plain), or through a hand-written actor that round-robins them
 * (CAF 0.17 has no pool actor that routes messages by a policy of ours
 * besides actor_pool, whose round-robin is this with a lock); then main
 * asks each worker how many it handled. */
struct pool_worker_state {
	uint64_t tasks = 0;
};

static behavior
pool_worker(stateful_actor<pool_worker_state> *self)
{
	return {
		[=](task_atom) { self->state.tasks++; },
		[=](tally_atom) -> uint64_t {
			uint64_t k = self->state.tasks;
			self->state.tasks = 0;
			return k;
		},
	};
}

struct pool_router_state {
	std::vector<actor> workers;
	size_t next = 0;
};

static behavior
pool_router(stateful_actor<pool_router_state> *self, std::vector<actor> ws)
{
	self->state.workers = std::move(ws);
	return {
		[=](task_atom) {
			auto &st = self->state;
			self->send(st.workers[st.next], task_atom::value);
			st.next = (st.next + 1) % st.workers.size();
		},
		/* Answered once the tasks before it are passed on. */
		[=](flush_atom) -> uint64_t { return 0; },
	};
}

static behavior
pool_producer(event_based_actor *self, std::vector<actor> to, uint64_t m,
    actor main)
{
	return {
		[=](go_atom) {
			for (uint64_t i = 0; i < m; i++)
				self->send(to[i % to.size()], task_atom::value);
			self->send(main, done_atom::value);
			self->quit();
		},
	};
}

static double
pool_run(actor_system &sys, uint64_t np, uint64_t m, bool routed)
{
	scoped_actor self{ sys };
	std::vector<actor> workers, producers;
	uint64_t got = 0;
	actor router;

	for (int i = 0; i < 8; i++)
		workers.push_back(sys.spawn(pool_worker));
	if (routed)
		router = sys.spawn(pool_router, workers);
	for (uint64_t i = 0; i < np; i++)
		producers.push_back(sys.spawn(pool_producer,
		    routed ? std::vector<actor>{ router } : workers, m,
		    actor_cast<actor>(self)));
	double t0 = now_sec();
	for (auto &a : producers)
		anon_send(a, go_atom::value);
	producers.clear();
	for (uint64_t i = 0; i < np; i++)
		self->receive([](done_atom) {});
	auto on_error = [](error &e) {
		fail("pool: a request failed (error %llu, category %llu)",
		    e.code(), static_cast<uint64_t>(e.category()));
	};
	if (routed)
		self->request(router, infinite, flush_atom::value)
		    .receive([](uint64_t) {}, on_error);
	for (auto &w : workers)
		self->request(w, infinite, tally_atom::value)
		    .receive([&](uint64_t k) { got += k; }, on_error);
	double s = now_sec() - t0;
	for (auto &w : workers)
		anon_send_exit(w, exit_reason::user_shutdown);
	if (routed)
		anon_send_exit(router, exit_reason::user_shutdown);
	if (got != np * m)
		fail("pool: %llu tasks handled, want %llu", got, np * m);
	return s;
}

static void
pool(actor_system &sys, params &p, unsigned workers)
{
	uint64_t np = p["p"], m = p["m"];
	double n = (double)(np * m);
	double plain = pool_run(sys, np, m, false);
	double rr = pool_run(sys, np, m, true);
	std::printf("pool producers=%llu members=8 msgs=%llu seconds=%.3f "
	    "plain_ns_per_msg=%.1f round_robin_ns_per_msg=%.1f "
	    "round_robin_adds_ns=%.1f workers=%u\n", (unsigned long long)np,
	    (unsigned long long)(np * m), plain + rr, plain * 1e9 / n,
	    rr * 1e9 / n, (rr - plain) * 1e9 / n, workers);
}

struct workload {
	const char *name;
	void (*run)(actor_system &, params &, unsigned);
	params defaults;
	unsigned workers; /* 0: as asked; else always this */
};

static const std::vector<workload> workloads = {
	{ "pingpong", pingpong, { { "n", 1000000 } }, 0 },
	{ "ring", ring, { { "r", 1000 }, { "h", 10000000 } }, 0 },
	{ "counting", counting, { { "n", 10000000 } }, 0 },
	{ "fanin", fanin, { { "s", 64 }, { "m", 100000 } }, 0 },
	{ "skynet", skynet, { { "n", 1000000 } }, 0 },
	{ "spawn", spawn, { { "n", 1000000 } }, 0 },
	{ "idle_memory", idle_memory, { { "n", 1000000 } }, 0 },
	{ "ask", ask, { { "n", 1000000 } }, 0 },
	{ "call", call, { { "n", 200000 } }, 0 },
	{ "restart", restart, { { "n", 100000 } }, 0 },
	{ "broker", broker, { { "n", 1000000 }, { "k", 8 } }, 0 },
	{ "dispatch", dispatch, { { "n", 10000000 } }, 1 },
	{ "pool", pool, { { "p", 4 }, { "m", 1000000 } }, 0 },
};

static int
usage()
{
	std::fprintf(stderr, "usage: caf_bench [--workers N] "
			     "[WORKLOAD [key=value...]]...\n");
	return 2;
}

static void
run_one(const workload &w, params p, unsigned workers)
{
	actor_system_config cfg;
	unsigned n = w.workers != 0 ? w.workers : workers;
	cfg.set("scheduler.max-threads", n);
	cfg.set("logger.verbosity", atom("quiet"));
	actor_system sys{ cfg };
	w.run(sys, p, n);
	std::fflush(stdout);
}

int
main(int argc, char **argv)
{
	unsigned workers = std::thread::hardware_concurrency();
	int i = 1;
	std::vector<std::pair<const workload *, params>> todo;

	if (i + 1 < argc && std::strcmp(argv[i], "--workers") == 0) {
		workers = (unsigned)std::strtoul(argv[i + 1], nullptr, 10);
		if (workers == 0)
			return usage();
		i += 2;
	}
	while (i < argc) {
		const workload *w = nullptr;
		for (auto &x : workloads)
			if (std::strcmp(x.name, argv[i]) == 0)
				w = &x;
		if (w == nullptr)
			return usage();
		params p = w->defaults;
		for (i++; i < argc && std::strchr(argv[i], '=') != nullptr; i++) {
			std::string kv = argv[i], k = kv.substr(0, kv.find('='));
			for (auto &c : k)
				c = (char)std::tolower((unsigned char)c);
			uint64_t v = std::strtoull(kv.c_str() + k.size() + 1,
			    nullptr, 10);
			if (p.count(k) == 0 || v == 0)
				return usage();
			p[k] = v;
		}
		todo.emplace_back(w, p);
	}
	if (todo.empty())
		for (auto &x : workloads)
			todo.emplace_back(&x, x.defaults);
	for (auto &t : todo)
		run_one(*t.first, t.second, workers);
	return 0;
}
