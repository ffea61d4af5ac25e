/* SPDX-License-Identifier: MIT */
/*
 * The grammar of .rtp files (DESIGN.md §2), as a pure bison parser that
 * builds the AST of rtgen/ast.h. It checks only the shape of the input;
 * names, duplicates and references are sema's business.
 *
 * Lists are built backwards (prepending is O(1) without a tail) and turned
 * around when complete. Syntax errors are reported through diag and
 * recovered from at the ';' that ends a field or clause and at the '}' that
 * closes a block or declaration, so one run reports every broken
 * declaration. Recovery inside a block ends in yyerrok, as a ';' or '}'
 * there is a reliable resynchronisation point; at the top level bison's
 * default (three tokens before the next report) keeps one mistake from
 * being reported twice. The %destructors free whatever recovery discards.
 */

%code requires {
#include "ast.h"
#include "diag.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* What the scanner and the parser of one file share. */
struct rtp_ctx {
	ast_unit *unit;   /* where declarations go */
	diag *diag;       /* where errors go */
	int line, col;    /* scanner: position of the next byte */
	int hard_eof;     /* scanner: stopped early; no syntax error at EOF */
	/* scanner: the depth of braces, and whether the next token (and
	 * the token in hand) begins a top-level declaration, where `pool`
	 * is a keyword (rtp_scan.l). */
	int depth;
	int decl_start, was_decl_start;
};
}

%code provides {
/*
 * rtp_parse_text: parse text[0..len) (any bytes; len < INT_MAX) into `unit`,
 * reporting errors to `d`. Returns the number of errors found while parsing
 * (0: the unit holds the whole file). The unit is complete either way: it
 * holds every declaration that parsed, and the caller frees it.
 */
int rtp_parse_text(ast_unit *unit, diag *d, const char *text, size_t len);
}

%code {
#include <stdlib.h>
#include <string.h>

int rtp_lex(RTP_STYPE *lvalp, RTP_LTYPE *llocp, yyscan_t scanner);
static void rtp_error(RTP_LTYPE *loc, yyscan_t scanner, struct rtp_ctx *ctx,
    const char *msg);
static void expect_word(struct rtp_ctx *ctx, char *word, RTP_LTYPE loc,
    const char *want);

/* A clause node for keyword `kind` at `loc`. */
#define CLAUSE(kind, loc) ast_clause_new((kind), (loc))
}

%define api.pure full
%define api.prefix {rtp_}
%define api.location.type {ast_loc}
%define parse.error detailed
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {struct rtp_ctx *ctx}

%union {
	char *str;
	uint64_t num;
	ast_type type;
	ast_field *field;
	ast_name *name;
	ast_clause *clause;
	ast_dur dur;
	ast_arg *arg;
}

%token END 0 "end of file"
%token <str> IDENT "identifier"
%token <num> INT "integer"
%token <num> NEGINT "negative integer"
%token <num> DURATION "duration"
%token <str> STRING "string literal"
%token <str> CTYPE "C type"
%token <str> FLOAT "real number"
%token PROTOCOL "'protocol'"
%token MESSAGE "'message'"
%token ACTOR "'actor'"
%token TOPIC "'topic'"
%token ENUM "'enum'"
%token INCLUDE "'include'"
%token IMPORT "'import'"
%token ACCEPTS "'accepts'"
%token ASKS "'asks'"
%token STATE "'state'"
%token INIT "'init'"
%token ON "'on'"
%token START "'start'"
%token STOP "'stop'"
%token MAILBOX "'mailbox'"
%token UNBOUNDED "'unbounded'"
/* T_: OVERFLOW and REJECT are macros of <math.h> and of flex. */
%token T_OVERFLOW "'overflow'"
%token BLOCK "'block'"
%token DROP "'drop'"
%token T_REJECT "'reject'"
%token REF "'ref'"
%token BOOL "'bool'"
%token I8 "'i8'"
%token I16 "'i16'"
%token I32 "'i32'"
%token I64 "'i64'"
%token U8 "'u8'"
%token U16 "'u16'"
%token U32 "'u32'"
%token U64 "'u64'"
%token F32 "'f32'"
%token F64 "'f64'"
%token T_STRING "'string'"
%token SUPERVISOR "'supervisor'"
%token STRATEGY "'strategy'"
%token INTENSITY "'intensity'"
%token WITHIN "'within'"
%token BACKOFF "'backoff'"
%token CHILD "'child'"
%token TEMPLATE "'template'"
%token SHUTDOWN "'shutdown'"
%token POOL "'pool'"
%token HEALTH "'health'"
%token ARROW "'->'"
%token DOTDOT "'..'"
/* Punctuation of constructs that come later; declared so that errors
 * name them instead of calling them invalid. */
