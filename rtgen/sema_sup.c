/* SPDX-License-Identifier: MIT */
/*
 * Supervisors: their clauses (each at most once, strategies and restart
 * policies by name, restart limits and backoffs that make sense), their
 * children (unique names, a kind that is an actor or a supervisor, here
 * or imported, arguments that are literal values of the child's `init`
 * fields), what goes with simple_one_for_one (one template, no children),
 * and, once every supervisor is checked, supervision cycles.
 *
 * A child's arguments take literals of its field's type: integers in the
 * field's range (decimal or hex, negative for signed types), reals for
 * f32 and f64 (integers too), true or false, strings, enum values by name,
 * and durations for an i64 field (as nanoseconds, what rt_duration
 * counts). Fields of other types (bytes, refs, C types, nested messages,
 * arrays) cannot be given: like the fields left out, they start zeroed.
 */
#include "sema_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const strategy_names[] = { "one_for_one", "one_for_all",
	"rest_for_one", "simple_one_for_one" };
static const char *const restart_names[] = { "permanent", "transient",
	"temporary" };

#define NSTRATEGIES (sizeof(strategy_names) / sizeof(*strategy_names))
#define NRESTARTS (sizeof(restart_names) / sizeof(*restart_names))

/* The defaults of DESIGN.md §2, which are OTP's: at most 3 restarts in
 * 5 seconds, 5 seconds to shut down. */
#define DEFAULT_INTENSITY 3
#define DEFAULT_PERIOD UINT64_C(5000000000)
#define DEFAULT_SHUTDOWN INT64_C(5000000000)

/* Names a child cannot take: its lookup P_S_name would be one of the
 * supervisor's other C names. */
static const char *const reserved_children[] = { "ref", "spec", "start",
	"start_child", "children", "terminate_child", "restart_child",
	"which_children" };

/*
 * The duration `d` of a `what` clause in nanoseconds (-1: infinity, when
 * `infinity` allows it), or false after reporting what is wrong with it.
 */
static bool
duration(struct sema *s, const ast_dur *d, const char *what, bool infinity,
    int64_t *ns)
{
	char buf[256];

	if (d->name != NULL) {
		const char *inf = "infinity";

		if (infinity && strcmp(d->name, inf) == 0) {
			*ns = -1;
			return true;
		}
		diag_error(s->d, d->loc,
		    "'%s' is not a duration (%s takes a "
		    "number with a unit: us, ms, s or m%s)%s",
		    d->name, what, infinity ? ", or 'infinity'" : "",
		    sema_did_you_mean(buf, sizeof(buf),
			infinity ? sema_closest(&inf, 1, d->name) : NULL));
		return false;
	}
	if (d->unitless) {
		diag_error(s->d, d->loc,
		    "duration '%" PRIu64 "' has no unit "
		    "(write %" PRIu64 "s, %" PRIu64 "ms, ...: durations take "
		    "us, ms, s or m)",
		    d->ns, d->ns, d->ns);
		return false;
	}
	*ns = (int64_t)d->ns;
	return true;
}

/* The index of `name` among `n` names, or n after reporting it unknown
 * (`what`: "strategy") with a "did you mean" or the list (`all`). */
size_t
sema_named(struct sema *s, const ast_name *name, const char *const *names,
    size_t n, const char *what, const char *all)
{
	const char *near;
	char buf[256];
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(name->name, names[i]) == 0)
			return i;
	near = sema_closest(names, n, name->name);
	diag_error(s->d, name->loc, "unknown %s '%s'%s%s%s%s", what, name->name,
	    sema_did_you_mean(buf, sizeof(buf), near), near == NULL ? " (" : "",
	    near == NULL ? all : "", near == NULL ? ")" : "");
	return n;
}

/* `intensity N within D`: a limit the runtime can count to, over a
 * window that is not empty. */
