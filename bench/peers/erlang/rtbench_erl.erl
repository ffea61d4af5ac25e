%% rtbench peer in Erlang/OTP: the workloads of BENCHMARKS.md with plain
%% processes and messages, printing the same lines as bench/rtbench.
%%
%%   rtbench-erl --workers N WORKLOAD [key=value...]...
%%
%% (a wrapper for: erl -noshell +S N:N +P 4000000 -run rtbench_erl main
%%  -extra ARGS; workers = schedulers online).
-module(rtbench_erl).
-export([main/0]).

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

all() -> [pingpong, ring, counting, fanin, skynet, spawn, idle_memory, dispatch].

defaults(pingpong) -> #{n => 1000000};
defaults(ring) -> #{r => 1000, h => 10000000};
defaults(counting) -> #{n => 10000000};
defaults(fanin) -> #{s => 64, m => 100000};
defaults(skynet) -> #{n => 1000000};
defaults(spawn) -> #{n => 1000000};
defaults(idle_memory) -> #{n => 1000000};
defaults(dispatch) -> #{n => 10000000}.

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
