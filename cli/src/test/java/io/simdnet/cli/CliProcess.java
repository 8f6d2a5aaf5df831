package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.io.SafeTensors;
import io.simdnet.engine.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real command-line process for the tests that stop one (SIGTERM, SIGKILL) and resume it: the test JVM's own
 * classpath and JDK, the tests' kernel cache, its output to a file (destroy() closes pipes, and what came before
 * the kill is what such a test must read).
 */
public final class CliProcess {

    private CliProcess() {
    }

    /** Starts {@code mainClass} with {@code args}, extra JVM options first; its output goes to {@code log}. */
    public static Process start(Path log, Path scratch, List<String> jvmOptions, String mainClass, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-Dsimdnet.kernel.cache=" + System.getProperty("simdnet.kernel.cache", scratch.resolve("kernels").toString()), "-Dsimdnet.tune=off"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder.start();
    }

    /** Waits for {@code process} (three minutes at most) and returns its exit code. */
    public static int finish(Process process, Path log) throws Exception {
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), "process did not end:\n" + Files.readString(log));
        return process.exitValue();
    }

    /** The one run folder under {@code out}. */
    public static Path onlyRunFolder(Path out) throws IOException {
        try (Stream<Path> runs = Files.list(out)) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    /** A table's CSV without its last column (the wall time, which no two runs share). */
    public static List<String> withoutLastColumn(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().map(line -> line.substring(0, line.lastIndexOf(','))).toList();
    }

    /** The two weight files hold the same tensors, bit for bit. */
    public static void assertSameWeights(Path expected, Path actual) throws IOException {
        Map<String, Tensor> a = SafeTensors.read(expected).tensors();
        Map<String, Tensor> b = SafeTensors.read(actual).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String name : a.keySet()) {
            assertArrayEquals(a.get(name).floats(), b.get(name).floats(), 0f, name);
        }
    }
}
