package dev.ferry.cli;

import java.util.Map;
import org.bson.Document;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/** JSON for scripts ({@code --json}): relaxed Extended JSON, one document, indented. */
final class Json {
    private static final JsonWriterSettings SETTINGS = JsonWriterSettings.builder()
            .outputMode(JsonMode.RELAXED).indent(true).build();

    private Json() {
    }

    static String of(Map<String, Object> map) {
        return new Document(map).toJson(SETTINGS);
    }

    /** On one line, for output read line by line ({@code ferry ctl events --json}). */
    static String line(Map<String, Object> map) {
        return new Document(map).toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build());
    }
}
