/* expect: success (proves the harness: topics used right compile) */
#include "cf.rtp.h"

int use_topics(rt_system *sys, cf_A_ref a);

int
use_topics(rt_system *sys, cf_A_ref a)
{
	cf_M m = { .n = 1, .note = "hi" };
	const cf_M cm = { .n = 2 };
	int (*publish)(rt_system *, const cf_M *) = cf_news_publish;
	int (*subscribe)(cf_A_ref) = cf_A_subscribe_news;
	int (*unsubscribe)(cf_A_ref) = cf_A_unsubscribe_ticks;

	return cf_A_subscribe_news(a) + cf_A_subscribe_ticks(a) +
	    cf_news_publish(sys, &m) + cf_news_publish(sys, &cm) +
	    /* A compound literal with commas, as the last argument. */
	    cf_news_publish(sys, &(cf_M){ .n = 3, .note = "x" }) +
	    /* NULL only for a message without fields. */
	    cf_ticks_publish(sys, NULL) + cf_ticks_publish(sys, &(cf_E){ 0 }) +
	    publish(sys, &m) + subscribe(a) + unsubscribe(a) +
	    cf_A_unsubscribe_news(a) + (cf_news_topic.name != NULL);
}
