package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README and docs/ are the project's front door and its manual: every relative link and image they hold must
 * lead to a file that exists, and every {@code #anchor} to a heading of its target, as GitHub renders them. CI runs
 * this with the other tests, so a moved file or a renamed heading fails the build instead of a reader.
 */
class DocumentationLinksTest {

    /** The README is a front door, not a manual: what it is, how to start, one table, where to read on. */
    private static final int README_MAX_LINES = 250;

    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title; text may hold one level of brackets. */
    private static final Pattern MARKDOWN_LINK = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

    /** {@code <img src="...">} and {@code <a href="...">}, which the README uses to place pictures side by side. */
    private static final Pattern HTML_LINK = Pattern.compile("<(?:img|a)\\b[^>]*?\\b(?:src|href)\\s*=\\s*\"([^\"]+)\"", Pattern.CASE_INSENSITIVE);

    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");

    private static final Pattern INLINE_CODE = Pattern.compile("`+[^`]*`+");

    private final Path root = projectRoot();

    @Test
    void everyRelativeLinkLeadsToAnExistingFileAndHeading() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        for (Path document : documents()) {
            List<String> lines = Files.readAllLines(document, StandardCharsets.UTF_8);
            List<String> prose = withoutCode(lines);
            for (int i = 0; i < prose.size(); i++) {
                for (String target : linkTargets(prose.get(i))) {
                    String problem = check(document, target, anchorsByFile);
                    if (problem != null) {
                        problems.add(root.relativize(document) + ":" + (i + 1) + ": " + target + ": " + problem);
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " broken link(s) in README.md and docs/:\n  " + String.join("\n  ", problems));
    }

    @Test
    void readmeFitsOnAFewScreens() throws IOException {
        int lines = Files.readAllLines(root.resolve("README.md"), StandardCharsets.UTF_8).size();
        assertTrue(lines <= README_MAX_LINES, () -> "README.md has " + lines + " lines, expected at most " + README_MAX_LINES
                + "; move the detail into docs/");
    }

    @Test
    void headingSlugsFollowGitHubsRules() {
        assertEquals("modes-when-tuning-happens", slug("Modes: when tuning happens"));
        assertEquals("the-command-line-binsimdnet", slug("The command line: `bin/simdnet`"));
        assertEquals("zen-5-cpu-family-26", slug("Zen 5 (CPU family 26)"));
        assertEquals("the-launchers-jvm-options", slug("The launcher's JVM options"));
        assertEquals("read_file-and-find-files", slug("read_file and find-files"));
        assertEquals("pytorch-weights", slug("[PyTorch](https://pytorch.org) weights"));
    }

    @Test
    void linksInCodeAreNotLinks() {
        List<String> prose = withoutCode(List.of("text [a](a.md)", "```", "[b](b.md)", "```", "", "    [c](c.md)", "", "`[d](d.md)` [e](e.md)"));
        List<String> targets = new ArrayList<>();
        prose.forEach(line -> targets.addAll(linkTargets(line)));
        assertEquals(List.of("a.md", "e.md"), targets);
    }

    /** README.md and every Markdown file under docs/. */
    private List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(root.resolve("README.md"));
        try (Stream<Path> files = Files.walk(root.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    /** Null when {@code target}, written in {@code document}, resolves; else what is wrong with it. */
    private String check(Path document, String target, Map<Path, Set<String>> anchorsByFile) {
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("mailto:")) {
            return null;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? document : document.getParent().resolve(decode(path)).normalize();
        if (!file.startsWith(root)) {
            return "leads outside the repository";
        }
        if (!Files.exists(file)) {
            return "no such file " + root.relativize(file);
        }
        if (anchor == null) {
            return null;
        }
        if (!file.toString().endsWith(".md")) {
            return "an anchor into " + root.relativize(file) + ", which has no headings";
        }
        Set<String> anchors = anchorsByFile.computeIfAbsent(file, DocumentationLinksTest::anchors);
        String wanted = decode(anchor).toLowerCase(Locale.ROOT);
        return anchors.contains(wanted) ? null : "no heading '#" + anchor + "' in " + root.relativize(file);
    }

    /** The anchors GitHub gives a file's headings: each slug, and slug-1, slug-2, … for repeats. */
    private static Set<String> anchors(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (inFence || !heading.matches()) {
                continue;
            }
            String slug = slug(heading.group(2));
            int repeats = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(repeats == 0 ? slug : slug + "-" + repeats);
        }
        return anchors;
    }

    /**
     * GitHub's heading anchor: the heading's text (a link counts as its text, code as its content), lowercase, each
     * space a '-', every character that is not a letter, digit, '-' or '_' dropped.
     */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
        StringBuilder slug = new StringBuilder();
        text.toLowerCase(Locale.ROOT).codePoints().forEach(c -> {
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.appendCodePoint(c);
            }
        });
        return slug.toString();
    }

    /** The lines with fenced and indented code blocks blanked out, so that links are looked for in prose only. */
    static List<String> withoutCode(List<String> lines) {
        List<String> prose = new ArrayList<>();
        boolean inFence = false;
        boolean inIndentedCode = false;
        String previous = "";
        for (String line : lines) {
            boolean fence = FENCE.matcher(line).find();
            if (fence) {
                inFence = !inFence;
            }
            boolean indented = line.startsWith("    ") || line.startsWith("\t");
            // An indented line is code when it follows a blank line or other code, not when it continues a list item.
            inIndentedCode = !inFence && !fence && indented && (inIndentedCode || previous.isBlank());
            prose.add(fence || inFence || inIndentedCode ? "" : line);
            if (!(indented && inIndentedCode)) {
                previous = line;
            }
        }
        return prose;
    }

    /** Every link and image target on one line of prose, inline code excepted. */
    static List<String> linkTargets(String line) {
        String text = INLINE_CODE.matcher(line).replaceAll("");
        List<String> targets = new ArrayList<>();
        for (Pattern pattern : List.of(MARKDOWN_LINK, HTML_LINK)) {
            Matcher m = pattern.matcher(text);
            while (m.find()) {
                targets.add(m.group(1));
            }
        }
        return targets;
    }

    /** A link's %-escapes decoded; a '+' stays a '+' (URLDecoder would make it a space, as in a form). */
    private static String decode(String linkPart) {
        return URLDecoder.decode(linkPart.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The repository's root: the test runs in cli/, and README.md and docs/ sit one level up. */
    private static Path projectRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs"))) {
                return p;
            }
        }
        throw new IllegalStateException("no README.md with a docs/ folder beside it in " + dir + " or above");
    }
}
