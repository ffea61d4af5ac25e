// rtbench peer in Go: the workloads of doc/benchmarks.md with goroutines
// and channels, printing the same lines as bench/rtbench.
//
//	rtbench-go --workers N WORKLOAD [key=value...]...
//
// workers = GOMAXPROCS. An actor is a goroutine reading its own channel
// (the mailbox); channels are buffered so that a sender does not hand over
// on every message, as an actor's send does not.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const mailbox = 1024

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", a...)
	os.Exit(1)
}

// pingpong: two goroutines bounce one ball N round trips.
func pingpong(p map[string]uint64, workers int) {
	n := p["n"]
	a, b := make(chan uint64, 1), make(chan uint64, 1)
	var hits [2]uint64
	var wg sync.WaitGroup
	player := func(i int, in <-chan uint64, out chan<- uint64) {
		defer wg.Done()
		for left := range in {
			hits[i]++
			if left == 1 {
				close(out)
				return
			}
			out <- left - 1
		}
		// The peer closed: done.
	}
	wg.Add(2)
	t0 := time.Now()
	go player(0, a, b)
	go player(1, b, a)
	a <- 2 * n
	wg.Wait()
	s := time.Since(t0).Seconds()
	if hits[0]+hits[1] != 2*n {
		fail("pingpong: %d hits, want %d", hits[0]+hits[1], 2*n)
	}
	fmt.Printf("pingpong msgs=%d seconds=%.3f ns_per_msg=%.1f workers=%d\n",
		2*n, s, s*1e9/float64(2*n), workers)
}

// ring: R goroutines in a ring pass one token H hops; left == 0 closes the
// ring down.
func ring(p map[string]uint64, workers int) {
	r, h := p["r"], p["h"]
	chans := make([]chan uint64, r)
	for i := range chans {
		chans[i] = make(chan uint64, 1)
	}
	hops := make([]uint64, r)
	var wg sync.WaitGroup
	wg.Add(int(r))
	const halt = ^uint64(0)
	for i := uint64(0); i < r; i++ {
		go func(i uint64) {
			defer wg.Done()
			in, next := chans[i], chans[(i+1)%r]
			for t := range in {
				if t == halt || t == 0 {
					// Halt goes round once; the node that started it
					// has left, but its channel (buffer 1) is empty.
					next <- halt
					return
				}
				hops[i]++
				next <- t - 1
			}
		}(i)
	}
	t0 := time.Now()
	chans[0] <- h
	wg.Wait()
	s := time.Since(t0).Seconds()
	var total uint64
	for _, x := range hops {
		total += x
	}
	if total != h {
		fail("ring: %d hops, want %d", total, h)
	}
	fmt.Printf("ring actors=%d hops=%d seconds=%.3f ns_per_hop=%.1f workers=%d\n",
		r, h, s, s*1e9/float64(h), workers)
}

// counting: a producer sends N increments to a counter goroutine, then asks
// for the count with a reply channel.
func counting(p map[string]uint64, workers int) {
	n := p["n"]
	type msg struct {
		reply chan uint64 // nil: an increment
	}
	counter := make(chan msg, mailbox)
	go func() {
		var count uint64
		for m := range counter {
			if m.reply != nil {
				m.reply <- count
				return
			}
			count++
		}
	}()
	result := make(chan uint64)
	t0 := time.Now()
	go func() {
		for i := uint64(0); i < n; i++ {
			counter <- msg{}
		}
		reply := make(chan uint64, 1)
		counter <- msg{reply}
		result <- <-reply
	}()
	got := <-result
	s := time.Since(t0).Seconds()
	if got != n {
		fail("counting: count %d, want %d", got, n)
	}
	fmt.Printf("counting msgs=%d seconds=%.3f msgs_per_sec=%.0f workers=%d\n",
		n, s, float64(n)/s, workers)
}

