/* SPDX-License-Identifier: MIT */
/*
 * What the observer's files share: the live page it serves
 * (observer_page.c), kept apart from the server (observer.c) because it
 * is HTML, CSS and JavaScript more than C.
 */
#ifndef RT_RUNTIME_OBSERVER_INT_H
#define RT_RUNTIME_OBSERVER_INT_H

/* The page served at "/": its pieces, in order, then NULL. */
extern const char *const rti_observer_page[];

#endif