%token '(' ')' '=' '.' ':' '[' ']'

%type <type> type base_type
%type <field> fields field field_block
%type <name> names qname hooks hook overflow policy reply values route
%type <clause> clauses clause sup_clauses sup_clause child pool_limit probe
%type <name> restart
%type <dur> duration
%type <arg> args arglist arg

%destructor { free($$); } <str>
%destructor { free($$.name); free($$.qual); } <type>
%destructor { ast_field_free_list($$); } <field>
%destructor { ast_name_free_list($$); } <name>
%destructor { ast_clause_free_list($$); } <clause>
%destructor { free($$.name); } <dur>
%destructor { ast_arg_free_list($$); } <arg>

%%

unit
	: %empty
	| unit decl
	;

decl
	: PROTOCOL IDENT ';'
		{
			ast_unit_append(ctx->unit,
			    ast_decl_new(AST_D_PROTOCOL, $2, @1, @2));
		}
	| MESSAGE IDENT reply field_block
		{
			ast_decl *d = ast_decl_new(AST_D_MESSAGE, $2, @1, @2);

			d->reply = $3;
			d->fields = $4;
			ast_unit_append(ctx->unit, d);
		}
	| ACTOR IDENT '{' clauses '}'
		{
			ast_decl *d = ast_decl_new(AST_D_ACTOR, $2, @1, @2);

			d->clauses = ast_clause_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	| ACTOR IDENT '{' clauses error '}'
		{
			ast_decl *d = ast_decl_new(AST_D_ACTOR, $2, @1, @2);

			yyerrok;
			d->clauses = ast_clause_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	/* A topic names the message it carries: `topic T : M;`. */
	| TOPIC IDENT ':' qname ';'
		{
			ast_decl *d = ast_decl_new(AST_D_TOPIC, $2, @1, @2);

			d->carries = $4;
			ast_unit_append(ctx->unit, d);
		}
	/* `enum E { a, b, c }`, a trailing comma allowed. */
	| ENUM IDENT '{' values '}'
		{
			ast_decl *d = ast_decl_new(AST_D_ENUM, $2, @1, @2);

			d->values = ast_name_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	| ENUM IDENT '{' values ',' '}'
		{
			ast_decl *d = ast_decl_new(AST_D_ENUM, $2, @1, @2);

			d->values = ast_name_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	| ENUM IDENT '{' '}'
		{
			ast_unit_append(ctx->unit,
			    ast_decl_new(AST_D_ENUM, $2, @1, @2));
		}
	/* `include "h";` and `import "other.rtp";`: the string is the
	 * file; name_loc is where it is written. */
	| INCLUDE STRING ';'
		{
			ast_decl *d = ast_decl_new(AST_D_INCLUDE, NULL, @1,
			    @2);

			d->file = $2;
			ast_unit_append(ctx->unit, d);
		}
	| IMPORT STRING ';'
		{
			ast_decl *d = ast_decl_new(AST_D_IMPORT, NULL, @1, @2);

			d->file = $2;
			ast_unit_append(ctx->unit, d);
		}
	| SUPERVISOR IDENT '{' sup_clauses '}'
		{
			ast_decl *d = ast_decl_new(AST_D_SUPERVISOR, $2, @1,
			    @2);

			d->clauses = ast_clause_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	| SUPERVISOR IDENT '{' sup_clauses error '}'
		{
			ast_decl *d = ast_decl_new(AST_D_SUPERVISOR, $2, @1,
			    @2);

			yyerrok;
			d->clauses = ast_clause_reverse($4);
			ast_unit_append(ctx->unit, d);
		}
	/* `pool W : K size N route R intensity I within D;`. `pool` is a
	 * keyword only where a declaration begins, and `size` and `route`
	 * are not keywords (`pool` names children and protocols, `size`
	 * fields): those two words are checked here. */
	| POOL IDENT ':' qname IDENT INT IDENT route pool_limit ';'
		{
			ast_decl *d = ast_decl_new(AST_D_POOL, $2, @1, @2);

			expect_word(ctx, $5, @5, "size");
			expect_word(ctx, $7, @7, "route");
			d->member = $4;
			d->size = $6;
			d->size_loc = @6;
			d->route = $8;
			d->route_field = $8->next;
			$8->next = NULL;
			d->clauses = $9;
			ast_unit_append(ctx->unit, d);
		}
	| error ';'
	| error '}'
	;

/* A pool's route, with the field of `hash(field)` linked after it. */
route
	: IDENT                 { $$ = ast_name_new($1, @1); }
	| IDENT '(' IDENT ')'
		{
			$$ = ast_name_new($1, @1);
			$$->next = ast_name_new($3, @3);
		}
	;

/* A pool's intensity, as a supervisor's. */
pool_limit
	: %empty                { $$ = NULL; }
	| INTENSITY INT WITHIN duration
		{
			$$ = CLAUSE(AST_C_INTENSITY, @1);
			$$->bound = $2;
			$$->bound_loc = @2;
			$$->dur = $4;
		}
	;

values
	: IDENT                 { $$ = ast_name_new($1, @1); }
	| values ',' IDENT
		{
			$$ = ast_name_new($3, @3);
			$$->next = $1;
		}
	;

/* A request names its reply message: `message M -> R { ... }`. */
reply
	: %empty                { $$ = NULL; }
	| ARROW qname           { $$ = $2; }
	;

/* A message by name: `Name`, or `other.Name` for one of an imported
 * protocol. */
qname
	: IDENT                 { $$ = ast_name_new($1, @1); }
	| IDENT '.' IDENT
		{
			$$ = ast_name_new($3, @3);
			$$->qual = $1;
			$$->qual_loc = @1;
		}
	;

field_block
	: '{' fields '}'        { $$ = ast_field_reverse($2); }
	| '{' fields error '}'  { $$ = ast_field_reverse($2); yyerrok; }
	;

fields
	: %empty        { $$ = NULL; }
	| fields field
		{
			$$ = $1;
			if ($2 != NULL) {
				$2->next = $1;
				$$ = $2;
			}
		}
	;

field
	: type IDENT ';'        { $$ = ast_field_new($1, $2, @2); }
	| error ';'             { $$ = NULL; yyerrok; }
	;

/* A type, or a fixed-size array of it, `T[N]`. The size is checked by
 * sema; a negative one parses so that it can be reported as such. */
type
	: base_type
	| base_type '[' INT ']'
		{
			$$ = $1;
			$$.array = true;
			$$.len = $3;
			$$.len_loc = @3;
		}
	| base_type '[' NEGINT ']'
		{
			$$ = $1;
			$$.array = true;
			$$.len = $3;
			$$.negative = true;
			$$.len_loc = @3;
		}
	;

base_type
	: BOOL          { $$ = (ast_type){ .kind = AST_T_BOOL }; }
	| I8            { $$ = (ast_type){ .kind = AST_T_I8 }; }
	| I16           { $$ = (ast_type){ .kind = AST_T_I16 }; }
	| I32           { $$ = (ast_type){ .kind = AST_T_I32 }; }
	| I64           { $$ = (ast_type){ .kind = AST_T_I64 }; }
	| U8            { $$ = (ast_type){ .kind = AST_T_U8 }; }
	| U16           { $$ = (ast_type){ .kind = AST_T_U16 }; }
	| U32           { $$ = (ast_type){ .kind = AST_T_U32 }; }
	| U64           { $$ = (ast_type){ .kind = AST_T_U64 }; }
	| F32           { $$ = (ast_type){ .kind = AST_T_F32 }; }
	| F64           { $$ = (ast_type){ .kind = AST_T_F64 }; }
	| T_STRING      { $$ = (ast_type){ .kind = AST_T_STRING }; }
	/* A type named by an identifier. `bytes` is one only where a type
	 * goes, so that it can still name a field (examples/wc has one). */
	| IDENT
		{
			if (strcmp($1, "bytes") == 0) {
				free($1);
				$$ = (ast_type){ .kind = AST_T_BYTES };
			} else {
				$$ = (ast_type){ .kind = AST_T_NAMED,
				    .name = $1, .name_loc = @1 };
			}
		}
	/* A name of an imported protocol, qualified by the protocol. */
	| IDENT '.' IDENT
		{
			$$ = (ast_type){ .kind = AST_T_NAMED, .name = $3,
			    .name_loc = @3, .qual = $1, .qual_loc = @1 };
		}
	| CTYPE
		{
			$$ = (ast_type){ .kind = AST_T_CTYPE, .name = $1,
			    .name_loc = @1 };
		}
	| REF '<' IDENT '>'
		{
			$$ = (ast_type){ .kind = AST_T_REF, .name = $3,
			    .name_loc = @3 };
		}
	| REF '<' IDENT '.' IDENT '>'
		{
			$$ = (ast_type){ .kind = AST_T_REF, .name = $5,
			    .name_loc = @5, .qual = $3, .qual_loc = @3 };
		}
	;

clauses
	: %empty        { $$ = NULL; }
	| clauses clause
		{
			$$ = $1;
			if ($2 != NULL) {
				$2->next = $1;
				$$ = $2;
			}
		}
	;

clause
	: ACCEPTS names ';'
		{
			$$ = CLAUSE(AST_C_ACCEPTS, @1);
			$$->names = ast_name_reverse($2);
		}
	| ASKS names ';'
		{
			$$ = CLAUSE(AST_C_ASKS, @1);
			$$->names = ast_name_reverse($2);
		}
	| STATE field_block
		{
			$$ = CLAUSE(AST_C_STATE, @1);
			$$->fields = $2;
		}
	| INIT field_block
		{
			$$ = CLAUSE(AST_C_INIT, @1);
			$$->fields = $2;
		}
	| ON hooks ';'
		{
			$$ = CLAUSE(AST_C_ON, @1);
			$$->names = ast_name_reverse($2);
		}
	| MAILBOX UNBOUNDED ';'
		{
			$$ = CLAUSE(AST_C_MAILBOX, @1);
			$$->unbounded = true;
		}
	| MAILBOX INT overflow ';'
		{
			$$ = CLAUSE(AST_C_MAILBOX, @1);
			$$->bound = $2;
			$$->bound_loc = @2;
			$$->policy = $3;
		}
	/* A clause of one word, as `thread;`: any identifier, so that
	 * sema can say "did you mean" for a misspelt one. */
	| IDENT ';'
		{
			$$ = CLAUSE(AST_C_FLAG, @1);
			$$->names = ast_name_new($1, @1);
		}
	/* `states s1, s2;` and `accept M in s1, s2;`: their words are
	 * identifiers, not keywords (a field may be called `in`), which
	 * sema checks, so that a misspelt one gets a "did you mean". The
	 * states are read as hooks are, so that `start` and `stop` may
	 * name states too. */
	| IDENT hooks ';'
		{
			$$ = CLAUSE(AST_C_STATES, @1);
			$$->word = ast_name_new($1, @1);
			$$->names = ast_name_reverse($2);
		}
	| IDENT qname IDENT hooks ';'
		{
			$$ = CLAUSE(AST_C_ACCEPT, @1);
			$$->word = ast_name_new($1, @1);
			$$->subject = $2;
			$$->word2 = ast_name_new($3, @3);
			$$->names = ast_name_reverse($4);
		}
	| error ';'             { $$ = NULL; yyerrok; }
	;

overflow
	: %empty                { $$ = NULL; }
	| T_OVERFLOW policy     { $$ = $2; }
	;

/* Like hooks, a policy may be any identifier, so that sema can say "did
 * you mean" for a misspelt one. */
policy
	: IDENT         { $$ = ast_name_new($1, @1); }
	| BLOCK         { $$ = ast_name_new(ast_xstrdup("block"), @1); }
	| DROP          { $$ = ast_name_new(ast_xstrdup("drop"), @1); }
	| T_REJECT      { $$ = ast_name_new(ast_xstrdup("reject"), @1); }
	;

names
	: qname
	| names ',' qname       { $$ = $3; $$->next = $1; }
	;

hooks
	: hook
	| hooks ',' hook        { $$ = $3; $$->next = $1; }
	;

/* Hook names are checked by sema, so that a misspelt one gets a "did you
 * mean" rather than a bare syntax error. */
hook
	: IDENT                 { $$ = ast_name_new($1, @1); }
	| START                 { $$ = ast_name_new(ast_xstrdup("start"), @1); }
	| STOP                  { $$ = ast_name_new(ast_xstrdup("stop"), @1); }
	| HEALTH                { $$ = ast_name_new(ast_xstrdup("health"), @1); }
	;

/* The clauses of a supervisor, in any order; sema checks which are
 * given twice and what goes with which strategy. */
sup_clauses
	: %empty        { $$ = NULL; }
	| sup_clauses sup_clause
		{
			$$ = $1;
			if ($2 != NULL) {
				$2->next = $1;
				$$ = $2;
			}
		}
	;

/* Strategies, like restart policies and `infinity`, are identifiers that
 * sema checks, so that a misspelt one gets a "did you mean". */
sup_clause
	: STRATEGY IDENT ';'
		{
			$$ = CLAUSE(AST_C_STRATEGY, @1);
			$$->names = ast_name_new($2, @2);
		}
	| INTENSITY INT WITHIN duration ';'
		{
			$$ = CLAUSE(AST_C_INTENSITY, @1);
			$$->bound = $2;
			$$->bound_loc = @2;
			$$->dur = $4;
		}
	| BACKOFF duration DOTDOT duration ';'
		{
			$$ = CLAUSE(AST_C_BACKOFF, @1);
			$$->dur = $2;
			$$->dur2 = $4;
		}
	| CHILD child ';'
		{
			$$ = $2;
			$$->loc = @1;
		}
	| TEMPLATE child ';'
		{
			$$ = $2;
			$$->kind = AST_C_TEMPLATE;
			$$->loc = @1;
		}
	| error ';'             { $$ = NULL; yyerrok; }
	;

/* `name : Kind(field = value, ...) policy shutdown D health every T
 * timeout U`, all but the kind optional, in this order. */
child
	: IDENT ':' qname args restart probe
		{
			$$ = CLAUSE(AST_C_CHILD, @1);
			$$->names = ast_name_new($1, @1);
			$$->child_of = $3;
			$$->args = $4;
			$$->has_args = $4 != NULL || @4.first_line != 0;
			$$->args_loc = @4;
			$$->policy = $5;
			ast_child_probe($$, $6);
		}
	| IDENT ':' qname args restart SHUTDOWN duration probe
		{
			$$ = CLAUSE(AST_C_CHILD, @1);
			$$->names = ast_name_new($1, @1);
			$$->child_of = $3;
			$$->args = $4;
			$$->has_args = $4 != NULL || @4.first_line != 0;
			$$->args_loc = @4;
			$$->policy = $5;
			$$->has_shutdown = true;
			$$->dur = $7;
			ast_child_probe($$, $8);
		}
	;

/* `health every T timeout U`, or nothing. The two words are identifiers
 * (`every` and `timeout` make good field names), checked by sema; the
 * clause only carries them to the child (ast_child_probe). */
probe
	: %empty                { $$ = NULL; }
	| HEALTH IDENT duration IDENT duration
		{
			$$ = CLAUSE(AST_C_CHILD, @1);
			$$->names = ast_name_new($2, @2);
			$$->names->next = ast_name_new($4, @4);
			$$->dur = $3;
			$$->dur2 = $5;
		}
	;

args
	: %empty                { $$ = NULL; @$.first_line = 0; }
	| '(' ')'               { $$ = NULL; }
	| '(' arglist ')'       { $$ = ast_arg_reverse($2); }
	| '(' arglist ',' ')'   { $$ = ast_arg_reverse($2); }
	;

arglist
	: arg
	| arglist ',' arg       { $$ = $3; $$->next = $1; }
	;

arg
	: IDENT '=' INT
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_INT;
			$$->num = $3;
			$$->value_loc = @3;
		}
	| IDENT '=' NEGINT
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_INT;
			$$->num = $3;
			$$->negative = true;
			$$->value_loc = @3;
		}
	| IDENT '=' FLOAT
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_FLOAT;
			$$->negative = $3[0] == '-';
			$$->text = $3;
			$$->value_loc = @3;
		}
	| IDENT '=' STRING
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_STRING;
			$$->text = $3;
			$$->value_loc = @3;
		}
	| IDENT '=' IDENT
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_NAME;
			$$->text = $3;
			$$->value_loc = @3;
		}
	| IDENT '=' DURATION
		{
			$$ = ast_arg_new($1, @1);
			$$->kind = AST_V_DURATION;
			$$->num = $3;
			$$->value_loc = @3;
		}
	;

