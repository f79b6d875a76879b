package dev.ferry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is a front door and {@code docs/} holds the rest: the README stays small, every relative
 * link and anchor in them resolves, every heading a comment cites exists in the page it names, and no
 * package registry or mirror address is written anywhere in the tree. Each failure names the file,
 * the line and what is broken.
 */
class DocsLinksTest {
    private static final Path TOP = Path.of("").toAbsolutePath();
    private static final int README_MAX_BYTES = 20_000;

    /** {@code [text](target)}, images included; the target ends at a blank or the closing parenthesis. */
    private static final Pattern LINK = Pattern.compile("\\[[^\\]\\n]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    /** A page as comments name it: README, README.md, docs/page.md or another top-level NAME.md. */
    private static final String PAGE = "(README(?:\\.md)?|docs/[\\w.-]+\\.md|[A-Z][A-Z_-]*\\.md)";
    /**
     * PAGE, then a comma and one quoted heading or several joined by "and" or commas, where PAGE is
     * README, README.md or docs/NAME.md; in parentheses or not.
     */
    private static final Pattern CITATION = Pattern.compile(
            "(?<![\\w/.-])" + PAGE + "\\s*,\\s*(\"[^\"\\n]+\"(?:\\s*(?:,|and)\\s*\"[^\"\\n]+\")*)");
    /** An opening parenthesis, an optional "see", PAGE and a comma: the page must exist, quoted heading or not. */
    private static final Pattern CITED_PAGE = Pattern.compile("\\((?:see\\s+)?" + PAGE + "\\s*,\\s");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"\\n]+)\"");

    /**
     * Package registries and distribution mirrors: the tree must take them from the machine it runs on
     * (apt sources, Maven settings), never name one itself. Written with escaped dots so that this
     * file does not match itself.
     */
    private static final Pattern REGISTRY = Pattern.compile(String.join("|",
            "\\b(?:deb|security|ftp(?:\\.[a-z]{2})?|snapshot|archive)\\.debian\\.org\\b",
            "\\b(?:[a-z]{2}\\.)?(?:archive|security|ports)\\.ubuntu\\.com\\b",
            "\\brepo1?\\.maven(?:\\.apache)?\\.org\\b",
            "\\b(?:central|oss|s01\\.oss)\\.sonatype\\.(?:org|com)\\b",
            "\\bplugins\\.gradle\\.org\\b",
            "\\bregistry\\.(?:npmjs\\.org|yarnpkg\\.com)\\b",
            "\\b(?:pypi\\.org|pypi\\.python\\.org|files\\.pythonhosted\\.org)\\b",
            "\\bproxy\\.golang\\.org\\b",
            "\\b(?:index|static)\\.crates\\.io\\b",
            "\\brubygems\\.org\\b",
            "\\bdl-cdn\\.alpinelinux\\.org\\b",
            "https?://[^\\s\"'<>)]*/(?:debian|debian-security|ubuntu)/?(?=[\\s\"'<>)]|$)"));

    @Test
    void readmeIsAFrontDoorAndDocsHoldTheRest() throws IOException {
        long size = Files.size(TOP.resolve("README.md"));
        assertTrue(size <= README_MAX_BYTES, "README.md is " + size + " bytes, more than " + README_MAX_BYTES
                + ": move a section to docs/ and link it");
        List<Path> pages = docsPages();
        assertTrue(pages.size() >= 5, "docs/ has " + pages.size() + " .md pages, fewer than 5: " + pages);
    }

