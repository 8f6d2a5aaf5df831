package io.simdnet.codegen.gen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files: the source generated for a few specs per generator is compared with a checked-in copy under
 * {@code codegen/src/test/resources/golden/<ClassName>.java}, so a reviewer sees in the diff exactly what a
 * generator change does to the output. A mismatch fails with a unified diff (expected = the golden file).
 *
 * <p>After an intended change, regenerate the files and review their diff before committing:
 * <pre>
 * ./mvnw -q -B -ntp -pl codegen -am test -Dtest=GoldenSourcesTest -Dsurefire.failIfNoSpecifiedTests=false -Dgolden.update=true
 * </pre>
 * With {@code golden.update=true} the test writes each file (atomically) instead of comparing, deletes golden
 * files no spec below produces, and passes.
 */
class GoldenSourcesTest {

    /** GEMM: a square, an edge-heavy shape, NT and TN; convolution: im2col, direct, blocked (padded with ReLU; partial channel blocks with bias), dense; pooling: max, global average, padded double. */
    static final List<String> SPECS = List.of(
            "gemm f32 NN k=256 n=256 bits=512 regs=32",
            "gemm f32 NN k=100 n=10 bias=true bits=512 regs=32",
            "gemm f32 NT k=128 n=784 bits=512 regs=32",
            "gemm f32 TN k=784 n=128 bits=512 regs=32",
            "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bits=512 regs=32 algo=im2col",
            "conv2d f32 c=1 h=28 w=28 oc=6 kh=5 kw=5 padding=same relu=true bits=512 regs=32 algo=im2col",
            "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bits=512 regs=32",
            "conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 relu=true bits=512 regs=32 algo=direct",
            "conv2d f32 c=32 h=32 w=32 oc=32 kh=3 kw=3 pad=1 relu=true bits=256 regs=16",
            "conv2d f32 c=6 h=14 w=14 oc=16 kh=5 kw=5 bits=256 regs=16",
            "conv2d f32 c=16 h=5 w=5 oc=120 kh=5 kw=5 bits=512 regs=32",
            "conv2d f32 c=32 h=15 w=15 oc=32 kh=3 kw=3 sh=2 pad=1 algo=blocked bits=256 regs=16",
            "pool2d f32 max c=6 h=28 w=28 k=2 s=2 bits=512 regs=32",
            "pool2d f32 avg c=64 h=8 w=8 global=true bits=512 regs=32",
            "pool2d f64 max c=3 h=7 w=7 k=3 s=2 pad=1 bits=512 regs=32",
            // The same square for AVX2 (16 registers) and for 128-bit NEON-like vectors.
            "gemm f32 NN k=256 n=256 bits=256 regs=16",
            "gemm f32 NN k=256 n=256 bits=128 regs=32",
            "pool2d f32 max c=6 h=28 w=28 k=2 s=2 bits=256 regs=16");

    /** Relative to the module folder, where Maven runs the tests: the checked-in files, not a copy on the class path. */
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");

    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    /** Lines of context around each change in a mismatch's diff. */
    private static final int CONTEXT = 3;

    static Stream<String> specs() {
        return SPECS.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void generatedSourceEqualsTheGoldenFile(String key) throws IOException {
        KernelSpec spec = KernelSpec.parse(key);
        String generated = KernelGenerator.generate(spec).toString();
        Path golden = GOLDEN.resolve(spec.className() + ".java");
        if (UPDATE) {
            writeAtomically(golden, generated);
            return;
        }
        if (!Files.exists(golden)) {
            fail("no golden file " + golden.toAbsolutePath() + " for '" + key + "'; generate it with -Dgolden.update=true (see GoldenSourcesTest)");
        }
        String expected = Files.readString(golden, StandardCharsets.UTF_8);
        if (!expected.equals(generated)) {
            fail("generated source for '" + key + "' differs from " + golden + " (- golden, + generated); if the change is intended, "
                    + "regenerate with -Dgolden.update=true and review the diff:\n" + unifiedDiff(golden.toString(), expected, generated));
        }
    }

    /** A golden file no spec produces any more is stale: it would show reviewers output that nothing generates. */
    @Test
    void everyGoldenFileBelongsToASpec() throws IOException {
        Set<String> wanted = SPECS.stream().map(key -> KernelSpec.parse(key).className() + ".java").collect(Collectors.toCollection(TreeSet::new));
        Set<String> present = new TreeSet<>();
        if (Files.isDirectory(GOLDEN)) {
            try (Stream<Path> files = Files.list(GOLDEN)) {
                files.forEach(file -> present.add(file.getFileName().toString()));
            }
        }
        present.removeAll(wanted);
        if (UPDATE) {
            for (String stale : present) {
                Files.delete(GOLDEN.resolve(stale));
            }
            return;
        }
        assertEquals(Set.of(), present, "golden files in " + GOLDEN + " that no spec of GoldenSourcesTest generates");
    }

    @Test
    void aMismatchIsShownAsAUnifiedDiffWithContext() {
        String diff = unifiedDiff("Kernel.java", "a\nb\nc\nd\n", "a\nb\nX\nd\n");
        assertEquals(String.join("\n", "--- Kernel.java (golden)", "+++ Kernel.java (generated)", "@@ -1,4 +1,4 @@", " a", " b", "-c", "+X", " d"), diff);
    }

    static String unifiedDiff(String name, String expected, String actual) {
        List<String> before = expected.lines().toList();
        List<String> after = actual.lines().toList();
        List<String> diff = UnifiedDiffUtils.generateUnifiedDiff(name + " (golden)", name + " (generated)", before,
                DiffUtils.diff(before, after), CONTEXT);
        if (diff.isEmpty()) {
            // Same lines, so only line endings or the final newline differ.
            return "(the files differ only in line endings or the final newline)";
        }
        return String.join("\n", diff);
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temporary, text, StandardCharsets.UTF_8);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
