package dev.ferry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's configuration reference is the key table, row for row; and every key's default holds. */
class ConfigKeysReadmeTest {

    @Test
    void readmeTableIsTheKeyTable() throws IOException {
        String readme = Files.readString(Path.of("docs/configuration.md"));
        int section = readme.indexOf("## Configuration reference");
        int start = readme.indexOf("| key | default | meaning |", section);
        assertTrue(section >= 0 && start > section, "docs/configuration.md has a configuration reference table");
        List<String> rows = new ArrayList<>();
        for (String line : readme.substring(start).split("\n")) {
            if (!line.startsWith("|")) {
                break;
            }
            rows.add(line);
        }
        assertEquals(ConfigKeys.markdownTable().strip(), String.join("\n", rows).strip(),
                "docs/configuration.md's configuration reference differs from ConfigKeys; paste the output of "
                        + "'java -cp target/classes dev.ferry.config.ConfigKeys' into docs/configuration.md");
    }

    @Test
    void anEmptyConfigurationGivesTheDefaultOfEveryKey() throws ConfigException {
        FerrySettings s = new ConfigLoader(name -> null).fromProperties(new Properties(), Path.of("conf"));
        for (Key<?> key : ConfigKeys.GLOBAL) {
            assertEquals(key.parse(java.util.Optional.empty()), s.get(key), key.name());
        }
        assertEquals(4, s.workers());
        assertEquals(1000, s.chunkSize());
        assertEquals(Path.of("var/spool").toAbsolutePath(), s.spoolDir());
        assertEquals(java.time.Duration.ofSeconds(300), s.poolIdleTimeout());
    }

    @Test
    void connectionOptionsDefaultAsThePoolOptionsOfTheOriginalFix() throws ConfigException {
        Properties props = new Properties();
        props.setProperty("connection.main.uri", "mongodb://db.example/app");
        ConnectionSettings c = new ConfigLoader(name -> null).fromProperties(props, Path.of("conf"))
                .connection("main").orElseThrow();
        assertEquals(DriverPoolOptions.DEFAULTS, c.options());
    }
}
