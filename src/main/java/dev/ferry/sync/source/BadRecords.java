package dev.ferry.sync.source;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonValue;

/**
 * What a file source does with a record it cannot turn into a document: fail the job naming it, or
 * keep it for the rejected-records file and go on.
 */
public final class BadRecords {
    private final boolean skip;
    private final String file;
    private final List<Rejected> pending = new ArrayList<>();

    /** @param file how messages name the file */
    public BadRecords(boolean skip, String file) {
        this.skip = skip;
        this.file = file;
    }

    public static BadRecords failing(String file) {
        return new BadRecords(false, file);
    }

    /** @throws SourceException unless bad records are skipped: {@code "line 17: reason; fix or remove ..."} */
    void add(String unit, long number, String reason, String text) throws SourceException {
        add(unit, number, reason, Rejected.text(unit, number, reason, text).record());
    }

    void add(String unit, long number, String reason, BsonValue record) throws SourceException {
        add(unit, number, unit + " " + number, reason, record);
    }

    /** @param label how a message names the record when that is more than {@code unit number} */
    void add(String unit, long number, String label, String reason, BsonValue record) throws SourceException {
        if (!skip) {
            throw new SourceException(label + ": " + reason + "; fix or remove that " + unit + " in " + file
                    + " (or set \"onInvalid\": \"skip\")");
        }
        pending.add(new Rejected(unit, number, reason, record));
    }

    /** Sets a record aside whatever {@code onInvalid} says: the job asked for it (parseGrace skipRow). */
    void setAside(String unit, long number, String reason, BsonValue record) {
        pending.add(new Rejected(unit, number, reason, record));
    }

    /** The records rejected since the last call. */
    List<Rejected> drain() {
        List<Rejected> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    int pendingCount() {
        return pending.size();
    }
}
