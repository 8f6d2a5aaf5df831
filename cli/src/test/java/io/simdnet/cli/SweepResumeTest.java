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
 * A real {@code simdnet sweep} process killed after two of its four trials, then resumed with {@code --resume}: the
 * resumed sweep runs only the trials that had not finished, and its table equals that of a sweep never stopped.
 */
class SweepResumeTest {

    private static final String TRIAL_LINE = "best val acc";

    @TempDir
    Path dir;

    private Process start(Path out, Path log, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("sweep", "--model", "fashion-mlp", "--limit", "800", "--epochs", "2", "--lrs", "1e-3,3e-3",
                "--batch-sizes", "32,64", "--dropouts", "0", "--threads", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliProcess.start(log, dir, List.of(), Main.class.getName(), args);
    }

    private static long trialLines(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(line -> line.startsWith("lr ") && line.contains(TRIAL_LINE)).count();
    }

    private static long finishedTrials(Path run) throws IOException {
        try (Stream<Path> files = Files.list(run.resolve("trials"))) {
            return files.filter(p -> p.getFileName().toString().matches("trial-\\d{4}\\.json")).count();
        }
    }

    @Test
    void aSweepKilledAfterTwoOfFourTrialsResumesWithOnlyTheOtherTwo() throws Exception {
        Path reference = dir.resolve("reference");
        Path referenceLog = dir.resolve("reference.log");
        assertEquals(0, CliProcess.finish(start(reference, referenceLog), referenceLog), Files.readString(referenceLog));
        assertEquals(4, trialLines(referenceLog));

        Path out = dir.resolve("stopped");
        Path log = dir.resolve("stopped.log");
        Process process = start(out, log);
        while (trialLines(log) < 2) {
            assertTrue(process.isAlive(), "ended before two trials:\n" + Files.readString(log));
            Thread.sleep(2);
        }
        process.destroyForcibly();
        CliProcess.finish(process, log);
        Path run = CliProcess.onlyRunFolder(out);
        long finished = finishedTrials(run);
        // The kill follows the second trial's line within milliseconds, a trial takes a second or more.
        assertEquals(2, finished, "trials kept after the kill\n" + Files.readString(log));

        Path resumeLog = dir.resolve("resume.log");
        assertEquals(0, CliProcess.finish(start(out, resumeLog, "--resume", run.toString()), resumeLog), Files.readString(resumeLog));
        String resumed = Files.readString(resumeLog);
        assertTrue(resumed.contains("2 of 4 trials finished earlier, running the other 2"), resumed);
        assertEquals(2, trialLines(resumeLog), "trials run by the resumed sweep\n" + resumed);
        assertEquals(CliProcess.withoutLastColumn(CliProcess.onlyRunFolder(reference).resolve("sweep.csv")), CliProcess.withoutLastColumn(run.resolve("sweep.csv")));
        assertEquals(4, finishedTrials(run));
    }
}
