package dev.ferry.job;

import dev.ferry.config.FerrySettings;
import dev.ferry.model.JobId;
import dev.ferry.config.Limits;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * Reads and validates job files (docs/jobs.md, "Job files") against the schema and the configuration. The result
 * is a {@link JobSpec} the sync code can trust; anything else is a {@link JobRejectedException} whose
 * message names the field and what is allowed. The first problem found is reported.
 *
 * <p>Thread-safe: holds only immutable settings.
 */
public final class JobParser {
    /** The top-level fields of a job, in the order docs/jobs.md's "Job files" lists them. */
    public static final List<String> FIELDS = List.of("id", "source", "destination", "mode", "key", "chunkSize",
            "onInvalid", "idFrom", "lanes", "verify", "indexes", "onResumeLost");
    static final List<String> DESTINATION_FIELDS = List.of("connection", "database", "collection");
    public static final int MAX_KEY_FIELDS = 32;

    private static final String ID_RULE = "1 to 128 characters from A-Z a-z 0-9 . _ - (not . or .., "
            + "not ending in .result or .error)"; // JobId.RULE in the words job errors have always used
    private static final String JSON_SUFFIX = ".json";

    private final FerrySettings settings;
    private final Connections connections;
    private final SourceParser sources;

    public JobParser(FerrySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.connections = new Connections(settings);
        this.sources = new SourceParser(settings, connections);
    }

    /**
     * Reads and validates a job file: at most 1 MiB of UTF-8 JSON. The id defaults to the file name
     * without {@code .json}.
     */
    public JobSpec parse(Path file) throws JobRejectedException {
        String text = JobJson.read(file);
        Path name = file.getFileName();
        return parse(text, name == null ? file.toString() : name.toString());
    }

    /**
     * Validates job text as if read from a file of the given name (for tests and {@code ferry validate}).
     *
     * @param fileName the file's name, used for the default id; only its last path element counts
     */
    public JobSpec parse(String json, String fileName) throws JobRejectedException {
        if (json.length() > JobJson.MAX_BYTES || json.getBytes(StandardCharsets.UTF_8).length > JobJson.MAX_BYTES) {
            throw JobRejectedException.invalid(null, "job is larger than 1 MiB (" + JobJson.MAX_BYTES
                    + " bytes in UTF-8), the limit for job files");
        }
        BsonDocument doc = JobJson.parse(json);
        Fields f = new Fields(doc, "");
        f.allowOnly(FIELDS, "");
        String id = id(f, fileName);
        SourceSpec source = sources.parse(f.requiredDocument("source",
                "a document with \"type\": mongodb, file or inline"));
        DestinationSpec destination = destination(f.requiredDocument("destination",
                "a document with connection, database and collection"));
        WriteMode mode = mode(f);
        List<String> key = key(f);
        int chunkSize = whole(f, "chunkSize", Limits.MAX_CHUNK_SIZE, settings.chunkSize());
        int lanes = whole(f, "lanes", Limits.MAX_LANES, settings.jobLanes());
        OnInvalid onInvalid = choice(f, "onInvalid", OnInvalid.values(), OnInvalid::word, OnInvalid.FAIL);
        IdFrom idFrom = choice(f, "idFrom", IdFrom.values(), IdFrom::word, IdFrom.NONE);
        if (idFrom == IdFrom.POSITION && !key.equals(List.of("_id"))) {
            throw JobRejectedException.invalid("idFrom", "\"position\" makes the _id, so the key must be [\"_id\"] "
                    + "(or left out), was " + key);
        }
        if (source instanceof SourceSpec.Inline inline && idFrom == IdFrom.NONE) {
            requireKeys(inline.documents(), key);
        }
        boolean verify = f.optionalBoolean("verify");
        if (verify && mode == WriteMode.DELETE) {
            throw JobRejectedException.invalid("verify", "true compares the source with a copy, and a \"delete\" job "
                    + "leaves none");
        }
        if (source instanceof SourceSpec.Mongo m && m.follow()) {
            if (mode == WriteMode.VERIFY) {
                throw JobRejectedException.invalid("mode", "\"verify\" compares once and cannot follow; give a follow "
                        + "job \"verify\": true to compare when it finishes, or run \"ferry ctl verify ID\" while it follows");
            }
            requireFollowable(mode, key);
        }
        boolean copyIndexes = indexes(f, source, mode);
        boolean resnapshot = onResumeLost(f, source);
        return new JobSpec(id, source, destination, mode, key, chunkSize, onInvalid, idFrom, lanes, verify, copyIndexes,
                resnapshot);
    }

