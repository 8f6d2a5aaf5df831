package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run whose output goes to a file ({@code bin/simdnet lenet5 > log 2>&1}) leaves a log to read: lines,
 * not progress-bar frames joined by carriage returns, and no warnings from the JVM about the libraries.
 */
class LogFileOutputTest {

    /**
     * The JDK prints this for every program that uses an incubator module (the Vector API), and no option turns it
     * off; it is the one warning a run may print.
     */
    private static final String INCUBATOR_WARNING = "WARNING: Using incubator modules: jdk.incubator.vector";

    @TempDir
    Path dir;

    @Test
    void trainingIntoALogFileWritesPlainLinesWithoutCarriageReturnsOrWarnings() throws Exception {
        Path log = dir.resolve("log.txt");
        // The progress bar is on (no --no-progress), as in a plain bin/simdnet run.
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true",
                "-Dsimdnet.kernel.cache=" + System.getProperty("simdnet.kernel.cache", dir.resolve("kernels").toString()),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "lenet5", "--epochs", "2", "--limit", "300", "--threads", "1", "--out", dir.resolve("runs").toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "process did not end");
        String output = Files.readString(log);
        assertEquals(0, process.exitValue(), output);
        assertFalse(output.contains("\r"), "carriage returns in the log:\n" + output.replace("\r", "<CR>"));
        List<String> warnings = output.lines().filter(line -> line.contains("WARNING") && !line.equals(INCUBATOR_WARNING)).toList();
        assertEquals(List.of(), warnings, output);
        assertEquals(2, output.lines().filter(line -> line.matches("Epoch [12]/2  loss .*")).count(), "one line per epoch:\n" + output);
    }
}
