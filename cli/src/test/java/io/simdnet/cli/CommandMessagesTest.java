package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Idx;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every failure a user can cause is one line naming the option or file, with a documented exit code. */
class CommandMessagesTest {

    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    private Path writeMnist() throws IOException {
        Path mnist = Files.createDirectories(dir.resolve("data/mnist"));
        Rng rng = new Rng(1);
        Tensor train = Tensor.zeros(DType.F32, 200, 1, 28, 28);
        Tensor test = Tensor.zeros(DType.F32, 40, 1, 28, 28);
        for (Tensor t : List.of(train, test)) {
            for (int i = 0; i < t.size(); i++) {
                t.set(i, rng.nextInt(256));
            }
        }
        Tensor trainLabels = Tensor.zeros(DType.F32, 200);
        Tensor testLabels = Tensor.zeros(DType.F32, 40);
        for (Tensor t : List.of(trainLabels, testLabels)) {
            for (int i = 0; i < t.size(); i++) {
                t.set(i, rng.nextInt(10));
            }
        }
        Idx.writeImages(mnist.resolve("train-images-idx3-ubyte"), train);
        Idx.writeLabels(mnist.resolve("train-labels-idx1-ubyte"), trainLabels);
        Idx.writeImages(mnist.resolve("t10k-images-idx3-ubyte"), test);
        Idx.writeLabels(mnist.resolve("t10k-labels-idx1-ubyte"), testLabels);
        return dir.resolve("data");
    }

    @Test
    void divergenceIsOneLineWithExitCode3AndTheRunFolderKeepsEveryStepBeforeIt() throws IOException {
        Path data = writeMnist();
        Path runs = dir.resolve("runs");
        assertEquals(RunFailedException.DIVERGED, run("mnist-mlp", "--data", data.toString(), "--out", runs.toString(), "--epochs", "20", "--lr", "1e6",
                "--no-progress"));
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("simdnet mnist-mlp: Loss is ") && message.contains("step"), message);
        Path run;
        try (Stream<Path> folders = Files.list(runs)) {
            run = folders.findFirst().orElseThrow();
        }
        List<String> steps = Files.readAllLines(run.resolve("step_losses.csv"));
        assertTrue(steps.size() >= 2, "the steps before the divergence: " + steps);
        assertTrue(Files.readString(run.resolve("metrics.json")).contains("\"diverged\""));
        assertTrue(message.contains(run.toString()), message);
    }

    @Test
    void badOptionValuesAreNamedBeforeAnyDataIsLoaded() {
        // No data folder exists: were the data loaded first, the error would be about the data.
        String nowhere = dir.resolve("nowhere").toString();
        assertEquals(2, run("mnist-mlp", "--limit", "0", "--data", nowhere));
        assertTrue(err.toString().contains("--limit must be positive, got 0"), err.toString());
        assertEquals(2, run("cifar-best", "--batch-size", "-1", "--data", nowhere));
        assertTrue(err.toString().contains("--batch-size must be positive, got -1"), err.toString());
        assertEquals(2, run("lenet5", "--resume", nowhere));
        assertTrue(err.toString().contains("--resume " + nowhere + ": does not exist"), err.toString());
    }

    @Test
    void commandsThatKeepNoCheckpointRefuseResumeInOneLine() throws IOException {
        Path runDir = Files.createDirectories(dir.resolve("old-run"));
        Files.writeString(runDir.resolve(ClassificationRun.CHECKPOINT), "x");
        assertEquals(2, run("sparse-autoencoder", "--resume", runDir.toString()));
        assertTrue(err.toString().contains("--resume: ") && err.toString().contains("keeps no checkpoint"), err.toString());
    }

    @Test
    void sweepsResumeOnlyAFolderWithTheirOwnCheckpointsNamingWhatIsMissing() throws IOException {
        // A classification run's folder (one checkpoint file) is not a sweep's: the sweep keeps trials/, faces settings/.
        Path runDir = Files.createDirectories(dir.resolve("old-run"));
        Files.writeString(runDir.resolve(ClassificationRun.CHECKPOINT), "x");
        for (String[] command : new String[][] {{"sweep", "trials"}, {"faces", "settings"}}) {
            err.getBuffer().setLength(0);
            assertEquals(2, run(command[0], "--resume", runDir.toString()), command[0]);
            assertEquals("simdnet " + command[0] + ": --resume " + runDir + ": no " + command[1]
                    + " in it, expected the folder of a run that wrote a checkpoint", err.toString().strip(), command[0]);
        }
    }

    @Test
    void anOutThatIsAFileIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        assertEquals(2, run("fashion-mlp", "--limit", "100", "--epochs", "1", "--out", file.toString()));
        assertTrue(err.toString().contains("--out " + file + ": is a file"), err.toString());
    }

    @Test
    void aFolderGivenForADataFileIsNamed() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("patches.npy"));
        assertEquals(2, run("sparse-autoencoder", "--patches", folder.toString(), "--epochs", "1", "--out", dir.resolve("runs").toString()));
        assertTrue(err.toString().contains(folder + ": is a folder, expected a file"), err.toString());
    }

    @Test
    void everyCommandsHelpPrintsNoFormattingWarningsOrUnresolvedVariables() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(out, true));
            assertEquals(0, cli.execute("--help"));
            for (String command : Main.commandLine().getSubcommands().keySet()) {
                StringWriter help = new StringWriter();
                assertEquals(0, Main.commandLine().setOut(new PrintWriter(help, true)).execute(command, "--help"), command);
                // A picocli variable that does not resolve where it stands (a parameter's candidates in a command's
                // description) prints as "null".
                assertFalse(help.toString().contains(" null.") || help.toString().contains("${"), command + " --help:\n" + help);
                out.write(help.toString());
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = captured.toString(StandardCharsets.UTF_8);
        assertFalse(warnings.contains("WARN"), warnings);
        assertTrue(out.toString().contains("20% validation split"), out.toString());
    }

    @Test
    void cacheCommandListsPrunesAndClearsTheGivenFolder() throws IOException {
        Path cache = dir.resolve("kernels");
        Path old = Files.createDirectories(cache.resolve("g0-java25/GemmOld"));
        Files.writeString(old.resolve("spec.txt"), "gemm f32 NN k=1 n=1");
        CacheCommand list = new CacheCommand();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StringWriter ignored = new StringWriter();
        var cli = new picocli.CommandLine(list);
        list.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        cli.setErr(new PrintWriter(ignored));
        assertEquals(0, cli.execute("list", "--dir", cache.toString()));
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("gemm f32 NN k=1 n=1") && text.contains("other generator version") && text.contains("1 entries"), text);
        assertEquals(0, cli.execute("prune", "--dir", cache.toString(), "--max", "1M"));
        assertFalse(Files.exists(cache.resolve("g0-java25")));
        assertEquals(0, cli.execute("clear", "--dir", cache.toString()));
        assertEquals(2, run("cache", "prune", "--max", "lots"));
        assertTrue(err.toString().contains("--max") && err.toString().contains("lots"), err.toString());
    }
}
