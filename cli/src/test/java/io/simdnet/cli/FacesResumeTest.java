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
 * A real {@code simdnet faces} process (its five settings as a sweep) killed in its third setting and resumed with
 * {@code --resume}: the two finished settings come back from their checkpoints without training, the third continues
 * from its last one, and the table equals that of a run never stopped.
 */
class FacesResumeTest {

    @TempDir
    Path dir;

    private Process start(Path data, Path out, Path log, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("faces", "--data", data.toString(), "--limit", "400", "--steps", "12", "--threads", "1",
                "--no-progress", "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliProcess.start(log, dir, List.of(), Main.class.getName(), args);
    }

    @Test
    void facesKilledInItsThirdSettingResumesToTheTableOfAnUnstoppedRun() throws Exception {
        Path data = Files.createDirectories(dir.resolve("faces"));
        FacesData.writeSynthetic(data, 400, 3);
        Path reference = dir.resolve("reference");
        Path referenceLog = dir.resolve("reference.log");
        assertEquals(0, CliProcess.finish(start(data, reference, referenceLog), referenceLog), Files.readString(referenceLog));

        Path out = dir.resolve("stopped");
        Path log = dir.resolve("stopped.log");
        Process process = start(data, out, log);
        // Killed once the third setting has written its first checkpoint (its first epoch is done).
        while (!thirdCheckpointWritten(out)) {
            assertTrue(process.isAlive(), "ended before its third setting's checkpoint:\n" + Files.readString(log));
            Thread.sleep(2);
        }
        process.destroyForcibly();
        CliProcess.finish(process, log);
        Path run = CliProcess.onlyRunFolder(out);

        Path resumeLog = dir.resolve("resume.log");
        assertEquals(0, CliProcess.finish(start(data, out, resumeLog, "--resume", run.toString()), resumeLog), Files.readString(resumeLog));
        String resumed = Files.readString(resumeLog);
        for (int setting = 1; setting <= 3; setting++) {
            assertTrue(resumed.contains("setting " + setting + ": lr") && resumed.contains("(resumed from settings/setting" + setting + ".safetensors)"),
                    "setting " + setting + " resumed\n" + resumed);
        }
        // Settings 1 and 2 had finished: restored, they train no epoch; the epoch lines come from settings 3 to 5.
        assertTrue(resumed.indexOf("Epoch ") > resumed.indexOf("setting 3: lr"), resumed);
        assertEquals(CliProcess.withoutLastColumn(CliProcess.onlyRunFolder(reference).resolve("sweep.csv")), CliProcess.withoutLastColumn(run.resolve("sweep.csv")));
    }

    private static boolean thirdCheckpointWritten(Path out) throws IOException {
        if (!Files.isDirectory(out)) {
            return false;
        }
        try (Stream<Path> runs = Files.list(out)) {
            return runs.anyMatch(run -> Files.isRegularFile(run.resolve("settings/setting3.safetensors")));
        }
    }
}
