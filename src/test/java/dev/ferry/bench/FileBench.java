package dev.ferry.bench;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import dev.ferry.job.CsvOptions;
import dev.ferry.job.SourceSpec;
import dev.ferry.sync.source.Position;
import dev.ferry.sync.source.Source;
import dev.ferry.sync.source.Sources;
import dev.ferry.testing.DaemonFixture;
import dev.ferry.testing.FerryConf;
import dev.ferry.testing.Spooler;
import dev.ferry.testing.TestMongoServer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.bson.Document;

/**
 * Issue 14's figures: how fast each file format is read (parse only, no destination), and ferry
 * against mongoimport loading the same file into the same server.
 */
final class FileBench {
    static final Path MONGOIMPORT = Path.of(System.getProperty("bench.mongoimport", "/work/shared/peers/mongoimport"));

    private FileBench() {
    }

    /** The same flat rows as ndjson and csv, each also gzipped. */
    record Files4(Path ndjson, Path ndjsonGz, Path csv, Path csvGz) {
    }

    static Files4 write(Path dir, long documents) {
        try {
            Files.createDirectories(dir);
            Files4 f = new Files4(dir.resolve("rows-" + documents + ".ndjson"), dir.resolve("rows-" + documents + ".ndjson.gz"),
                    dir.resolve("rows-" + documents + ".csv"), dir.resolve("rows-" + documents + ".csv.gz"));
            try (Writer nd = Files.newBufferedWriter(f.ndjson()); Writer ndGz = gz(f.ndjsonGz());
                 Writer csv = Files.newBufferedWriter(f.csv()); Writer csvGz = gz(f.csvGz())) {
                String header = "_id,name,email,age,city,score,active\n";
                csv.write(header);
                csvGz.write(header);
                for (long i = 0; i < documents; i++) {
                    String json = "{\"_id\": " + i + ", \"name\": \"name-" + i + "\", \"email\": \"user" + i
                            + "@example.com\", \"age\": " + (i % 90) + ", \"city\": \"city, " + (i % 1000) + "\", \"score\": "
                            + (i * 0.5) + ", \"active\": \"" + (i % 2 == 0) + "\"}\n";
                    String row = i + ",name-" + i + ",user" + i + "@example.com," + (i % 90) + ",\"city, " + (i % 1000)
                            + "\"," + (i * 0.5) + "," + (i % 2 == 0) + "\n";
                    nd.write(json);
                    ndGz.write(json);
                    csv.write(row);
                    csvGz.write(row);
                }
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Writer gz(Path file) throws IOException {
        return new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(file), 64 * 1024),
                StandardCharsets.UTF_8), 64 * 1024);
    }

    /** Documents per second reading the whole file through its source. */
    static double read(Path file, SourceSpec.FileFormat format, long documents) {
        long t0 = System.nanoTime();
        long n = 0;
        try (Source source = Sources.open(new SourceSpec.File(file, format, CsvOptions.DEFAULT), Position.START, null)) {
            List<?> chunk;
            while (!(chunk = source.nextChunk(1000)).isEmpty()) {
                n += chunk.size();
            }
        } catch (Exception e) {
            throw new IllegalStateException("reading " + file + ": " + e, e);
        }
        if (n != documents) {
            throw new IllegalStateException(file + ": read " + n + ", expected " + documents);
        }
        return documents * 1e9 / (System.nanoTime() - t0);
    }

    /** ferry (a daemon in this JVM) and mongoimport (a process) loading files into one embedded server. */
    static final class Versus implements AutoCloseable {
        private final TestMongoServer server = new TestMongoServer();
        private final DaemonFixture daemon;
        private final Spooler spool;
        private final MongoClient client;
        private int runs;

        Versus(Path dir, Path dataDir) {
            FerryConf conf = new FerryConf(dir, server.uri()).set("chunk.size", "1000")
                    .set("source.file.allowedDirs", dataDir.toString());
            daemon = new DaemonFixture(conf, null).start();
            spool = new Spooler(conf.spool());
            client = MongoClients.create(server.uri());
        }

        double ferry(Path file, String format, long documents) {
            String id = "ferry-" + (++runs);
            String json = "{\"id\": \"" + id + "\", \"source\": {\"type\": \"file\", \"path\": \"" + file + "\", \"format\": \""
                    + format + "\"}, \"destination\": {\"connection\": \"dest\", \"collection\": \"" + id
                    + "\"}, \"mode\": \"upsert\", \"chunkSize\": 1000}";
            long t0 = System.nanoTime();
            spool.drop(id + ".json", json);
            spool.awaitDone(id, Duration.ofMinutes(10));
            long nanos = System.nanoTime() - t0;
            check(id, documents);
            return documents * 1e9 / nanos;
        }

        /** mongoimport with the same mode (upsert by _id) and batch size as ferry's job. */
        double mongoimport(Path file, String format, long documents) {
            String collection = "mongoimport-" + (++runs);
            List<String> command = new java.util.ArrayList<>(List.of(MONGOIMPORT.toString(), "--uri", server.uri(), "--db",
                    "ferrytest", "--collection", collection, "--type", format.equals("ndjson") ? "json" : "csv",
                    "--file", file.toString(), "--mode", "upsert", "--batchSize", "1000", "--quiet"));
            if (format.equals("csv")) {
                command.add("--headerline");
            }
            long nanos = runMongoimport(command, 10);
            check(collection, documents);
            return documents * 1e9 / nanos;
        }

        private void check(String collection, long documents) {
            var coll = client.getDatabase("ferrytest").getCollection(collection, Document.class);
            long n = coll.countDocuments();
            coll.drop();
            if (n != documents) {
                throw new IllegalStateException(collection + ": stored " + n + ", expected " + documents);
            }
        }

        @Override
        public void close() {
            client.close();
            daemon.close();
            server.close();
        }
    }

    /** Runs mongoimport to its end; the nanoseconds it took, start-up included. */
    static long runMongoimport(List<String> command, long timeoutMinutes) {
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("mongoimport failed: " + output);
            }
            return System.nanoTime() - t0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
