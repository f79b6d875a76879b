package dev.ferry.sync.follow;

/**
 * The source server refused to open a change stream because it has no oplog to serve one from (a
 * standalone {@code mongod}, error 40573): no retry helps, only another deployment of the source.
 */
public final class NoChangeStreamsException extends Exception {
    /** "The $changeStream stage is only supported on replica sets". */
    static final int CODE = 40573;

    public NoChangeStreamsException(String serverMessage) {
        super("the source server does not serve change streams (error " + CODE + ": " + serverMessage + "): it runs "
                + "standalone, and a follow job reads the changes from a replica set's or sharded cluster's oplog. Run the "
                + "source as a replica set (a single-node replica set will do) or submit the job without \"follow\" "
                + "to copy the collection once");
    }
}
