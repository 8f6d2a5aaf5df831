package io.simdnet.cli.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.simdnet.cli.CliProcess;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Idx;
import io.simdnet.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** bin/simdnet's Spark commands end to end on local[2], in this JVM: the same run folders as the local commands. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SparkCommandsTest {

    @TempDir
    Path dir;

    private Path onlyRun(String prefix) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
            List<Path> runs = s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            assertEquals(1, runs.size(), "run folders " + runs);
            return runs.get(0);
        }
    }

    private static void assertFiles(Path run, String... names) {
        for (String name : names) {
            assertTrue(Files.isRegularFile(run.resolve(name)), run + " lacks " + name);
        }
    }

    private int run(String... args) {
        return SparkMain.commandLine().execute(args);
    }

    @Test
    void sweepOnLocal2WritesTheTableCsvPlotAndPerTrialMetrics() throws IOException {
        assertEquals(0, run("sweep", "--master", "local[2]", "--limit", "300", "--epochs", "1", "--lrs", "1e-3,3e-3", "--batch-sizes", "64",
                "--dropouts", "0", "--model", "lenet5", "--out", dir.resolve("runs").toString()));
        Path run = onlyRun("sweep");
        assertFiles(run, "sweep.md", "sweep.csv", "sweep.png", "trials/trial-0.csv", "trials/trial-1.csv");
        assertEquals(3, Files.readAllLines(run.resolve("sweep.csv")).size());
    }

    @Test
    void aSparkSweepResumedRunsOnlyTheTrialsItHadNotFinished() throws IOException {
        String[] sweep = {"sweep", "--master", "local[2]", "--limit", "300", "--epochs", "1", "--lrs", "1e-3,3e-3", "--batch-sizes", "32,64",
            "--dropouts", "0", "--model", "fashion-mlp", "--out", dir.resolve("runs").toString()};
        assertEquals(0, run(sweep));
        Path whole = onlyRun("sweep");
        // A sweep stopped after two of its four trials: the folder holds what those two left.
        Path stopped = Files.createDirectories(dir.resolve("stopped/trials"));
        for (String kept : List.of("trial-0000.json", "trial-0003.json")) {
            Files.copy(whole.resolve("trials").resolve(kept), stopped.resolve(kept));
        }
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            List<String> resume = new java.util.ArrayList<>(List.of(sweep));
            resume.addAll(List.of("--resume", stopped.getParent().toString()));
            assertEquals(0, run(resume.toArray(String[]::new)));
        } finally {
            System.setOut(stdout);
        }
        String text = printed.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("2 of 4 trials finished earlier, running the other 2"), text);
        assertEquals(List.of("lr 1e-03, batch 64", "lr 3e-03, batch 32"),
                text.lines().filter(line -> line.startsWith("lr ") && line.contains("best val acc")).map(line -> line.substring(0, line.indexOf(", dropout"))).sorted().toList());
        assertEquals(CliProcess.withoutLastColumn(whole.resolve("sweep.csv")),
                CliProcess.withoutLastColumn(stopped.getParent().resolve("sweep.csv")));
    }

    @Test
    void lenet5DataParallelWritesTheRunFolderOfALocalRun() throws IOException {
        assertEquals(0, run("lenet5", "--master", "local[2]", "--limit", "200", "--epochs", "1", "--sync-every", "2", "--no-progress", "--out",
                dir.resolve("runs").toString()));
        assertFiles(onlyRun("lenet5"), "metrics.csv", "metrics.json", "step_losses.csv", "loss.png", "accuracy.png", "confusion_matrix.png",
                "filters.png", "misclassified.png", "weights.safetensors", "summary.txt");
    }

    @Test
    void mnistCnnDataParallelWithGradientAveraging() throws IOException {
        Path mnist = Files.createDirectories(dir.resolve("data/mnist"));
        Dataset train = LocalSpark.images(120, 5);
        Dataset test = LocalSpark.images(40, 6);
        io.simdnet.engine.data.Transforms.scale(train.inputs(), 255);
        io.simdnet.engine.data.Transforms.scale(test.inputs(), 255);
        Idx.writeImages(mnist.resolve("train-images-idx3-ubyte"), train.inputs());
        Idx.writeLabels(mnist.resolve("train-labels-idx1-ubyte"), train.targets());
        Idx.writeImages(mnist.resolve("t10k-images-idx3-ubyte"), test.inputs());
        Idx.writeLabels(mnist.resolve("t10k-labels-idx1-ubyte"), test.targets());
        assertEquals(0, run("mnist-cnn", "--master", "local[2]", "--data", dir.resolve("data").toString(), "--epochs", "1", "--batch-size", "16",
                "--sync-every", "1", "--no-progress", "--out", dir.resolve("runs").toString()));
        Path run = onlyRun("mnist-cnn");
        assertFiles(run, "metrics.csv", "metrics.json", "weights.safetensors");
        JsonObject metrics = JsonParser.parseString(Files.readString(run.resolve("metrics.json"))).getAsJsonObject();
        assertEquals("local[2]", metrics.get("spark_master").getAsString(), metrics.toString());
        assertEquals(2, metrics.get("workers").getAsInt(), metrics.toString());
        assertEquals(1, metrics.get("sync_every").getAsInt(), metrics.toString());
        // Gradient averaging synchronises the workers after every step: one Spark round per optimiser step.
        long steps = Files.readAllLines(run.resolve("step_losses.csv")).size() - 1;
        assertTrue(steps >= 2, steps + " steps");
        assertEquals(steps, metrics.get("sync_rounds").getAsLong(), metrics.toString());
    }

    /** What the command printed to its error stream, after checking that it failed with the exit code of a bad option. */
    private String errorLine(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = SparkMain.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute(args), err.toString());
        String message = err.toString().strip();
        assertEquals(1, message.lines().count(), "one line:\n" + message);
        return message;
    }

    @Test
    void badSparkOptionsFailWithOneLine() {
        assertEquals("simdnet lenet5: --sync-every must be positive, got 0",
                errorLine("lenet5", "--master", "local[2]", "--sync-every", "0", "--limit", "100", "--out", dir.resolve("runs").toString()));
        String workers = errorLine("lenet5", "--master", "local[2]", "--workers", "500", "--limit", "100", "--epochs", "1", "--no-progress", "--out",
                dir.resolve("runs").toString());
        assertTrue(workers.startsWith("simdnet lenet5: --workers = 500") && workers.contains("expected at most"), workers);
    }
}
