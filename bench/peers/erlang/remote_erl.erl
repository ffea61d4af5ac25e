%% SPDX-License-Identifier: MIT
%% Erlang distribution peer of bench/node.sh: the two remote workloads
%% between two Erlang nodes on loopback, printing the same lines as
%% natsbench and rt's node benchmark.
%%
%%   node B: erl -name B ... -run remote_erl serve
%%   node A: erl -name A ... -run remote_erl main -extra B rtt N [send|call]
%%                                             -extra B oneway N
%%
%% (bench/peers/erlang/node-erl starts both, and a private epmd.)
%%
%% The message is the size of a small message with a string and a bytes
%% field: {msg, I, <<"a string">>, <<1,...,8>>}.
%%
%% rtt: a process on A makes N sequential round trips to a process on B,
%% which answers each with the message it got; each answer is checked.
%%   send  plain send and selective receive on a fresh reference, the
%%         bare request/reply of Erlang (as rtbench_erl's `ask`);
%%   call  gen_server:call, which also monitors the server for each call
%%         (two more distribution signals), as OTP's blocking call does.
%% oneway: A sends N messages to a process on B, which counts them and
%% checks their order, then asks for the count; the time runs from the
%% first send to the count's arrival, and the count must be N.
%%
%% The process on A is found by name once (as rt looks a name up once)
%% and then addressed by pid.
-module(remote_erl).
-export([main/0, serve/0]).
-behaviour(gen_server).
-export([init/1, handle_call/3, handle_cast/2]).

-define(STR, <<"a string">>).
-define(BYTES, <<1, 2, 3, 4, 5, 6, 7, 8>>).
-define(REPLY_MS, 5000).
-define(READY_MS, 10000).

%% --- node B -----------------------------------------------------------------

serve() ->
    register(echo, spawn(fun echo/0)),
    register(sink, spawn(fun() -> sink(0, 0) end)),
    {ok, _} = gen_server:start({local, echo_gs}, ?MODULE, [], []),
    ok.

echo() ->
    receive
        {From, Ref, Msg} -> From ! {Ref, Msg}
    end,
    echo().

%% sink(Count, Wrong): counts {msg, I, ...} and checks I, answers and
%% resets on {count, From, Ref}.
sink(Count, Wrong) ->
    receive
        {msg, Count, ?STR, ?BYTES} -> sink(Count + 1, Wrong);
        {msg, _, _, _} -> sink(Count + 1, Wrong + 1);
        {count, From, Ref} -> From ! {Ref, Count, Wrong}, sink(0, 0)
    end.

init([]) -> {ok, nil}.
handle_call(Msg, _From, State) -> {reply, Msg, State}.
handle_cast(_, State) -> {noreply, State}.

%% --- node A -----------------------------------------------------------------

main() ->
    case init:get_plain_arguments() of
        [Peer, "rtt", N | Mode] when Mode =:= []; Mode =:= ["send"];
                                     Mode =:= ["call"] ->
            run(list_to_atom(Peer), rtt, count(N), mode(Mode));
        [Peer, "oneway", N] ->
            run(list_to_atom(Peer), oneway, count(N), send);
        _ -> usage()
    end.

mode([]) -> send;
mode([M]) -> list_to_atom(M).

count(S) ->
    try list_to_integer(S) of
        N when N > 0 -> N;
        _ -> usage()
    catch error:badarg -> usage()
    end.

usage() ->
    io:format(standard_error, "usage: remote_erl PEER rtt N [send|call]~n"
              "       remote_erl PEER oneway N~n", []),
    halt(2).

fail(Fmt, Args) ->
    io:format(standard_error, "remote_erl: " ++ Fmt ++ "~n", Args),
    halt(1).

now_ns() -> erlang:monotonic_time(nanosecond).

run(Peer, W, N, Mode) ->
    Deadline = now_ns() + ?READY_MS * 1000000,
    Name = case {W, Mode} of
               {rtt, send} -> echo;
               {rtt, call} -> echo_gs;
               {oneway, _} -> sink
           end,
    Pid = find(Peer, Name, Deadline),
    T0 = now_ns(),
    case W of
        rtt when Mode =:= send -> rtt_send(Pid, 0, N);
        rtt -> rtt_call(Pid, 0, N);
        oneway -> oneway(Pid, N)
    end,
    S = (now_ns() - T0) / 1.0e9,
    case W of
        rtt ->
            io:format("remote_rtt msgs=~B seconds=~.3f ns_per_roundtrip=~.1f "
                      "side=erlang mode=~s~n", [N, S, S * 1.0e9 / N, Mode]);
        oneway ->
            io:format("remote_oneway msgs=~B seconds=~.3f msgs_per_sec=~B "
                      "side=erlang mode=~s~n", [N, S, round(N / S), Mode])
    end,
    halt(0).

%% find: the pid of Name on Peer, once Peer is up and has registered it.
find(Peer, Name, Deadline) ->
    Found = case net_kernel:connect_node(Peer) of
                true -> rpc:call(Peer, erlang, whereis, [Name]);
                _ -> undefined
            end,
    case Found of
        Pid when is_pid(Pid) -> Pid;
        _ ->
            now_ns() < Deadline orelse fail("no ~s on ~s", [Name, Peer]),
            timer:sleep(20),
            find(Peer, Name, Deadline)
    end.

rtt_send(_, N, N) -> ok;
rtt_send(Echo, I, N) ->
    Msg = {msg, I, ?STR, ?BYTES},
    Ref = make_ref(),
    Echo ! {self(), Ref, Msg},
    receive
        {Ref, Msg} -> rtt_send(Echo, I + 1, N);
        {Ref, Other} -> fail("reply ~B is not its request: ~p", [I, Other])
    after ?REPLY_MS -> fail("no reply to request ~B", [I])
    end.

rtt_call(_, N, N) -> ok;
rtt_call(Server, I, N) ->
    Msg = {msg, I, ?STR, ?BYTES},
    case gen_server:call(Server, Msg, ?REPLY_MS) of
        Msg -> rtt_call(Server, I + 1, N);
        Other -> fail("reply ~B is not its request: ~p", [I, Other])
    end.

oneway(Sink, N) ->
    send_n(Sink, 0, N),
    Ref = make_ref(),
    Sink ! {count, self(), Ref},
    receive
        {Ref, N, 0} -> ok;
        {Ref, Count, Wrong} ->
            fail("the peer counted ~B of ~B messages, ~B out of order",
                 [Count, N, Wrong])
    after ?REPLY_MS + N div 1000 -> fail("no answer to the count", [])
    end.

send_n(_, N, N) -> ok;
send_n(Sink, I, N) ->
    Sink ! {msg, I, ?STR, ?BYTES},
    send_n(Sink, I + 1, N).