restart
	: %empty                { $$ = NULL; }
	| IDENT                 { $$ = ast_name_new($1, @1); }
	;

/* A duration; a bare number and a name parse too, for sema to say what
 * is wrong with them (or, for `infinity`, that it is allowed there). */
duration
	: DURATION      { $$ = (ast_dur){ .ns = $1, .loc = @1 }; }
	| INT
		{
			$$ = (ast_dur){ .ns = $1, .unitless = true,
			    .loc = @1 };
		}
	| IDENT         { $$ = (ast_dur){ .name = $1, .loc = @1 }; }
	;

%%

static void
rtp_error(RTP_LTYPE *loc, yyscan_t scanner, struct rtp_ctx *ctx,
    const char *msg)
{
	(void)scanner;
	/* The scanner already explained why the input ended early. */
	if (ctx->hard_eof)
		return;
	diag_error(ctx->diag, *loc, "%s", msg);
}

/* A word of a declaration that is not a keyword (`size`, `route`): an
 * error unless it is `want`. Frees `word`. */
static void
expect_word(struct rtp_ctx *ctx, char *word, RTP_LTYPE loc, const char *want)
{
	if (strcmp(word, want) != 0)
		diag_error(ctx->diag, loc, "expected '%s', found '%s'", want,
		    word);
	free(word);
}
