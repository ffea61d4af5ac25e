/* SPDX-License-Identifier: MIT */
/*
 * Semantic checks of a parsed unit: the protocol declaration, unique names,
 * what `accepts`, `ref<>` and `on` refer to, duplicate clauses and fields,
 * and generated C names that would collide. Every problem is reported (not
 * just the first), each at its location, with a "did you mean" when an
 * unknown name is close to a known one.
 */
#ifndef RT_SEMA_H
#define RT_SEMA_H

#include "ast.h"
#include "diag.h"

/*
 * sema_check: check `unit`, reporting to `d`. On success (0 errors) the
 * resolution fields of the AST are filled in (ast_decl.accepts, .state,
 * .init, .hooks, .tag, ast_type.target, ast_unit.protocol) and the emitters
 * may run. Returns the number of errors found.
 */
unsigned sema_check(ast_unit *unit, diag *d);

#endif
