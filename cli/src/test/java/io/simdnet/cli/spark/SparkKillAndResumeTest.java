package io.simdnet.cli.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.cli.CliProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real {@code simdnet lenet5 --master local[2]} process stopped with SIGTERM in its second epoch and resumed with
 * {@code --resume} ends with the weights of a run that was never stopped, bit for bit, with gradient averaging
 * (K = 1) and parameter averaging (K > 1): the data-parallel run goes through the same training loop, checkpoint
 * and resumption as a local one.
 */
class SparkKillAndResumeTest {

    @TempDir
    Path dir;

    private Process start(Path out, Path log, int syncEvery, String... extra) throws IOException {
        Path jvmOptions = Path.of("..", "spark", "jvm.options").toAbsolutePath().normalize();
        List<String> args = new ArrayList<>(List.of("lenet5", "--master", "local[2]", "--limit", "1000", "--epochs", "3", "--batch-size", "8",
                "--sync-every", Integer.toString(syncEvery), "--no-progress", "--out", out.toString()));
        args.addAll(List.of(extra));
        return CliProcess.start(log, dir, List.of("@" + jvmOptions), SparkMain.class.getName(), args);
    }

    @ParameterizedTest(name = "sync every {0}")
    @ValueSource(ints = {1, 4})
    void aStoppedDataParallelRunResumesToTheUnstoppedWeights(int syncEvery) throws Exception {
        Path reference = dir.resolve("reference");
        Path referenceLog = dir.resolve("reference.log");
        assertEquals(0, CliProcess.finish(start(reference, referenceLog, syncEvery), referenceLog), Files.readString(referenceLog));

        Path out = dir.resolve("stopped");
        Path log = dir.resolve("stopped.log");
        Process process = start(out, log, syncEvery);
        while (Files.readAllLines(log).stream().noneMatch(line -> line.startsWith("Epoch 1/3"))) {
            assertTrue(process.isAlive(), "ended before its first epoch line:\n" + Files.readString(log));
            Thread.sleep(5);
        }
        Thread.sleep(300);
        process.destroy();
        int code = CliProcess.finish(process, log);
        String text = Files.readString(log);
        Path run = CliProcess.onlyRunFolder(out);
        assertTrue(code == 143 || code == 130, "exit " + code + "\n" + text);
        assertTrue(text.contains("--resume " + run), "no resume hint\n" + text);
        assertTrue(text.contains("Training stopped at epoch 2"), "stopped in the second epoch\n" + text);

        Path resumeLog = dir.resolve("resume.log");
        assertEquals(0, CliProcess.finish(start(out, resumeLog, syncEvery, "--resume", run.toString()), resumeLog), Files.readString(resumeLog));
        CliProcess.assertSameWeights(CliProcess.onlyRunFolder(reference).resolve("weights.safetensors"), run.resolve("weights.safetensors"));
        assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size(), "header and 3 epochs in metrics.csv");
    }
}