// fanin: S senders each send M items and then a done to one receiver.
func fanin(p map[string]uint64, workers int) {
	snd, m := p["s"], p["m"]
	type msg struct {
		done bool
		sent uint64
	}
	in := make(chan msg, mailbox)
	result := make(chan [2]uint64)
	go func() {
		var items, claimed, done uint64
		for x := range in {
			if x.done {
				claimed += x.sent
				if done++; done == snd {
					result <- [2]uint64{items, claimed}
					return
				}
				continue
			}
			items++
		}
	}()
	t0 := time.Now()
	for i := uint64(0); i < snd; i++ {
		go func() {
			for j := uint64(0); j < m; j++ {
				in <- msg{}
			}
			in <- msg{true, m}
		}()
	}
	got := <-result
	s := time.Since(t0).Seconds()
	if got[0] != snd*m || got[1] != snd*m {
		fail("fanin: %d items (%d claimed), want %d", got[0], got[1], snd*m)
	}
	fmt.Printf("fanin senders=%d msgs=%d seconds=%.3f msgs_per_sec=%.0f workers=%d\n",
		snd, snd*m, s, float64(snd*m)/s, workers)
}

// pool: P producers each send M tasks to 8 worker goroutines: each
// worker with a channel of its own, the producers choosing them in turn
// (plain), or one channel fanned out to the 8 (Go's idiom for a pool: the
// channel routes, to whichever worker takes next). Each worker says how
// many it handled once its channel is closed.
func poolRun(np, m uint64, shared bool) float64 {
	var wg sync.WaitGroup
	chans := make([]chan struct{}, 8)
	counts := make(chan uint64, 8)
	one := make(chan struct{}, mailbox)
	for i := range chans {
		chans[i] = one
		if !shared {
			chans[i] = make(chan struct{}, mailbox)
		}
		go func(in chan struct{}) {
			var k uint64
			for range in {
				k++
			}
			counts <- k
		}(chans[i])
	}
	t0 := time.Now()
	for i := uint64(0); i < np; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := uint64(0); j < m; j++ {
				chans[j&7] <- struct{}{}
			}
		}()
	}
	wg.Wait()
	if shared {
		close(one)
	} else {
		for _, c := range chans {
			close(c)
		}
	}
	var got uint64
	for i := 0; i < 8; i++ {
		got += <-counts
	}
	s := time.Since(t0).Seconds()
	if got != np*m {
		fail("pool: %d tasks handled, want %d", got, np*m)
	}
	return s
}

func pool(p map[string]uint64, workers int) {
	np, m := p["p"], p["m"]
	n := float64(np * m)
	plain := poolRun(np, m, false)
	rr := poolRun(np, m, true)
	fmt.Printf("pool producers=%d members=8 msgs=%d seconds=%.3f "+
		"plain_ns_per_msg=%.1f round_robin_ns_per_msg=%.1f "+
		"round_robin_adds_ns=%.1f workers=%d\n",
		np, np*m, plain+rr, plain*1e9/n, rr*1e9/n, (rr-plain)*1e9/n, workers)
}

// skynet: the classic goroutine tree; each node sums its children's
// results from its own channel.
func skynetNode(parent chan<- uint64, ordinal, size uint64) {
	if size <= 1 {
		parent <- ordinal
		return
	}
	in := make(chan uint64, 10)
	sub := size / 10
	for i := uint64(0); i < 10; i++ {
		go skynetNode(in, ordinal+i*sub, sub)
	}
	var sum uint64
	for i := 0; i < 10; i++ {
		sum += <-in
	}
	parent <- sum
}

func skynet(p map[string]uint64, workers int) {
	leaves := p["n"]
	var actors, l uint64
	for l = 1; l < leaves; l *= 10 {
		actors += l
	}
	if l != leaves {
		fail("skynet: n=%d leaves is not a power of 10", leaves)
	}
	actors += leaves
	want := leaves * (leaves - 1) / 2
	root := make(chan uint64, 1)
	t0 := time.Now()
	go skynetNode(root, 0, leaves)
	got := <-root
	s := time.Since(t0).Seconds()
	if got != want {
		fail("skynet: sum %d, want %d", got, want)
	}
	fmt.Printf("skynet actors=%d sum=%d seconds=%.3f ms=%.1f ns_per_actor=%.1f workers=%d\n",
		actors, want, s, s*1e3, s*1e9/float64(actors), workers)
}