void
sema_check_intensity(struct sema *s, ast_decl *sup, const ast_clause *c)
{
	int64_t period;

	if (!duration(s, &c->dur, "'within'", false, &period))
		return;
	if (c->bound > UINT32_MAX) {
		diag_error(s->d, c->bound_loc,
		    "intensity %" PRIu64 " is too "
		    "large (the limit is %" PRIu32 " restarts)",
		    c->bound, UINT32_MAX);
		return;
	}
	if (period == 0) {
		diag_error(s->d, c->dur.loc,
		    c->bound == 0 ?
			"'intensity 0 "
			"within 0' is no restart limit (for a supervisor that "
			"never restarts, give a period: 'intensity 0 within 1s')" :
			"a restart limit needs a period longer than zero (%" PRIu64
			" restarts within no time at all)",
		    c->bound);
		return;
	}
	sup->intensity = (uint32_t)c->bound;
	sup->period = (uint64_t)period;
}

/* `backoff MIN .. MAX`: from MIN, doubling, up to MAX. */
static void
check_backoff(struct sema *s, ast_decl *sup, const ast_clause *c)
{
	char a[64], b[64];
	int64_t lo, hi;
	/* Both checked, so that both are reported. */
	bool lo_ok = duration(s, &c->dur, "'backoff'", false, &lo);
	bool hi_ok = duration(s, &c->dur2, "'backoff'", false, &hi);

	if (!lo_ok || !hi_ok)
		return;
	if (lo > hi) {
		diag_error(s->d, c->dur.loc,
		    "backoff from %s to %s: the "
		    "first delay must not be longer than the last",
		    ast_duration_text(a, sizeof(a), (uint64_t)lo),
		    ast_duration_text(b, sizeof(b), (uint64_t)hi));
		return;
	}
	if (lo == 0 && hi > 0) {
		diag_error(s->d, c->dur.loc,
		    "backoff cannot start at 0 (it "
		    "doubles from the first delay); write 'backoff %s .. %s' "
		    "or leave it out",
		    ast_duration_text(a, sizeof(a),
			(uint64_t)hi / 8 > 0 ? (uint64_t)hi / 8 : 1),
		    ast_duration_text(b, sizeof(b), (uint64_t)hi));
		return;
	}
	sup->backoff_min = (uint64_t)lo;
	sup->backoff_max = (uint64_t)hi;
}

/* What a value of type t is, for errors: "an i32 from -2147483648 to
 * 2147483647", "a bool (true or false)". */
static const char *
expected(const ast_type *t, char *buf, size_t size)
{
	static const struct {
		enum ast_type_kind kind;
		const char *range;
	} ints[] = { { AST_T_I8, "from -128 to 127" },
		{ AST_T_I16, "from -32768 to 32767" },
		{ AST_T_I32, "from -2147483648 to 2147483647" },
		{ AST_T_I64,
		    "from -9223372036854775808 to "
		    "9223372036854775807, or a duration" },
		{ AST_T_U8, "from 0 to 255" }, { AST_T_U16, "from 0 to 65535" },
		{ AST_T_U32, "from 0 to 4294967295" },
		{ AST_T_U64, "from 0 to 18446744073709551615" } };
	size_t i;

	for (i = 0; i < sizeof(ints) / sizeof(*ints); i++)
		if (t->kind == ints[i].kind) {
			snprintf(buf, size, "an integer %s", ints[i].range);
			return buf;
		}
	switch (t->kind) {
	case AST_T_BOOL:
		return "true or false";
	case AST_T_F32:
	case AST_T_F64:
		return "a number";
	case AST_T_STRING:
		return "a string";
	default:
		snprintf(buf, size, "one of the values of enum '%s'", t->name);
		return buf;
	}
}

