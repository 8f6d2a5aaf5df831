package io.simdnet.codegen.gen;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

/** Structural facts every generated file must show, whatever the generator: what a reader of the output relies on. */
final class GeneratedSourceAssertions {

    private GeneratedSourceAssertions() {
    }

    /** Generated code depends on the kernel API only: a generator class on its class path would drag codegen into the engine. */
    static void assertImportsNoGenerator(String source) {
        for (String line : lines(source)) {
            if (line.startsWith("import io.simdnet.codegen") || line.contains("io.simdnet.codegen.")) {
                fail("generated source names a codegen class: " + line.strip());
            }
        }
    }

    /** No line that is only "{": the stray block a {@code beginControlFlow("")} leaves, which scopes nothing. */
    static void assertNoBareBlocks(String source) {
        List<String> lines = lines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals("{")) {
                fail("line " + (i + 1) + " of the generated source is a bare block '{'; after: " + lines.get(Math.max(0, i - 1)).strip());
            }
        }
    }

    /** The fragment does not occur; {@code why} says why it would be dead or wrong here. */
    static void assertAbsent(String source, String fragment, String why) {
        List<String> lines = lines(source);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(fragment)) {
                fail("line " + (i + 1) + " holds '" + fragment + "' (" + why + "): " + lines.get(i).strip());
            }
        }
    }

    static void assertPresent(String source, String fragment, String why) {
        if (!source.contains(fragment)) {
            fail("the generated source lacks '" + fragment + "' (" + why + ")");
        }
    }

    private static List<String> lines(String source) {
        return source.lines().toList();
    }
}
