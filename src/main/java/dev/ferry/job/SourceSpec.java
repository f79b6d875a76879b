package dev.ferry.job;

import java.nio.file.Path;
import java.util.List;
import org.bson.BsonDocument;

/** Where a job reads its documents from. */
public sealed interface SourceSpec {

    /** A short human description for logs, JMX and result files, e.g. {@code file:examples/data/people.ndjson}. */
    String describe();

    /**
     * A collection of a configured connection, read in {@code _id} order. {@code database} already defaulted.
     *
     * @param follow after the copy, keep applying the collection's changes (docs/follow.md, "Follow mode")
     */
    record Mongo(String connection, String database, String collection, BsonDocument filter, BsonDocument projection,
                 boolean follow) implements SourceSpec {
        public Mongo {
            filter = filter == null ? new BsonDocument() : filter.clone();
            projection = projection == null ? null : projection.clone();
        }

        /** A copy-once source. */
        public Mongo(String connection, String database, String collection, BsonDocument filter,
                     BsonDocument projection) {
            this(connection, database, collection, filter, projection, false);
        }

        @Override
        public String describe() {
            return "mongodb:" + connection + "/" + database + "." + collection;
        }
    }

    /**
     * A file inside {@code source.file.allowedDirs}; {@code path} is the real path (symlinks resolved). A name
     * ending in {@code .gz} is decompressed while it is read. {@code csv} matters for csv and tsv only.
     */
    record File(Path path, FileFormat format, CsvOptions csv) implements SourceSpec {
        public File {
            csv = csv == null ? CsvOptions.DEFAULT : csv;
        }

        public File(Path path, FileFormat format) {
            this(path, format, CsvOptions.DEFAULT);
        }

        public boolean gzipped() {
            Path name = path.getFileName();
            return name != null && name.toString().endsWith(".gz");
        }

        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    /** Documents carried in the job file itself. */
    record Inline(List<BsonDocument> documents) implements SourceSpec {
        public Inline {
            documents = List.copyOf(documents);
        }

        @Override
        public String describe() {
            return "inline:" + documents.size() + " documents";
        }
    }

    enum FileFormat {
        NDJSON("ndjson"), JSON_ARRAY("json-array"), CSV("csv"), TSV("tsv");

        private final String word;

        FileFormat(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }
}
