package dev.ferry.sync.follow;

/** Where a follow job stands: still copying the collection, or applying its change events. */
public enum Phase {
    SNAPSHOT,
    FOLLOWING
}