/* Does integer value a fit in a field of integer kind k? */
static bool
fits(const ast_arg *a, enum ast_type_kind k)
{
	static const struct {
		enum ast_type_kind kind;
		uint64_t max, min; /* min: the largest magnitude below 0 */
	} ranges[] = { { AST_T_I8, 127, 128 }, { AST_T_I16, 32767, 32768 },
		{ AST_T_I32, 2147483647, UINT64_C(2147483648) },
		{ AST_T_I64, INT64_MAX, UINT64_C(9223372036854775808) },
		{ AST_T_U8, 255, 0 }, { AST_T_U16, 65535, 0 },
		{ AST_T_U32, UINT32_MAX, 0 }, { AST_T_U64, UINT64_MAX, 0 } };
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(*ranges); i++)
		if (ranges[i].kind == k)
			return a->negative ? a->num <= ranges[i].min :
					     a->num <= ranges[i].max;
	return false;
}

/* Is the value of argument a one for field f? Report it if not. */
static void
check_value(struct sema *s, const ast_decl *actor, ast_arg *a,
    const ast_field *f)
{
	const ast_type *t = &f->type;
	const ast_decl *e = t->kind == AST_T_NAMED ? t->target : NULL;
	char buf[256], near[256];
	bool ok;

	if (ast_type_failed(t))
		return;
	if (t->array || t->kind == AST_T_BYTES || t->kind == AST_T_REF ||
	    t->kind == AST_T_CTYPE || (e != NULL && e->kind != AST_D_ENUM)) {
		diag_error(s->d, a->loc,
		    "field '%s' of actor '%s' cannot be "
		    "given in a supervisor (only numbers, bools, strings and "
		    "enum values can); left out, it starts zeroed",
		    f->name, actor->name);
		return;
	}
	switch (t->kind) {
	case AST_T_BOOL:
		ok = a->kind == AST_V_NAME &&
		    (strcmp(a->text, "true") == 0 ||
			strcmp(a->text, "false") == 0);
		break;
	case AST_T_F32:
	case AST_T_F64:
		ok = a->kind == AST_V_FLOAT || a->kind == AST_V_INT;
		break;
	case AST_T_STRING:
		ok = a->kind == AST_V_STRING;
		break;
	case AST_T_NAMED:
		ok = false;
		if (a->kind == AST_V_NAME) {
			const ast_name *v;

			for (v = e->values; v != NULL; v = v->next)
				if (strcmp(v->name, a->text) == 0)
					return;
			near[0] = '\0';
			if (diag_printing(s->d)) {
				size_t best = 3;

				for (v = e->values; v != NULL; v = v->next)
					if (diag_distance(a->text, v->name, 2) <
					    best) {
						best = diag_distance(a->text,
						    v->name, 2);
						snprintf(near, sizeof(near),
						    "; did you mean '%s'?",
						    v->name);
					}
			}
			diag_error(s->d, a->value_loc,
			    "enum '%s' has no value "
			    "'%s'%s",
			    e->name, a->text, near);
			return;
		}
		break;
	default:
		ok = (a->kind == AST_V_INT && fits(a, t->kind)) ||
		    (a->kind == AST_V_DURATION && t->kind == AST_T_I64);
		break;
	}
	if (!ok)
		diag_error(s->d, a->value_loc,
		    "bad value for field '%s' of "
		    "actor '%s' (%s %s): expected %s",
		    f->name, actor->name,
		    t->kind == AST_T_NAMED ? "enum" : ast_type_keyword(t->kind),
		    t->kind == AST_T_NAMED ? t->name : "field",
		    expected(t, buf, sizeof(buf)));
}

