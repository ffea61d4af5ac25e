%% rtbench peer in Erlang/OTP: the workloads of doc/benchmarks.md with
%% plain processes and messages, printing the same lines as bench/rtbench.
%%
%%   rtbench-erl --workers N WORKLOAD [key=value...]...
%%
%% (a wrapper for: erl -noshell +S N:N +P 4000000 -run rtbench_erl main
%%  -extra ARGS; workers = schedulers online).
-module(rtbench_erl).
-export([main/0]).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).
%% init/1 also serves `restart`'s supervisor (a supervisor callback module
%% needs only init/1), so that the peer stays one file.

-define(BATCH, 1000).

main() ->
    Args = init:get_plain_arguments(),
    Rest = case Args of
               ["--workers", _ | R] -> R;
               R -> R
           end,
    Workers = erlang:system_info(schedulers_online),
    Jobs = parse(Rest),
    Todo = case Jobs of
               [] -> [{W, defaults(W)} || W <- all()];
               _ -> Jobs
           end,
    [run(W, P, Workers) || {W, P} <- Todo],
    halt(0).

all() -> [pingpong, ring, counting, fanin, skynet, spawn, idle_memory, ask, call,
          restart, broker, dispatch, pool].

defaults(pingpong) -> #{n => 1000000};
defaults(ring) -> #{r => 1000, h => 10000000};
defaults(counting) -> #{n => 10000000};
defaults(fanin) -> #{s => 64, m => 100000};
defaults(skynet) -> #{n => 1000000};
defaults(spawn) -> #{n => 1000000};
defaults(idle_memory) -> #{n => 1000000};
defaults(ask) -> #{n => 1000000};
defaults(call) -> #{n => 200000};
defaults(restart) -> #{n => 100000};
defaults(broker) -> #{n => 1000000, k => 8};
defaults(dispatch) -> #{n => 10000000};
defaults(pool) -> #{p => 4, m => 1000000}.

parse([]) -> [];
parse([Name | T]) ->
    W = list_to_atom(Name),
    lists:member(W, all()) orelse usage(),
    {KVs, Rest} = lists:splitwith(fun(A) -> lists:member($=, A) end, T),
    P = lists:foldl(
          fun(KV, Acc) ->
                  [K, V] = string:split(KV, "="),
                  Key = list_to_atom(string:lowercase(K)),
                  maps:is_key(Key, Acc) orelse usage(),
                  maps:put(Key, list_to_integer(V), Acc)
          end, defaults(W), KVs),
    [{W, P} | parse(Rest)].

usage() ->
    io:format(standard_error,
              "usage: rtbench-erl [--workers N] [WORKLOAD [key=value...]]...~n", []),
    halt(2).

fail(Fmt, Args) ->
    io:format(standard_error, Fmt ++ "~n", Args),
    halt(1).

now_ns() -> erlang:monotonic_time(nanosecond).
secs(T0) -> (now_ns() - T0) / 1.0e9.

run(W, P, Workers) -> bench(W, P, Workers), garbage_collect().