    /**
     * The job id a file name gives: the name without {@code .json}, if that is a valid id.
     *
     * @return empty when the name does not end in {@code .json} or what remains is not a valid id
     */
    public static Optional<String> idFromFileName(String fileName) {
        if (fileName == null) {
            return Optional.empty();
        }
        String name = fileName.substring(fileName.lastIndexOf('/') + 1);
        if (!name.endsWith(JSON_SUFFIX)) {
            return Optional.empty();
        }
        String id = name.substring(0, name.length() - JSON_SUFFIX.length());
        return isValidId(id) ? Optional.of(id) : Optional.empty();
    }

    /**
     * Ids become file names in the spool ({@code done/ID.json}, {@code done/ID.result.json}), so beyond
     * the pattern of docs/jobs.md they must not be {@code .} or {@code ..}, nor end in {@code .result} or
     * {@code .error}, which would collide with another job's result or error file.
     */
    public static boolean isValidId(String id) {
        return JobId.isValid(id);
    }

    private static String id(Fields f, String fileName) throws JobRejectedException {
        Optional<BsonValue> given = f.optional("id");
        if (given.isPresent()) {
            BsonValue v = given.get();
            if (!v.isString()) {
                throw Fields.wrongType("id", "a string of " + ID_RULE, v);
            }
            String id = v.asString().getValue();
            if (!isValidId(id)) {
                throw JobRejectedException.invalid("id", "must be " + ID_RULE + ", was " + Text.quote(id));
            }
            return id;
        }
        return idFromFileName(fileName).orElseThrow(() -> JobRejectedException.invalid("id",
                "missing, and the file name " + Text.quote(String.valueOf(fileName))
                        + " does not give one (name the file ID.json, ID being " + ID_RULE + ", or set \"id\")"));
    }

    private DestinationSpec destination(BsonDocument doc) throws JobRejectedException {
        Fields f = new Fields(doc, "destination");
        f.allowOnly(DESTINATION_FIELDS, " in destination");
        var connection = connections.require(f);
        String database = connections.database(f, connection);
        String collection = f.requiredString("collection", "a non-empty string naming the collection to write");
        MongoNames.collection("destination.collection", database, collection, false);
        return new DestinationSpec(connection.name(), database, collection);
    }

    /** {@code "indexes"}: {@code copy} (a mongodb source's default) or {@code none}; only a mongodb source has any. */
    private static boolean indexes(Fields f, SourceSpec source, WriteMode mode) throws JobRejectedException {
        String word = choice(f, "indexes", new String[] {"copy", "none"}, w -> w, null);
        boolean writes = mode != WriteMode.VERIFY && mode != WriteMode.DELETE;
        if (word == null) {
            return source instanceof SourceSpec.Mongo && writes;
        }
        if (!(source instanceof SourceSpec.Mongo) && word.equals("copy")) {
            throw JobRejectedException.invalid("indexes", "\"copy\" needs a mongodb source (files have no indexes)");
        }
        if (!writes && word.equals("copy")) {
            throw JobRejectedException.invalid("indexes", "\"copy\" builds indexes on a copy, and a \"" + mode.word()
                    + "\" job makes none");
        }
        return word.equals("copy");
    }

    /** {@code "onResumeLost"}: {@code fail} (the default) or {@code resnapshot}; follow jobs only. */
    private static boolean onResumeLost(Fields f, SourceSpec source) throws JobRejectedException {
        String word = choice(f, "onResumeLost", new String[] {"fail", "resnapshot"}, w -> w, null);
        if (word == null) {
            return false;
        }
        if (!(source instanceof SourceSpec.Mongo m && m.follow())) {
            throw JobRejectedException.invalid("onResumeLost", "is for follow jobs (\"follow\": true), which resume a "
                    + "change stream");
        }
        return word.equals("resnapshot");
    }

    private static WriteMode mode(Fields f) throws JobRejectedException {
        String expected = "a string (insert, upsert, merge, verify or delete)";
        Optional<String> word = f.optionalString("mode", expected);
        if (word.isEmpty()) {
            return WriteMode.UPSERT;
        }
        for (WriteMode mode : WriteMode.values()) {
            if (mode.word().equals(word.get())) {
                return mode;
            }
        }
        throw JobRejectedException.invalid("mode", "must be insert, upsert, merge, verify or delete, was "
                + Text.quote(word.get()));
    }

    private static <T> T choice(Fields f, String field, T[] values, java.util.function.Function<T, String> word, T otherwise)
            throws JobRejectedException {
        StringBuilder words = new StringBuilder();
        for (T v : values) {
            words.append(words.length() == 0 ? "" : " or ").append(word.apply(v));
        }
        Optional<String> given = f.optionalString(field, "a string (" + words + ")");
        if (given.isEmpty()) {
            return otherwise;
        }
        for (T v : values) {
            if (word.apply(v).equals(given.get())) {
                return v;
            }
        }
        throw JobRejectedException.invalid(field, "must be " + words + ", was " + Text.quote(given.get()));
    }

