// Exit codes of every dbsim command (DESIGN.md, "Command line").
export const EXIT_OK = 0;
/** A check found a violation. */
export const EXIT_VIOLATION = 1;
/** Bad input: usage, scenario, file. */
export const EXIT_BAD_INPUT = 2;
/** A check could not decide (unknown, time limit). */
export const EXIT_UNKNOWN = 3;
/** A replay diverged from its recorded trace hash. */
export const EXIT_NONDETERMINISM = 4;
/** A threshold was breached (and no check failed), or `compare --baseline` found a regression. */
export const EXIT_THRESHOLD = 5;
/** A run crashed: a bug in dbsim (the others are still written). */
export const EXIT_INTERNAL = 70;
/** Interrupted by SIGINT (Ctrl-C) or SIGTERM (128 + the signal's number), after writing what was done. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;
