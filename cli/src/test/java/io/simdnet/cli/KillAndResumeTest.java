package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code simdnet fashion-mlp} process killed at several points (SIGTERM between steps, SIGTERM as an epoch's
 * checkpoint is being written, SIGKILL as one is being written) and resumed with {@code --resume} ends with the
 * weights of an uninterrupted run, bit for bit, and leaves no temporary file.
 */
class KillAndResumeTest {

    private static final List<String> ARGS = List.of("fashion-mlp", "--limit", "3000", "--epochs", "4", "--batch-size", "32", "--threads", "1",
            "--no-progress");

    @TempDir
    Path dir;

    private Process start(Path out, Path log, String... extra) throws IOException {
        List<String> args = new ArrayList<>(ARGS);
        args.addAll(List.of("--out", out.toString()));
        args.addAll(List.of(extra));
        return CliProcess.start(log, dir, List.of(), Main.class.getName(), args);
    }

    /** Waits until {@code epochLines} epoch lines are in the log; false if the process ended first. */
    private static boolean awaitEpochs(Process process, Path log, int epochLines) throws Exception {
        while (true) {
            long seen = Files.readAllLines(log).stream().filter(line -> line.startsWith("Epoch ")).count();
            if (seen >= epochLines) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(5);
        }
    }

    private static void assertNoTemporaryFiles(Path run) throws IOException {
        try (Stream<Path> files = Files.list(run)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".") || n.contains(".tmp")).toList();
            assertTrue(left.isEmpty(), "temporary files left in " + run + ": " + left);
        }
    }

    @Test
    void killedRunsResumeToTheUninterruptedWeights() throws Exception {
        Path reference = dir.resolve("reference");
        Path referenceLog = dir.resolve("reference.log");
        assertEquals(0, CliProcess.finish(start(reference, referenceLog), referenceLog), Files.readString(referenceLog));
        Path expected = CliProcess.onlyRunFolder(reference).resolve("weights.safetensors");

        record KillPoint(String name, int afterEpochLines, long delayMillis, boolean forcibly) {
        }
        // The epoch line is printed just before that epoch's checkpoint is written: killing on it lands in or right
        // before the write; a delay lands between steps of the next epoch.
        for (KillPoint point : List.of(new KillPoint("SIGTERM between steps", 1, 150, false),
                new KillPoint("SIGTERM during a checkpoint write", 2, 0, false),
                new KillPoint("SIGKILL during a checkpoint write", 2, 0, true))) {
            Path out = dir.resolve(point.name().replace(' ', '-'));
            Path log = dir.resolve(point.name().replace(' ', '-') + ".log");
            Process process = start(out, log);
            assertTrue(awaitEpochs(process, log, point.afterEpochLines()), point.name() + ": ended before the kill point:\n" + Files.readString(log));
            Thread.sleep(point.delayMillis());
            if (point.forcibly()) {
                process.destroyForcibly();
            } else {
                process.destroy();
            }
            int code = CliProcess.finish(process, log);
            Path run = CliProcess.onlyRunFolder(out);
            if (!point.forcibly()) {
                String text = Files.readString(log);
                assertTrue(code == 143 || code == 130, point.name() + ": exit " + code + "\n" + text);
                assertTrue(text.contains("--resume " + run), point.name() + ": no resume hint\n" + text);
                assertNoTemporaryFiles(run);
            }
            Path resumeLog = dir.resolve(point.name().replace(' ', '-') + "-resume.log");
            assertEquals(0, CliProcess.finish(start(out, resumeLog, "--resume", run.toString()), resumeLog), point.name() + ": resume failed\n"
                    + Files.readString(resumeLog));
            CliProcess.assertSameWeights(expected, run.resolve("weights.safetensors"));
            assertNoTemporaryFiles(run);
            assertEquals(5, Files.readAllLines(run.resolve("metrics.csv")).size(), point.name() + ": header and 4 epochs in metrics.csv");
        }
    }
}