    private static List<String> key(Fields f) throws JobRejectedException {
        Optional<BsonValue> given = f.optional("key");
        if (given.isEmpty()) {
            return List.of("_id");
        }
        String expected = "an array of 1 to " + MAX_KEY_FIELDS + " field names, e.g. [\"_id\"]";
        if (!given.get().isArray()) {
            throw Fields.wrongType("key", expected, given.get());
        }
        BsonArray array = given.get().asArray();
        if (array.isEmpty() || array.size() > MAX_KEY_FIELDS) {
            throw JobRejectedException.invalid("key", "must be " + expected + ", was an array of "
                    + array.size() + (array.size() == 1 ? " element" : " elements"));
        }
        List<String> key = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            String path = "key[" + i + "]";
            String name = Fields.string(path, array.get(i), "a non-empty string naming a field");
            if (name.startsWith("$") || name.indexOf('\u0000') >= 0) {
                throw JobRejectedException.invalid(path, "a key field must not start with $ or contain NUL, was "
                        + Text.quote(name));
            }
            if (name.startsWith(".") || name.endsWith(".") || name.contains("..")) {
                throw JobRejectedException.invalid(path, "must be a field name or a dotted path like a.b, was "
                        + Text.quote(name));
            }
            if (key.contains(name)) {
                throw JobRejectedException.invalid(path, "field " + Text.quote(name) + " is listed twice");
            }
            key.add(name);
        }
        return key;
    }

    /** A whole number from 1 to {@code max}, or {@code dflt} when the field is absent. */
    private static int whole(Fields f, String field, int max, int dflt) throws JobRejectedException {
        Optional<BsonValue> given = f.optional(field);
        if (given.isEmpty()) {
            return dflt;
        }
        BsonValue v = given.get();
        String expected = "a whole number from 1 to " + max;
        BigDecimal n;
        if (v.isInt32() || v.isInt64()) {
            n = BigDecimal.valueOf(v.asNumber().longValue());
        } else if (v.isDouble() && Double.isFinite(v.asDouble().getValue())) {
            n = BigDecimal.valueOf(v.asDouble().getValue());
        } else if (v.isDecimal128() && v.asDecimal128().getValue().isFinite()) {
            n = v.asDecimal128().getValue().bigDecimalValue();
        } else if (v.isDouble()) {
            throw JobRejectedException.invalid(field, "must be " + expected + ", was " + v.asDouble().getValue());
        } else if (v.isDecimal128()) {
            throw JobRejectedException.invalid(field, "must be " + expected + ", was " + v.asDecimal128().getValue());
        } else {
            throw Fields.wrongType(field, expected, v);
        }
        n = n.stripTrailingZeros();
        if (n.scale() > 0 || n.compareTo(BigDecimal.ONE) < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw JobRejectedException.invalid(field, "must be " + expected + ", was " + n.toPlainString());
        }
        return n.intValueExact();
    }

    /**
     * Change events name documents by {@code _id} only and carry whole documents, so a follow job can
     * apply them idempotently only as replace-by-_id.
     */
    private static void requireFollowable(WriteMode mode, List<String> key) throws JobRejectedException {
        if (!key.equals(List.of("_id"))) {
            throw JobRejectedException.invalid("key", "must be [\"_id\"] for a job with \"follow\": true "
                    + "(change events identify documents by _id), was " + key);
        }
        if (mode != WriteMode.UPSERT) {
            throw JobRejectedException.invalid("mode", "must be upsert for a job with \"follow\": true "
                    + "(each change replaces the whole document), was " + Text.quote(mode.word()));
        }
    }

    /**
     * Inline documents are checked here because it is cheap: a document without its key could not be
     * matched on a rerun, and would be written twice.
     */
    private static void requireKeys(List<BsonDocument> documents, List<String> key) throws JobRejectedException {
        for (int i = 0; i < documents.size(); i++) {
            for (String field : key) {
                if (valueAt(documents.get(i), field).isEmpty()) {
                    throw JobRejectedException.invalid("source.documents[" + i + "]", "has no key field "
                            + Text.quote(field) + " (key: " + String.join(", ", key)
                            + "); every document needs its key so that a rerun does not write it twice");
                }
            }
        }
    }

    private static Optional<BsonValue> valueAt(BsonDocument doc, String dottedPath) {
        BsonValue current = doc;
        for (String part : dottedPath.split("\\.")) {
            if (!current.isDocument() || !current.asDocument().containsKey(part)) {
                return Optional.empty();
            }
            current = current.asDocument().get(part);
        }
        return Optional.of(current);
    }
}