// spawn: N goroutines that end at once; wait for all of them.
func spawn(p map[string]uint64, workers int) {
	n := p["n"]
	var wg sync.WaitGroup
	var started uint64
	t0 := time.Now()
	wg.Add(int(n))
	for i := uint64(0); i < n; i++ {
		go func() {
			atomic.AddUint64(&started, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	s := time.Since(t0).Seconds()
	if started != n {
		fail("spawn: %d started, want %d", started, n)
	}
	fmt.Printf("spawn actors=%d seconds=%.3f ns_per_actor=%.1f workers=%d\n",
		n, s, s*1e9/float64(n), workers)
}

func rssKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return -1
}

// idle_memory: N goroutines, each blocked on its own (unbuffered) channel.
func idleMemory(p map[string]uint64, workers int) {
	n := p["n"]
	chans := make([]chan struct{}, n)
	var wg, started sync.WaitGroup
	runtime.GC()
	before := rssKB()
	wg.Add(int(n))
	started.Add(int(n))
	for i := range chans {
		c := make(chan struct{})
		chans[i] = c
		go func() {
			started.Done()
			<-c
			wg.Done()
		}()
	}
	started.Wait()
	after := rssKB()
	for _, c := range chans {
		close(c)
	}
	wg.Wait()
	if before < 0 || after < 0 {
		fail("idle_memory: cannot read VmRSS")
	}
	fmt.Printf("idle_memory actors=%d rss_kb=%d bytes_per_actor=%.1f workers=%d\n",
		n, after-before, float64(after-before)*1024/float64(n), workers)
}

// A request to a server goroutine: the argument and the channel to answer
// on. The server answers n + 1.
type request struct {
	n     uint64
	reply chan<- uint64
}

func server(in <-chan request) {
	for r := range in {
		r.reply <- r.n + 1
	}
}

// askN makes n sequential requests to srv from one goroutine, on one reply
// channel of its own (a caller waits for each answer before the next
// request, so one buffered slot is enough), and returns the sum of the
// answers.
func askN(srv chan<- request, n uint64) uint64 {
	reply := make(chan uint64, 1)
	var sum uint64
	for i := uint64(0); i < n; i++ {
		srv <- request{i, reply}
		sum += <-reply
	}
	return sum
}

// ask: a client goroutine makes N sequential requests to a server
// goroutine and checks the sum of the answers.
func ask(p map[string]uint64, workers int) {
	n := p["n"]
	srv := make(chan request, mailbox)
	go server(srv)
	result := make(chan uint64)
	t0 := time.Now()
	go func() { result <- askN(srv, n) }()
	got := <-result
	s := time.Since(t0).Seconds()
	close(srv)
	if want := n * (n + 1) / 2; got != want {
		fail("ask: sum %d, want %d", got, want)
	}
	fmt.Printf("ask roundtrips=%d seconds=%.3f ns_per_roundtrip=%.1f workers=%d\n",
		n, s, s*1e9/float64(n), workers)
}

// call: the same exchange from the main goroutine, Go's nearest thing to a
// thread outside the actors (every goroutine is scheduled alike).
func call(p map[string]uint64, workers int) {
	n := p["n"]
	srv := make(chan request, mailbox)
	go server(srv)
	t0 := time.Now()
	got := askN(srv, n)
	s := time.Since(t0).Seconds()
	close(srv)
	if want := n * (n + 1) / 2; got != want {
		fail("call: sum %d, want %d", got, want)
	}
	fmt.Printf("call roundtrips=%d seconds=%.3f ns_per_roundtrip=%.1f workers=%d\n",
		n, s, s*1e9/float64(n), workers)
}

// errCrash is what a restart worker panics with.
var errCrash = errors.New("restart: crash")

// restartWorker is one incarnation of the restart workload's worker: it
// announces its start on up, then panics on the first message it takes
// from the mailbox. It tells the supervisor how it ended on exits: the
// panic's value, or nil if it returned because the mailbox was closed.
func restartWorker(mbox <-chan uint64, up chan<- struct{}, exits chan<- interface{}) {
	defer func() { exits <- recover() }()
	var handled uint64 // the worker's state, fresh in each incarnation
	up <- struct{}{}
	for range mbox {
		handled++
		panic(errCrash)
	}
}

// supervise runs restartWorker as a permanent child, one_for_one: a new
// goroutine with fresh state each time one panics, unless that would make
// more than intensity restarts within period (then it gives up, as an OTP
// supervisor does). The mailbox is the workers' and survives them. A
// worker that returns (the mailbox was closed) ends the supervisor. It
// returns the number of restarts and whether it gave up.
func supervise(mbox <-chan uint64, up chan<- struct{}, intensity uint64,
	period time.Duration) (uint64, bool) {
	exits := make(chan interface{})
	times := make([]time.Time, intensity) // the last restarts, a ring
	var restarts uint64
	go restartWorker(mbox, up, exits)
	for {
		if r := <-exits; r == nil {
			return restarts, false
		}
		now := time.Now()
		i := restarts % intensity
		if restarts >= intensity && now.Sub(times[i]) < period {
			return restarts, true
		}
		times[i] = now
		restarts++
		go restartWorker(mbox, up, exits)
	}
}

// restart: a supervisor goroutine with one permanent worker goroutine
// (intensity N + 10 within 1 s, never reached) that panics on every
// message. The mailbox channel survives restarts as an rt actor's mailbox
// does, so a client goroutine sends its N messages without waiting, and
// each one is taken by a fresh worker. Each worker announces its start,
// and main waits for N + 1 starts; the supervisor must count N restarts.
func restart(p map[string]uint64, workers int) {
	n := p["n"]
	mbox := make(chan uint64, mailbox)
	up := make(chan struct{}, mailbox)
	type supResult struct {
		restarts uint64
		gaveUp   bool
	}
	result := make(chan supResult)
	go func() {
		r, gaveUp := supervise(mbox, up, n+10, time.Second)
		close(up)
		result <- supResult{r, gaveUp}
	}()
	<-up
	t0 := time.Now()
	go func() {
		for i := uint64(0); i < n; i++ {
			mbox <- i
		}
	}()
	for i := uint64(0); i < n; i++ {
		if _, ok := <-up; !ok {
			// The supervisor gave up (the client may still be
			// sending: leave the mailbox open).
			res := <-result
			fail("restart: the supervisor gave up after %d restarts", res.restarts)
		}
	}
	s := time.Since(t0).Seconds()
	close(mbox)
	res := <-result
	if res.gaveUp || res.restarts != n {
		fail("restart: %d restarts (gave up: %v), want %d", res.restarts, res.gaveUp, n)
	}
	fmt.Printf("restart restarts=%d seconds=%.3f us_per_restart=%.2f workers=%d\n",
		n, s, s*1e6/float64(n), workers)
}

// topic: a publish-subscribe topic. Each subscriber gets a buffered
// channel of its own; publish sends the value on every one of them (the
// publisher does the fan-out, no broker goroutine in between), and close
// ends every subscriber's range loop.
type topic struct {
	mu   sync.RWMutex
	subs []chan uint64
}

func (t *topic) subscribe() <-chan uint64 {
	c := make(chan uint64, mailbox)
	t.mu.Lock()
	t.subs = append(t.subs, c)
	t.mu.Unlock()
	return c
}

func (t *topic) publish(v uint64) {
	t.mu.RLock()
	for _, c := range t.subs {
		c <- v
	}
	t.mu.RUnlock()
}

func (t *topic) close() {
	t.mu.Lock()
	for _, c := range t.subs {
		close(c)
	}
	t.subs = nil
	t.mu.Unlock()
}

// broker: the main goroutine publishes 1..N on a topic with K subscriber
// goroutines, then closes it; each subscriber checks it got N values
// summing to N(N+1)/2 and reports, and the publisher waits for all K.
func broker(p map[string]uint64, workers int) {
	n, k := p["n"], p["k"]
	want := n * (n + 1) / 2
	var t topic
	reports := make(chan bool, k)
	for i := uint64(0); i < k; i++ {
		c := t.subscribe()
		go func() {
			var count, sum uint64
			for v := range c {
				count++
				sum += v
			}
			ok := count == n && sum == want
			if !ok {
				fmt.Fprintf(os.Stderr, "broker: subscriber got %d values summing to %d, want %d and %d\n",
					count, sum, n, want)
			}
			reports <- ok
		}()
	}
	t0 := time.Now()
	for i := uint64(1); i <= n; i++ {
		t.publish(i)
	}
	t.close()
	bad := 0
	for i := uint64(0); i < k; i++ {
		if !<-reports {
			bad++
		}
	}
	s := time.Since(t0).Seconds()
	if bad != 0 {
		fail("broker: %d of %d subscribers got the wrong values", bad, k)
	}
	fmt.Printf("broker msgs=%d subscribers=%d deliveries=%d seconds=%.3f ns_per_delivery=%.1f workers=%d\n",
		n, k, n*k, s, s*1e9/float64(n*k), workers)
}

// dispatch: one goroutine, GOMAXPROCS 1, sends itself batches of B ticks
// through its own buffered channel and receives them.
func dispatch(p map[string]uint64, workers int) {
	n := p["n"]
	const batch = 1000
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	done := make(chan uint64)
	t0 := time.Now()
	go func() {
		self := make(chan uint64, batch)
		var ticks uint64
		for left := n; left > 0; {
			k := uint64(batch)
			if left < k {
				k = left
			}
			for i := uint64(0); i < k; i++ {
				self <- 1
			}
			for i := uint64(0); i < k; i++ {
				ticks += <-self
			}
			left -= k
		}
		done <- ticks
	}()
	got := <-done
	s := time.Since(t0).Seconds()
	if got != n {
		fail("dispatch: %d ticks, want %d", got, n)
	}
	fmt.Printf("dispatch msgs=%d seconds=%.3f ns_per_msg=%.1f workers=1\n",
		n, s, s*1e9/float64(n))
}

type workload struct {
	name     string
	run      func(map[string]uint64, int)
	defaults map[string]uint64
}

var workloads = []workload{
	{"pingpong", pingpong, map[string]uint64{"n": 1000000}},
	{"ring", ring, map[string]uint64{"r": 1000, "h": 10000000}},
	{"counting", counting, map[string]uint64{"n": 10000000}},
	{"fanin", fanin, map[string]uint64{"s": 64, "m": 100000}},
	{"skynet", skynet, map[string]uint64{"n": 1000000}},
	{"spawn", spawn, map[string]uint64{"n": 1000000}},
	{"idle_memory", idleMemory, map[string]uint64{"n": 1000000}},
	{"ask", ask, map[string]uint64{"n": 1000000}},
	{"call", call, map[string]uint64{"n": 200000}},
	{"restart", restart, map[string]uint64{"n": 100000}},
	{"broker", broker, map[string]uint64{"n": 1000000, "k": 8}},
	{"pool", pool, map[string]uint64{"p": 4, "m": 1000000}},
	{"dispatch", dispatch, map[string]uint64{"n": 10000000}},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: rtbench-go [--workers N] [WORKLOAD [key=value...]]...")
	os.Exit(2)
}

func main() {
	args := os.Args[1:]
	workers := runtime.NumCPU()
	if len(args) >= 2 && args[0] == "--workers" {
		w, err := strconv.Atoi(args[1])
		if err != nil || w < 1 {
			usage()
		}
		workers = w
		args = args[2:]
	}
	runtime.GOMAXPROCS(workers)
	var todo []workload
	var params []map[string]uint64
	for len(args) > 0 {
		var w *workload
		for i := range workloads {
			if workloads[i].name == args[0] {
				w = &workloads[i]
			}
		}
		if w == nil {
			usage()
		}
		p := map[string]uint64{}
		for k, v := range w.defaults {
			p[k] = v
		}
		for args = args[1:]; len(args) > 0 && strings.Contains(args[0], "="); args = args[1:] {
			kv := strings.SplitN(args[0], "=", 2)
			k := strings.ToLower(kv[0])
			v, err := strconv.ParseUint(kv[1], 10, 64)
			if _, ok := p[k]; !ok || err != nil || v == 0 {
				usage()
			}
			p[k] = v
		}
		todo = append(todo, *w)
		params = append(params, p)
	}
	if len(todo) == 0 {
		for _, w := range workloads {
			todo = append(todo, w)
			params = append(params, w.defaults)
		}
	}
	for i, w := range todo {
		w.run(params[i], workers)
		runtime.GC()
	}
}
