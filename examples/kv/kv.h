/* SPDX-License-Identifier: MIT */
/*
 * The C types kv.rtp's fields name. The generated kv.rtp.h includes this
 * before it declares anything, so only names are given here: what is in
 * them is the business of the files that use them (server.h).
 */
#ifndef KV_KV_H
#define KV_KV_H

struct kv_shard;  /* a Shard's keys and scratch space (shard.c) */
struct kv_conn;   /* a Conn's buffers and commands in flight (conn.c) */
struct kv_server; /* the settings and every Shard's ref (server.h) */

#endif
