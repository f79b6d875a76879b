package dev.ferry.bench;

/** One row of the docs/benchmarks.md table. */
record Figure(String number, String what, String measured, String ratio, String target, boolean met) {
}