%% pingpong: two processes bounce one ball N round trips.
bench(pingpong, #{n := N}, Workers) ->
    Main = self(),
    Player = fun Loop(Hits) ->
                     receive
                         {peer, Peer} -> put(peer, Peer), Loop(Hits);
                         {ball, 1} -> get(peer) ! quit, Main ! {hits, Hits + 1};
                         {ball, Left} -> get(peer) ! {ball, Left - 1}, Loop(Hits + 1);
                         quit -> Main ! {hits, Hits}
                     end
             end,
    A = spawn(fun() -> Player(0) end),
    B = spawn(fun() -> Player(0) end),
    T0 = now_ns(),
    B ! {peer, A},
    A ! {peer, B},
    A ! {ball, 2 * N},
    H = receive {hits, X} -> X end + receive {hits, Y} -> Y end,
    S = secs(T0),
    H =:= 2 * N orelse fail("pingpong: ~p hits, want ~p", [H, 2 * N]),
    io:format("pingpong msgs=~B seconds=~.3f ns_per_msg=~.1f workers=~B~n",
              [2 * N, S, S * 1.0e9 / (2 * N), Workers]);

%% ring: R processes in a ring pass one token H hops; the node that gets
%% 0 sends halt round the ring.
bench(ring, #{r := R, h := H}, Workers) ->
    Main = self(),
    Node = fun Loop(Next, Hops) ->
                   receive
                       {link, N} -> Loop(N, Hops);
                       {token, 0} -> Next ! halt, Main ! {hops, Hops};
                       {token, L} -> Next ! {token, L - 1}, Loop(Next, Hops + 1);
                       halt -> Next ! halt, Main ! {hops, Hops}
                   end
           end,
    Pids = [spawn(fun() -> Node(none, 0) end) || _ <- lists:seq(1, R)],
    [First | _] = Pids,
    lists:foreach(fun({P, N}) -> P ! {link, N} end,
                  lists:zip(Pids, tl(Pids) ++ [First])),
    T0 = now_ns(),
    First ! {token, H},
    Total = lists:foldl(fun(_, Acc) -> receive {hops, X} -> Acc + X end end,
                        0, Pids),
    S = secs(T0),
    Total =:= H orelse fail("ring: ~p hops, want ~p", [Total, H]),
    io:format("ring actors=~B hops=~B seconds=~.3f ns_per_hop=~.1f workers=~B~n",
              [R, H, S, S * 1.0e9 / H, Workers]);

%% counting: a producer sends N incs, then asks for the count.
bench(counting, #{n := N}, Workers) ->
    Main = self(),
    Counter = spawn(fun() -> counter(0) end),
    Producer = spawn(fun() ->
                             receive go -> ok end,
                             send_n(Counter, inc, N),
                             Counter ! {get, self()},
                             receive {count, C} -> Main ! {result, C} end
                     end),
    T0 = now_ns(),
    Producer ! go,
    Got = receive {result, C} -> C end,
    S = secs(T0),
    Got =:= N orelse fail("counting: count ~p, want ~p", [Got, N]),
    io:format("counting msgs=~B seconds=~.3f msgs_per_sec=~B workers=~B~n",
              [N, S, round(N / S), Workers]);

%% fanin: S senders each send M items then done to one receiver.
bench(fanin, #{s := Snd, m := M}, Workers) ->
    Main = self(),
    Recv = spawn(fun() -> receiver(Snd, 0, 0, Main) end),
    Senders = [spawn(fun() ->
                             receive go -> ok end,
                             send_n(Recv, item, M),
                             Recv ! {done, M}
                     end) || _ <- lists:seq(1, Snd)],
    T0 = now_ns(),
    [P ! go || P <- Senders],
    {Items, Claimed} = receive {fanin, I, C} -> {I, C} end,
    S = secs(T0),
    (Items =:= Snd * M andalso Claimed =:= Snd * M) orelse
        fail("fanin: ~p items (~p claimed), want ~p", [Items, Claimed, Snd * M]),
    io:format("fanin senders=~B msgs=~B seconds=~.3f msgs_per_sec=~B workers=~B~n",
              [Snd, Snd * M, S, round(Snd * M / S), Workers]);

%% skynet: the classic process tree.
bench(skynet, #{n := Leaves}, Workers) ->
    Actors = skynet_count(Leaves, 1, 0),
    Want = Leaves * (Leaves - 1) div 2,
    Main = self(),
    T0 = now_ns(),
    spawn(fun() -> skynet(Main, 0, Leaves) end),
    Got = receive {sum, X} -> X end,
    S = secs(T0),
    Got =:= Want orelse fail("skynet: sum ~p, want ~p", [Got, Want]),
    io:format("skynet actors=~B sum=~B seconds=~.3f ms=~.1f ns_per_actor=~.1f workers=~B~n",
              [Actors, Want, S, S * 1.0e3, S * 1.0e9 / Actors, Workers]);

%% spawn: N processes that exit at once; each sends main a 'bye' as it
%% goes (main keeps its queue off-heap, as a process that collects many
%% messages should), and main waits for N of them.
bench(spawn, #{n := N}, Workers) ->
    Main = self(),
    process_flag(message_queue_data, off_heap),
    T0 = now_ns(),
    spawn_n(N, fun() -> Main ! bye end),
    wait_n(N, bye),
    S = secs(T0),
    io:format("spawn actors=~B seconds=~.3f ns_per_actor=~.1f workers=~B~n",
              [N, S, S * 1.0e9 / N, Workers]);

%% idle_memory: N processes waiting in receive; VmRSS growth per process.
bench(idle_memory, #{n := N}, Workers) ->
    Main = self(),
    process_flag(message_queue_data, off_heap),
    garbage_collect(),
    Before = rss_kb(),
    Pids = [spawn(fun() -> Main ! up, receive halt -> Main ! bye end end)
            || _ <- lists:seq(1, N)],
    wait_n(N, up),
    After = rss_kb(),
    [P ! halt || P <- Pids],
    wait_n(N, bye),
    io:format("idle_memory actors=~B rss_kb=~B bytes_per_actor=~.1f workers=~B~n",
              [N, After - Before, (After - Before) * 1024 / N, Workers]);

%% ask: a client process makes N sequential asks to a server process,
%% which answers each request I with I + 1; the client checks the sum.
%% The ask is the bare Erlang request/reply: a fresh reference tags the
%% request and a selective receive waits on it (the compiler sees the ref
%% made just before the receive and skips the messages already queued, so
%% the receive costs O(1)). gen_server:call is this same exchange plus a
%% monitor on the server, and it is what `call` below measures.
bench(ask, #{n := N}, Workers) ->
    Main = self(),
    Server = spawn(fun ask_server/0),
    Client = spawn(fun() ->
                           receive go -> ok end,
                           Main ! {sum, ask_n(Server, 0, N, 0)}
                   end),
    T0 = now_ns(),
    Client ! go,
    Got = receive {sum, X} -> X end,
    S = secs(T0),
    exit(Server, kill),
    Want = N * (N + 1) div 2,
    Got =:= Want orelse fail("ask: sum ~p, want ~p", [Got, Want]),
    io:format("ask roundtrips=~B seconds=~.3f ns_per_roundtrip=~.1f workers=~B~n",
              [N, S, S * 1.0e9 / N, Workers]);

%% call: N sequential blocking calls to a server. Erlang has no thread
%% outside its processes, so the caller is the calling process itself (the
%% one running the benchmark), and the blocking call is OTP's:
%% gen_server:call, which monitors the server so that the caller fails
%% rather than hangs if it dies, as a blocking call from outside must.
bench(call, #{n := N}, Workers) ->
    {ok, Server} = gen_server:start(?MODULE, [], []),
    T0 = now_ns(),
    Got = call_n(Server, 0, N, 0),
    S = secs(T0),
    gen_server:stop(Server),
    Want = N * (N + 1) div 2,
    Got =:= Want orelse fail("call: sum ~p, want ~p", [Got, Want]),
    io:format("call roundtrips=~B seconds=~.3f ns_per_roundtrip=~.1f workers=~B~n",
              [N, S, S * 1.0e9 / N, Workers]);

%% restart: an OTP supervisor (one_for_one, intensity N + 10 within 1 s, a
%% limit it never reaches) with one permanent gen_server worker, registered
%% as rtbench_worker, that crashes on every message. An Erlang process's
%% mailbox dies with it (unlike an rt actor's), so a message cast while the
%% worker is down is lost: the client (the process running the benchmark)
%% casts one message, then waits until the restarted worker's init has
%% announced itself ({up, Pid}, a new pid) before it casts the next (it
%% monitors the supervisor, to fail rather than hang if it gave up). Every
%% init also counts itself, and the supervisor's child at the end must be
%% the last one announced. OTP's supervisor keeps the times of the restarts
%% within its period in a list that it copies and walks on every restart,
%% so a restart costs more the more restarts the last 1-2 s held. The three
%% reports OTP logs for each crash (gen_server's, proc_lib's and the
%% supervisor's) are turned off for the run: formatting them would be most
%% of the cost, and stdout is for the result line only.
bench(restart, #{n := N}, Workers) ->
    #{level := Level} = logger:get_primary_config(),
    ok = logger:set_primary_config(level, none),
    Inits = counters:new(1, []),
    {ok, Sup} = supervisor:start_link(?MODULE, {restart_sup, N, self(), Inits}),
    [{worker, First, worker, _}] = supervisor:which_children(Sup),
    receive {up, First} -> ok end,
    Mon = monitor(process, Sup),
    T0 = now_ns(),
    Last = restart_n(First, N, Mon),
    S = secs(T0),
    demonitor(Mon, [flush]),
    [{worker, Current, worker, _}] = supervisor:which_children(Sup),
    ok = gen_server:stop(Sup),
    ok = logger:set_primary_config(level, Level),
    Restarts = counters:get(Inits, 1) - 1,
    Restarts =:= N orelse fail("restart: ~p restarts, want ~p", [Restarts, N]),
    Current =:= Last orelse fail("restart: the supervisor's child ~p is not "
                                 "the last one started, ~p", [Current, Last]),
    io:format("restart restarts=~B seconds=~.3f us_per_restart=~.2f workers=~B~n",
              [N, S, S * 1.0e6 / N, Workers]);

%% broker: a publisher publishes N messages (1..N) on a topic with K
%% subscribers, then an end marker; each subscriber checks it got N
%% messages summing to N(N+1)/2 and reports, and the publisher finishes
%% when all K have reported. The topic is a pg group (OTP 23+, the
%% standard process groups): subscribers join it, and each publish sends to
%% pg:get_members/2, a lookup in pg's ETS table, so a subscriber joining or
%% leaving is seen by the next publish, as it would be through a broker.
bench(broker, #{n := N, k := K}, Workers) ->
    Scope = rtbench_broker,
    {ok, PgPid} = pg:start(Scope),
    Main = self(),
    Want = N * (N + 1) div 2,
    Subs = [spawn(fun() ->
                          ok = pg:join(Scope, topic, self()),
                          Main ! joined,
                          subscriber(Main, Want, N, 0, 0)
                  end) || _ <- lists:seq(1, K)],
    wait_n(K, joined),
    T0 = now_ns(),
    publish_n(Scope, topic, 1, N),
    [P ! {pub, done} || P <- pg:get_members(Scope, topic)],
    Bad = lists:foldl(fun(_, Acc) -> receive {sub, R} -> Acc + R end end,
                      0, Subs),
    S = secs(T0),
    Bad =:= 0 orelse fail("broker: ~p of ~p subscribers got the wrong "
                          "messages", [Bad, K]),
    exit(PgPid, kill),
    io:format("broker msgs=~B subscribers=~B deliveries=~B seconds=~.3f "
              "ns_per_delivery=~.1f workers=~B~n",
              [N, K, N * K, S, S * 1.0e9 / (N * K), Workers]);

%% pool: P producers each send M tasks to 8 workers: straight to the
%% workers in turn (plain), or through a process that round-robins them
%% (Erlang's idiom for a pool without a library); then main asks each
%% worker how many it handled.
bench(pool, #{p := Np, m := M}, Workers) ->
    Plain = pool_run(Np, M, plain),
    RR = pool_run(Np, M, router),
    N = Np * M,
    PlainNs = Plain * 1.0e9 / N,
    RRNs = RR * 1.0e9 / N,
    io:format("pool producers=~B members=8 msgs=~B seconds=~.3f "
              "plain_ns_per_msg=~.1f round_robin_ns_per_msg=~.1f "
              "round_robin_adds_ns=~.1f workers=~B~n",
              [Np, N, Plain + RR, PlainNs, RRNs, RRNs - PlainNs, Workers]);

%% dispatch: one scheduler, one process sending itself batches of B ticks
%% and receiving them.
bench(dispatch, #{n := N}, _Workers) ->
    Old = erlang:system_flag(schedulers_online, 1),
    Main = self(),
    T0 = now_ns(),
    spawn(fun() -> Main ! {ticks, looper(N, 0)} end),
    Got = receive {ticks, X} -> X end,
    S = secs(T0),
    erlang:system_flag(schedulers_online, Old),
    Got =:= N orelse fail("dispatch: ~p ticks, want ~p", [Got, N]),
    io:format("dispatch msgs=~B seconds=~.3f ns_per_msg=~.1f workers=1~n",
              [N, S, S * 1.0e9 / N]).

ask_server() ->
    receive
        {ask, From, Ref, I} -> From ! {Ref, I + 1}, ask_server()
    end.

ask_n(_, N, N, Sum) -> Sum;
ask_n(Server, I, N, Sum) ->
    Ref = make_ref(),
    Server ! {ask, self(), Ref, I},
    receive
        {Ref, R} -> ask_n(Server, I + 1, N, Sum + R)
    end.

call_n(_, N, N, Sum) -> Sum;
call_n(Server, I, N, Sum) ->
    call_n(Server, I + 1, N, Sum + gen_server:call(Server, I, infinity)).

restart_n(Worker, 0, _) -> Worker;
restart_n(Worker, K, Mon) ->
    gen_server:cast(rtbench_worker, crash),
    receive
        {up, Worker} -> fail("restart: ~p announced itself twice", [Worker]);
        {up, New} -> restart_n(New, K - 1, Mon);
        {'DOWN', Mon, process, _, Why} ->
            fail("restart: the supervisor gave up (~p)", [Why])
    end.

%% The gen_server of `call`: replies I + 1 to I.
init([]) -> {ok, nostate};
%% `restart`'s supervisor: one permanent worker, this module's gen_server.
init({restart_sup, N, Client, Inits}) ->
    Worker = #{id => worker,
               start => {gen_server, start_link,
                         [{local, rtbench_worker}, ?MODULE,
                          {restart_worker, Client, Inits}, []]},
               restart => permanent, shutdown => 1000, type => worker},
    {ok, {#{strategy => one_for_one, intensity => N + 10, period => 1},
          [Worker]}};
%% `restart`'s worker: counts its start, tells the client it is up, and
%% crashes on the first message it gets.
init({restart_worker, Client, Inits}) ->
    counters:add(Inits, 1, 1),
    Client ! {up, self()},
    {ok, fresh}.
handle_call(I, _From, State) -> {reply, I + 1, State}.
handle_cast(crash, fresh) -> error(crash);
handle_cast(_, State) -> {noreply, State}.

subscriber(Main, Want, N, Count, Sum) ->
    receive
        {pub, done} ->
            Ok = Count =:= N andalso Sum =:= Want,
            Ok orelse io:format(standard_error,
                                "broker: subscriber got ~p messages summing to ~p, "
                                "want ~p and ~p~n", [Count, Sum, N, Want]),
            Main ! {sub, if Ok -> 0; true -> 1 end};
        {pub, I} -> subscriber(Main, Want, N, Count + 1, Sum + I)
    end.

publish_n(_, _, I, N) when I > N -> ok;
publish_n(Scope, Topic, I, N) ->
    [P ! {pub, I} || P <- pg:get_members(Scope, Topic)],
    publish_n(Scope, Topic, I + 1, N).

counter(C) ->
    receive
        inc -> counter(C + 1);
        {get, From} -> From ! {count, C}
    end.

receiver(0, Items, Claimed, Main) -> Main ! {fanin, Items, Claimed};
receiver(Left, Items, Claimed, Main) ->
    receive
        item -> receiver(Left, Items + 1, Claimed, Main);
        {done, K} -> receiver(Left - 1, Items, Claimed + K, Main)
    end.

pool_run(Np, M, How) ->
    Main = self(),
    Ws = list_to_tuple([spawn(fun() -> pool_worker(0) end) || _ <- lists:seq(1, 8)]),
    Router = case How of
                 router -> spawn(fun() -> pool_router(Ws, 0) end);
                 plain -> none
             end,
    Ps = [spawn(fun() ->
                        receive go -> ok end,
                        case Router of
                            none -> send_turns(Ws, 0, M);
                            _ -> send_n(Router, task, M)
                        end,
                        Main ! produced
                end) || _ <- lists:seq(1, Np)],
    T0 = now_ns(),
    [P ! go || P <- Ps],
    wait_n(Np, produced),
    %% The router forwards what it has before it answers, in order.
    case Router of
        none -> ok;
        _ -> Router ! {flush, Main}, receive flushed -> ok end
    end,
    Got = lists:sum([begin W ! {tally, Main}, receive {tallied, K} -> K end end
                     || W <- tuple_to_list(Ws)]),
    S = secs(T0),
    [exit(W, kill) || W <- tuple_to_list(Ws)],
    Router =/= none andalso exit(Router, kill),
    Got =:= Np * M orelse fail("pool: ~p tasks handled, want ~p", [Got, Np * M]),
    S.

pool_worker(K) ->
    receive
        task -> pool_worker(K + 1);
        {tally, From} -> From ! {tallied, K}, pool_worker(0)
    end.

pool_router(Ws, I) ->
    receive
        task -> element(I + 1, Ws) ! task, pool_router(Ws, (I + 1) rem 8);
        {flush, From} -> From ! flushed, pool_router(Ws, I)
    end.

send_turns(_, _, 0) -> ok;
send_turns(Ws, I, K) -> element(I + 1, Ws) ! task, send_turns(Ws, (I + 1) rem 8, K - 1).

send_n(_, _, 0) -> ok;
send_n(To, Msg, K) -> To ! Msg, send_n(To, Msg, K - 1).

spawn_n(0, _) -> ok;
spawn_n(K, F) -> spawn(F), spawn_n(K - 1, F).

wait_n(0, _) -> ok;
wait_n(K, Tag) -> receive Tag -> wait_n(K - 1, Tag) end.

skynet_count(Leaves, L, Acc) when L >= Leaves ->
    L =:= Leaves orelse fail("skynet: n=~p leaves is not a power of 10", [Leaves]),
    Acc + Leaves;
skynet_count(Leaves, L, Acc) -> skynet_count(Leaves, L * 10, Acc + L).

skynet(Parent, Ordinal, 1) -> Parent ! {sum, Ordinal};
skynet(Parent, Ordinal, Size) ->
    Sub = Size div 10,
    Self = self(),
    [spawn(fun() -> skynet(Self, Ordinal + I * Sub, Sub) end) || I <- lists:seq(0, 9)],
    Parent ! {sum, skynet_collect(10, 0)}.

skynet_collect(0, Sum) -> Sum;
skynet_collect(K, Sum) -> receive {sum, X} -> skynet_collect(K - 1, Sum + X) end.

looper(0, Ticks) -> Ticks;
looper(Left, Ticks) ->
    K = min(Left, ?BATCH),
    send_n(self(), tick, K),
    looper(Left - K, Ticks + recv_ticks(K, 0)).

recv_ticks(0, Acc) -> Acc;
recv_ticks(K, Acc) -> receive tick -> recv_ticks(K - 1, Acc + 1) end.

rss_kb() ->
    {ok, Bin} = file:read_file("/proc/self/status"),
    [Line] = [L || L <- string:split(binary_to_list(Bin), "\n", all),
                   lists:prefix("VmRSS:", L)],
    [_, V | _] = string:lexemes(Line, " \t"),
    list_to_integer(V).