    @Test
    void everyRelativeLinkAndAnchorResolves() throws IOException {
        List<String> broken = new ArrayList<>();
        List<Path> pages = new ArrayList<>(List.of(TOP.resolve("README.md")));
        pages.addAll(docsPages());
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            boolean fenced = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (fenced) {
                    continue;
                }
                Matcher m = LINK.matcher(withoutCodeSpans(line));
                while (m.find()) {
                    String problem = problemWith(page, m.group(1));
                    if (problem != null) {
                        broken.add(where(page, i + 1) + ": link (" + m.group(1) + "): " + problem);
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), () -> "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void everyCitedHeadingExists() throws IOException {
        Set<String> broken = new LinkedHashSet<>();
        for (Path file : trackedTextFiles()) {
            Joined text = Joined.of(file);
            Matcher m = CITATION.matcher(text.text);
            while (m.find()) {
                Path page = citedPage(m.group(1));
                if (!Files.isRegularFile(page)) {
                    broken.add(where(file, text.lineAt(m.start())) + ": " + m.group(1) + " does not exist");
                    continue;
                }
                Set<String> slugs = headingSlugs(page);
                Matcher q = QUOTED.matcher(m.group(2));
                while (q.find()) {
                    if (!slugs.contains(slug(q.group(1)))) {
                        broken.add(where(file, text.lineAt(m.start())) + ": " + m.group(1) + ", \"" + q.group(1)
                                + "\": " + TOP.relativize(page) + " has no such heading");
                    }
                }
            }
            Matcher p = CITED_PAGE.matcher(text.text);
            while (p.find()) {
                if (!Files.isRegularFile(citedPage(p.group(1)))) {
                    broken.add(where(file, text.lineAt(p.start())) + ": " + p.group(1) + " does not exist");
                }
            }
        }
        assertTrue(broken.isEmpty(), () -> "citations of pages or headings that do not exist (name the page "
                + "under docs/ and the heading where the text now is):\n" + String.join("\n", broken));
    }

    /** {@code `pkg.Class`}, {@code `pkg.sub.Class.Nested`} or {@code `pkg.Class.method`} as the architecture page names code. */
    private static final Pattern CODE_NAME = Pattern.compile("`((?:[a-z]+\\.)+)([A-Z]\\w*)((?:\\.\\w+)*)`");

    /**
     * The architecture page's way of a job and of one chunk name classes by package: each one exists,
     * and a nested class or method it names after the class is in that class's file.
     */
    @Test
    void everyClassTheArchitecturePageNamesExists() throws IOException {
        Path page = TOP.resolve("docs/architecture.md");
        List<String> lines = Files.readAllLines(page);
        Set<String> broken = new LinkedHashSet<>();
        int named = 0;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = CODE_NAME.matcher(lines.get(i));
            while (m.find()) {
                Path source = TOP.resolve("src/main/java/dev/ferry/" + m.group(1).replace('.', '/') + m.group(2) + ".java");
                named++;
                if (!Files.isRegularFile(source)) {
                    broken.add("docs/architecture.md:" + (i + 1) + ": " + m.group(0) + ": no " + TOP.relativize(source));
                    continue;
                }
                String code = Files.readString(source);
                for (String member : m.group(3).split("\\.")) {
                    if (!member.isEmpty() && !Pattern.compile("\\b" + member + "\\b").matcher(code).find()) {
                        broken.add("docs/architecture.md:" + (i + 1) + ": " + m.group(0) + ": " + member + " is not in "
                                + TOP.relativize(source));
                    }
                }
            }
        }
        assertTrue(named >= 20, "the architecture page names the classes of a job's way: " + named);
        assertTrue(broken.isEmpty(), () -> "classes the architecture page names that do not exist:\n"
                + String.join("\n", broken));
    }

