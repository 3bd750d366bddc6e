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
