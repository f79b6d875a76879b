package dev.ferry.job;

import dev.ferry.config.ConnectionSettings;
import dev.ferry.config.FerrySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/** The {@code source} object of a job (docs/jobs.md, "Job files"), one of three types. */
final class SourceParser {
    static final List<String> MONGODB_FIELDS = List.of("type", "connection", "database", "collection", "filter",
            "projection", "follow");
    static final List<String> FILE_FIELDS = Stream.concat(Stream.of("type", "path", "format"),
            CsvOptionsParser.FIELDS.stream()).toList();
    static final List<String> INLINE_FIELDS = List.of("type", "documents");
    private static final String TYPES = "mongodb, file or inline";
    private static final String FORMATS = "ndjson, json-array, csv or tsv";

    private final FerrySettings settings;
    private final Connections connections;

    SourceParser(FerrySettings settings, Connections connections) {
        this.settings = settings;
        this.connections = connections;
    }

    SourceSpec parse(BsonDocument source) throws JobRejectedException {
        Fields f = new Fields(source, "source");
        BsonValue typeValue = f.required("type", "a string: " + TYPES);
        if (!typeValue.isString()) {
            throw Fields.wrongType("source.type", "a string (" + TYPES + ")", typeValue);
        }
        String type = typeValue.asString().getValue();
        return switch (type) {
            case "mongodb" -> mongo(f);
            case "file" -> file(f);
            case "inline" -> inline(f);
            default -> throw JobRejectedException.invalid("source.type", "must be " + TYPES + ", was "
                    + Text.quote(type));
        };
    }

    private SourceSpec.Mongo mongo(Fields f) throws JobRejectedException {
        f.allowOnly(MONGODB_FIELDS, " for a mongodb source");
        ConnectionSettings connection = connections.require(f);
        String database = connections.database(f, connection);
        String collection = f.requiredString("collection", "a non-empty string naming the collection to read");
        MongoNames.collection("source.collection", database, collection, true);
        BsonDocument filter = f.optionalDocument("filter", "a document (a MongoDB query filter)").orElse(null);
        BsonDocument projection = f.optionalDocument("projection", "a document (a MongoDB projection)").orElse(null);
        boolean follow = f.optionalBoolean("follow");
        return new SourceSpec.Mongo(connection.name(), database, collection, filter, projection, follow);
    }

    /** follow needs a change stream, which only a mongodb source has; say so rather than "unknown field". */
    private static void refuseFollow(Fields f, String type) throws JobRejectedException {
        if (f.optional("follow").isPresent()) {
            throw JobRejectedException.invalid("source.follow", "is allowed only on mongodb sources (change streams), "
                    + "not on a " + type + " source");
        }
    }

    private SourceSpec.File file(Fields f) throws JobRejectedException {
        refuseFollow(f, "file");
        f.allowOnly(FILE_FIELDS, " for a file source");
        String path = f.requiredString("path", "a string: the path of the file to read");
        String formatWord = f.requiredString("format", "a string: " + FORMATS);
        SourceSpec.FileFormat format = null;
        for (SourceSpec.FileFormat candidate : SourceSpec.FileFormat.values()) {
            if (candidate.word().equals(formatWord)) {
                format = candidate;
            }
        }
        if (format == null) {
            throw JobRejectedException.invalid("source.format", "must be " + FORMATS + ", was "
                    + Text.quote(formatWord));
        }
        CsvOptions csv = CsvOptions.DEFAULT;
        if (format == SourceSpec.FileFormat.CSV || format == SourceSpec.FileFormat.TSV) {
            csv = CsvOptionsParser.parse(f);
        } else {
            CsvOptionsParser.rejectFor(f, format.word());
        }
        return new SourceSpec.File(resolve(path), format, csv);
    }

    /**
     * The real path of a readable regular file inside one of the allowed directories. Compared as real
     * paths on both sides, so that a symlink in an allowed directory cannot lead outside of it. A file
     * outside gets the same answer whether it exists or not, so that jobs cannot probe the file system.
     */
    private Path resolve(String written) throws JobRejectedException {
        Path absolute;
        try {
            absolute = Path.of(written).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw JobRejectedException.invalid("source.path", "not a valid path: " + Text.quote(written));
        }
        List<Path> allowed = allowedRealDirs();
        Path real;
        try {
            real = absolute.toRealPath();
        } catch (IOException e) {
            if (realOfMissing(absolute).filter(p -> inside(p, allowed)).isEmpty()) {
                throw outside(written);
            }
            throw e instanceof NoSuchFileException
                    ? JobRejectedException.sourceError("source.path", "file not found: " + absolute)
                    : JobRejectedException.sourceError("source.path", "cannot access " + absolute + " ("
                            + e.getClass().getSimpleName() + ")");
        }
        if (!inside(real, allowed)) {
            throw outside(written);
        }
        if (!Files.isRegularFile(real)) {
            throw JobRejectedException.sourceError("source.path", "not a regular file: " + real);
        }
        if (!Files.isReadable(real)) {
            throw JobRejectedException.sourceError("source.path", "file is not readable by the ferry user: " + real);
        }
        return real;
    }

    /**
     * Where a path that cannot be resolved would lie: the real path of its deepest existing ancestor
     * plus the missing names. Symlinks on the way are followed, as they would be once the file exists.
     */
    private static Optional<Path> realOfMissing(Path absolute) {
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(existing.toRealPath().resolve(existing.relativize(absolute)).normalize());
        } catch (IOException e) {
            // a dangling symlink or an unreadable directory: where it leads is unknown, so not inside
            return Optional.empty();
        }
    }

    private List<Path> allowedRealDirs() {
        List<Path> real = new ArrayList<>();
        for (Path dir : settings.sourceFileAllowedDirs()) {
            try {
                real.add(dir.toRealPath());
            } catch (IOException e) {
                // a configured directory that does not exist allows nothing
            }
        }
        return real;
    }

    private static boolean inside(Path path, List<Path> dirs) {
        return dirs.stream().anyMatch(path::startsWith);
    }

    private JobRejectedException outside(String written) {
        List<Path> dirs = settings.sourceFileAllowedDirs();
        String allowed = dirs.isEmpty()
                ? "source.file.allowedDirs is empty, so file sources are disabled"
                : "source.file.allowedDirs: " + dirs.stream().map(Path::toString).collect(Collectors.joining(", "));
        return JobRejectedException.sourceError("source.path", Text.quote(written)
                + " is outside the directories file sources may read, symlinks followed (" + allowed + ")");
    }

    private SourceSpec.Inline inline(Fields f) throws JobRejectedException {
        refuseFollow(f, "inline");
        f.allowOnly(INLINE_FIELDS, " for an inline source");
        String expected = "an array of documents";
        BsonValue value = f.required("documents", expected);
        if (!value.isArray()) {
            throw Fields.wrongType("source.documents", expected, value);
        }
        BsonArray array = value.asArray();
        List<BsonDocument> documents = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            documents.add(Fields.document("source.documents[" + i + "]", array.get(i), "a document"));
        }
        return new SourceSpec.Inline(documents);
    }
}