/* The field of `fields` named `name`, or NULL. */
static const ast_field *
field_named(const ast_field *f, const char *name)
{
	for (; f != NULL; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* The closest field name of `f` to `name`, or NULL. */
static const char *
closest_field(struct sema *s, const ast_field *f, const char *name)
{
	const char *found = NULL;
	size_t best = 3;

	if (!diag_printing(s->d))
		return NULL;
	for (; f != NULL; f = f->next) {
		size_t dist = diag_distance(name, f->name, 2);

		if (dist < best && dist < strlen(name)) {
			best = dist;
			found = f->name;
		}
	}
	return found;
}

/* The arguments of child c, whose kind is actor `actor`: each names an
 * init field once, with a value of its type. */
static void
check_args(struct sema *s, const ast_decl *actor, ast_clause *c)
{
	const ast_field *fields = actor->init != NULL ? actor->init->fields :
							NULL;
	ast_arg *a, *b;
	char buf[256];

	if (c->args != NULL && fields == NULL) {
		diag_error(s->d, c->args_loc,
		    "actor '%s' takes no arguments "
		    "(it has no 'init' fields)",
		    actor->name);
		sema_note_decl(s, actor, "'%s' is declared here", actor->name);
		return;
	}
	for (a = c->args; a != NULL; a = a->next) {
		for (b = c->args; b != a; b = b->next)
			if (strcmp(b->name, a->name) == 0)
				break;
		if (b != a) {
			diag_error(s->d, a->loc, "argument '%s' is given twice",
			    a->name);
			diag_note(s->d, b->loc, "it was first given here");
			continue;
		}
		a->field = field_named(fields, a->name);
		if (a->field == NULL) {
			diag_error(s->d, a->loc,
			    "actor '%s' has no init field "
			    "'%s'%s",
			    actor->name, a->name,
			    sema_did_you_mean(buf, sizeof(buf),
				closest_field(s, fields, a->name)));
			continue;
		}
		check_value(s, actor, a, a->field);
	}
}

/* The actor, supervisor or pool a child or template is one of, or NULL
 * after reporting that it names none. */
static ast_decl *
child_kind(struct sema *s, ast_name *n)
{
	static const enum ast_decl_kind kinds[] = { AST_D_ACTOR,
		AST_D_SUPERVISOR, AST_D_POOL };
	bool reported;
	ast_decl *d = sema_lookup(s, n->qual, n->qual_loc, n->name, n->loc,
	    AST_D_ACTOR, &reported);
	const char *near = NULL, *c;
	char buf[256];
	size_t k;

	if (reported || (d == NULL && s->import_failed))
		return NULL;
	if (d == NULL) {
		/* The closest name of the three kinds; the first on a tie. */
		for (k = 0; k < sizeof(kinds) / sizeof(*kinds); k++) {
			c = sema_closest_decl(s, kinds[k], n->name);
			if (c != NULL &&
			    (near == NULL ||
				diag_distance(n->name, c, 2) <
				    diag_distance(n->name, near, 2)))
				near = c;
		}
		diag_error(s->d, n->loc,
		    "unknown child kind '%s' (a child is "
		    "an actor, a supervisor or a pool)%s",
		    n->name, sema_did_you_mean(buf, sizeof(buf), near));
		return NULL;
	}
	if (d->kind != AST_D_ACTOR && d->kind != AST_D_SUPERVISOR &&
	    d->kind != AST_D_POOL) {
		diag_error(s->d, n->loc,
		    "'%s' is %s %s; a child is an actor, "
		    "a supervisor or a pool",
		    n->name, sema_article(d->kind), ast_decl_keyword(d->kind));
		sema_note_decl(s, d, "'%s' is declared here", n->name);
		return NULL;
	}
	n->target = d;
	return d;
}

/*
 * `health every T timeout U` of child or template c, of kind `kind` (NULL
 * when unknown): the words, the durations (neither 0, the timeout shorter
 * than the period), and an actor child of a supervisor that is not
 * simple_one_for_one. Whether the actor has `on health` is checked once
 * every actor's hooks are known (sema_check_probes).
 */
static void
check_probe(struct sema *s, ast_clause *c, const ast_decl *kind)
{
	static const char *const words[] = { "every", "timeout" };
	const ast_name *w = c->probe_words;
	int64_t every = 0, timeout = 0;
	bool ok = true;
	char buf[256];
	size_t i;

	for (i = 0; i < 2 && w != NULL; i++, w = w->next)
		if (strcmp(w->name, words[i]) != 0) {
			diag_error(s->d, w->loc,
			    "expected '%s', not '%s'%s (a probe is "
			    "'health every T timeout U')",
			    words[i], w->name,
			    sema_did_you_mean(buf, sizeof(buf),
				sema_closest(&words[i], 1, w->name)));
			ok = false;
		}
	if (!duration(s, &c->probe_every, "'health every'", false, &every))
		ok = false;
	if (!duration(s, &c->probe_timeout, "'timeout'", false, &timeout))
		ok = false;
	if (c->kind == AST_C_TEMPLATE) {
		diag_error(s->d, c->probe_loc,
		    "a template cannot be probed: "
		    "'health' is for the children of a supervisor that is not "
		    "simple_one_for_one");
		return;
	}
	if (kind != NULL && kind->kind != AST_D_ACTOR) {
		diag_error(s->d, c->probe_loc,
		    "'%s' is a %s; "
		    "'health' probes an actor's 'on health'",
		    kind->name, ast_decl_keyword(kind->kind));
		return;
	}
	if (!ok)
		return;
	if (every == 0 || timeout == 0) {
		diag_error(s->d,
		    every == 0 ? c->probe_every.loc : c->probe_timeout.loc,
		    "a health probe's period and timeout must not be 0");
		return;
	}
	if (timeout >= every) {
		diag_error(s->d, c->probe_timeout.loc,
		    "the timeout of a health probe must be shorter than its "
		    "period (%s here), so that each probe is answered or "
		    "given up before the next",
		    ast_duration_text(buf, sizeof(buf), (uint64_t)every));
		return;
	}
	c->health_every = every;
	c->health_timeout = timeout;
}

void
sema_check_probes(struct sema *s)
{
	const ast_decl *d, *sup, *kind;
	size_t i;

	for (sup = s->unit->decls; sup != NULL; sup = sup->next) {
		if (sup->kind != AST_D_SUPERVISOR)
			continue;
		for (i = 0; i < sup->nchildren; i++) {
			const ast_clause *c = sup->children[i];

			kind = c->child_of->target;
			if (!c->has_probe || kind == NULL ||
			    kind->kind != AST_D_ACTOR ||
			    (kind->hooks & AST_HOOK_HEALTH))
				continue;
			diag_error(s->d, c->probe_loc,
			    "child '%s' is probed, but actor '%s' has no "
			    "'on health' to answer",
			    c->names->name, kind->name);
			sema_note_decl(s, kind, "'%s' is declared here",
			    kind->name);
		}
	}
	for (d = s->unit->decls; d != NULL; d = d->next) {
		bool probed = false;

		if (d->kind != AST_D_ACTOR || !(d->hooks & AST_HOOK_HEALTH))
			continue;
		for (sup = s->unit->decls; sup != NULL && !probed;
		    sup = sup->next)
			for (i = 0; sup->kind == AST_D_SUPERVISOR &&
			    i < sup->nchildren && !probed;
			    i++)
				probed = sup->children[i]->has_probe &&
				    sup->children[i]->child_of->target == d;
		if (!probed)
			diag_warning(s->d, d->name_loc,
			    "actor '%s' has 'on health', but no child of "
			    "this protocol probes it ('health every T "
			    "timeout U')",
			    d->name);
	}
}

/* A child or template c of `sup`: its name, kind, arguments, policy and
 * shutdown time. */
static void
check_child(struct sema *s, const ast_decl *sup, ast_clause *c,
    struct symtab *names)
{
	const ast_name *name = c->names;
	const ast_clause *prev = sema_symtab_put(names, name->name, c);
	ast_decl *kind;
	size_t i;

	if (prev != NULL) {
		diag_error(s->d, name->loc,
		    "duplicate child name '%s' in "
		    "supervisor '%s'",
		    name->name, sup->name);
		diag_note(s->d, prev->names->loc,
		    "'%s' was first declared "
		    "here",
		    name->name);
	} else if (sema_bad_underscores(name->name, false)) {
		diag_error(s->d, name->loc,
		    "child name '%s' would make "
		    "reserved C identifiers (it must not start with '_' or "
		    "contain '__')",
		    name->name);
	} else if (c->kind == AST_C_CHILD) {
		for (i = 0;
		    i < sizeof(reserved_children) / sizeof(*reserved_children);
		    i++)
			if (strcmp(name->name, reserved_children[i]) == 0)
				diag_error(s->d, name->loc,
				    "a child cannot be "
				    "named '%s': its lookup would be %s_%s_%s, "
				    "a name the supervisor has already",
				    name->name, s->prefix, sup->name,
				    name->name);
	}
	kind = child_kind(s, c->child_of);
	if (kind != NULL && c->has_args && kind->kind != AST_D_ACTOR)
		diag_error(s->d, c->args_loc,
		    "'%s' is a %s; a "
		    "%s child takes no arguments",
		    c->child_of->name, ast_decl_keyword(kind->kind),
		    ast_decl_keyword(kind->kind));
	else if (kind != NULL && c->kind == AST_C_TEMPLATE &&
	    kind->kind != AST_D_ACTOR)
		diag_error(s->d, c->child_of->loc,
		    "a template must be an "
		    "actor ('%s' is a %s): its children are started "
		    "with the arguments of the actor's init",
		    kind->name, ast_decl_keyword(kind->kind));
	else if (c->has_args && c->kind == AST_C_TEMPLATE)
		diag_error(s->d, c->args_loc,
		    "a template takes no arguments "
		    "here: each child gets its own from %s_%s_start_child",
		    s->prefix, sup->name);
	else if (kind != NULL && kind->kind == AST_D_ACTOR)
		check_args(s, kind, c);
	c->restart = AST_RESTART_PERMANENT;
	if (c->policy != NULL) {
		i = sema_named(s, c->policy, restart_names, NRESTARTS,
		    "restart policy",
		    "policies are permanent, transient and "
		    "temporary");
		if (i < NRESTARTS)
			c->restart = (enum ast_restart)i;
	}
	c->shutdown = DEFAULT_SHUTDOWN;
	if (c->has_shutdown &&
	    !duration(s, &c->dur, "'shutdown'", true, &c->shutdown))
		c->shutdown = DEFAULT_SHUTDOWN;
	c->health_every = c->health_timeout = 0;
	if (c->has_probe)
		check_probe(s, c, kind);
}

/* Append c to sup's children. */
static void
add_child(ast_decl *sup, ast_clause *c, size_t *cap)
{
	if (sup->nchildren == *cap) {
		*cap = *cap == 0 ? 8 : 2 * *cap;
		sup->children = ast_xrealloc(sup->children,
		    *cap * sizeof(*sup->children));
	}
	sup->children[sup->nchildren++] = c;
}

/* Children and templates against the strategy: a simple_one_for_one
 * supervisor has exactly one template and no children, any other no
 * template. */
static void
check_shape(struct sema *s, ast_decl *sup, const ast_clause *strategy)
{
	bool simple = sup->strategy == AST_STRATEGY_SIMPLE_ONE_FOR_ONE;
	const ast_clause *c, *first = NULL;
	size_t cap = 0;

	for (c = sup->clauses; c != NULL; c = c->next) {
		if (c->kind == AST_C_CHILD && simple) {
			diag_error(s->d, c->loc,
			    "'child' in a "
			    "simple_one_for_one supervisor (its children are "
			    "started at run time from its 'template')");
		} else if (c->kind == AST_C_TEMPLATE && !simple) {
			diag_error(s->d, c->loc,
			    "'template' outside a "
			    "simple_one_for_one supervisor (supervisor '%s' "
			    "is %s)",
			    sup->name, ast_strategy_keyword(sup->strategy));
		} else if (c->kind == AST_C_TEMPLATE && first != NULL) {
			diag_error(s->d, c->loc,
			    "a simple_one_for_one "
			    "supervisor has one template");
			diag_note(s->d, first->loc, "the first is here");
		} else if (c->kind == AST_C_TEMPLATE ||
		    c->kind == AST_C_CHILD) {
			if (c->kind == AST_C_TEMPLATE)
				first = c;
			add_child(sup, (ast_clause *)c, &cap);
		}
	}
	if (simple && first == NULL)
		diag_error(s->d, strategy->names->loc,
		    "a simple_one_for_one "
		    "supervisor needs a 'template' (the kind of the children "
		    "it starts at run time)");
	else if (!simple && sup->nchildren == 0)
		diag_warning(s->d, sup->name_loc,
		    "supervisor '%s' has no "
		    "children",
		    sup->name);
}

void
sema_check_supervisor(struct sema *s, ast_decl *sup)
{
	const ast_clause *once[3] = { NULL }, *c;
	struct symtab children = { 0 };
	size_t i;

	sup->strategy = AST_STRATEGY_ONE_FOR_ONE;
	sup->intensity = DEFAULT_INTENSITY;
	sup->period = DEFAULT_PERIOD;
	for (c = sup->clauses; c != NULL; c = c->next) {
		if (c->kind == AST_C_CHILD || c->kind == AST_C_TEMPLATE) {
			check_child(s, sup, (ast_clause *)c, &children);
			continue;
		}
		i = c->kind == AST_C_STRATEGY  ? 0 :
		    c->kind == AST_C_INTENSITY ? 1 :
						 2;
		if (once[i] != NULL) {
			diag_error(s->d, c->loc,
			    "duplicate '%s' clause in "
			    "supervisor '%s'",
			    ast_clause_keyword(c), sup->name);
			diag_note(s->d, once[i]->loc,
			    "the first '%s' clause "
			    "is here",
			    ast_clause_keyword(c));
			continue;
		}
		once[i] = c;
		if (c->kind == AST_C_STRATEGY) {
			i = sema_named(s, c->names, strategy_names, NSTRATEGIES,
			    "strategy",
			    "strategies are one_for_one, "
			    "one_for_all, rest_for_one and "
			    "simple_one_for_one");
			if (i < NSTRATEGIES)
				sup->strategy = (enum ast_strategy)i;
		} else if (c->kind == AST_C_INTENSITY) {
			sema_check_intensity(s, sup, c);
		} else {
			check_backoff(s, sup, c);
		}
	}
	check_shape(s, sup, once[0]);
	sema_symtab_free(&children);
}

/* Search the supervisors under sup, depth first, for one that contains
 * itself; report each cycle at the child that closes it. */
static void
visit(struct sema *s, ast_decl *sup, struct sema_path *path)
{
	size_t i;

	sup->mark = 1;
	sema_path_push(path, sup);
	for (i = 0; i < sup->nchildren; i++) {
		ast_name *k = sup->children[i]->child_of;
		ast_decl *t = k->target;
		char buf[512];

		if (t == NULL || t->kind != AST_D_SUPERVISOR || t->mark == 2)
			continue;
		if (t->mark == 0) {
			visit(s, t, path);
			continue;
		}
		sema_path_cycle(path, t, buf, sizeof(buf));
		diag_error(s->d, k->loc,
		    "supervisor '%s' contains itself "
		    "(%s%s); a supervision tree cannot loop",
		    t->name, buf, t->name);
		k->target = NULL;
	}
	path->len--;
	sup->mark = 2;
}

void
sema_check_sup_cycles(struct sema *s)
{
	struct sema_path path = { 0 };
	ast_decl *d;

	for (d = s->unit->decls; d != NULL; d = d->next)
		if (d->kind == AST_D_SUPERVISOR && d->mark == 0)
			visit(s, d, &path);
	free(path.at);
}