    @Test
    void noRegistryOrMirrorAddressInTheTree() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : trackedTextFiles()) {
            List<String> lines = lines(file);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = REGISTRY.matcher(lines.get(i));
                while (m.find()) {
                    found.add(where(file, i + 1) + ": " + m.group());
                }
            }
        }
        assertTrue(found.isEmpty(), () -> "package registry or mirror addresses (take them from the host's "
                + "configuration instead):\n" + String.join("\n", found));
    }

    // ---- links ----

    /** Why a link target does not resolve, or null when it does (or is not relative). */
    private static String problemWith(Path page, String target) throws IOException {
        if (target.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || target.startsWith("//")) {
            return null; // http:, https:, mailto:, file: ... are not checked
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? page : page.getParent().resolve(path).normalize();
        if (!file.startsWith(TOP)) {
            return "points outside the repository";
        }
        if (!Files.exists(file)) {
            return TOP.relativize(file) + " does not exist";
        }
        if (anchor == null) {
            return null;
        }
        if (!file.toString().endsWith(".md") || Files.isDirectory(file)) {
            return "an anchor into " + TOP.relativize(file) + ", which is not a markdown page";
        }
        if (!headingSlugs(file).contains(anchor)) {
            return TOP.relativize(file) + " has no heading with anchor #" + anchor;
        }
        return null;
    }

    /** The anchors GitHub gives a page's headings: each slug, and slug-1, slug-2 ... for repeats. */
    private static Set<String> headingSlugs(Path page) throws IOException {
        Set<String> slugs = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean fenced = false;
        for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            Matcher h = HEADING.matcher(line);
            if (fenced || !h.matches()) {
                continue;
            }
            String s = slug(h.group(2));
            int n = seen.merge(s, 1, Integer::sum) - 1;
            slugs.add(n == 0 ? s : s + "-" + n);
        }
        return slugs;
    }

    /**
     * GitHub's anchor of a heading: lower case; markdown link syntax reduced to its text; every
     * character that is not a letter, digit, space, {@code -} or {@code _} dropped; spaces become
     * {@code -}.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
            } else if (c == ' ') {
                out.append('-');
            }
        });
        return out.toString();
    }

    private static String withoutCodeSpans(String line) {
        return line.replaceAll("`[^`]*`", "``");
    }

    // ---- citations ----

    private static Path citedPage(String name) {
        return TOP.resolve(name.equals("README") ? "README.md" : name).normalize();
    }

    /**
     * A file's text with each line's comment marker ({@code //}, {@code *}, {@code #}) dropped and the
     * lines joined by a space, so that a citation broken over two comment lines (or over two Java
     * string literals joined by {@code +}) reads as one; {@link #lineAt} maps back to the line.
     */
    private record Joined(String text, int[] lineStarts) {
        static Joined of(Path file) {
            List<String> lines = lines(file);
            StringBuilder text = new StringBuilder();
            int[] starts = new int[lines.size()];
            for (int i = 0; i < lines.size(); i++) {
                starts[i] = text.length();
                String line = lines.get(i);
                if (i > 0) {
                    line = line.replaceFirst("^\\s*(?://+|\\*|#+)?\\s*", "");
                }
                // "... \"How chunks are " + "written\" ..." in Java source: one quoted heading
                line = line.replaceAll("\"\\s*\\+\\s*\"", "").replace("\\\"", "\"");
                text.append(line).append(' ');
            }
            String joined = text.toString().replaceAll("\"\\s*\\+\\s*\"", "");
            return new Joined(joined, starts);
        }

        int lineAt(int offset) {
            int at = Arrays.binarySearch(lineStarts, offset);
            return (at >= 0 ? at : -at - 2) + 1;
        }
    }

    // ---- the tree ----

    private static List<Path> docsPages() throws IOException {
        try (Stream<Path> s = Files.list(TOP.resolve("docs"))) {
            return s.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /**
     * The files git tracks (or, without git, every file but target/, var/ and .git), text only: a file
     * with a NUL byte in its first 8 KiB is skipped as binary.
     */
    private static List<Path> trackedTextFiles() throws IOException {
        List<Path> files = gitLsFiles();
        if (files == null) {
            try (Stream<Path> s = Files.walk(TOP)) {
                files = s.filter(Files::isRegularFile)
                        .filter(p -> {
                            String first = TOP.relativize(p).getName(0).toString();
                            return !first.equals("target") && !first.equals("var") && !first.equals(".git");
                        }).sorted().toList();
            }
        }
        List<Path> text = new ArrayList<>();
        for (Path f : files) {
            if (Files.isRegularFile(f) && !binary(f)) {
                text.add(f);
            }
        }
        return text;
    }

    private static List<Path> gitLsFiles() {
        try {
            Process git = new ProcessBuilder("git", "ls-files", "-z").directory(TOP.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = git.getInputStream().readAllBytes();
            if (!git.waitFor(30, TimeUnit.SECONDS) || git.exitValue() != 0) {
                return null;
            }
            List<Path> files = new ArrayList<>();
            for (String name : new String(out, StandardCharsets.UTF_8).split("\0")) {
                if (!name.isEmpty()) {
                    files.add(TOP.resolve(name));
                }
            }
            return files.isEmpty() ? null : files;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean binary(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8192);
            for (byte b : head) {
                if (b == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Arrays.asList(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String where(Path file, int line) {
        return TOP.relativize(file) + ":" + line;
    }
}
