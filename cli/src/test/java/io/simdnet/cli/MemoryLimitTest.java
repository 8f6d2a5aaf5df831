package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap a run gets and what it is told when that is too small: bin/simdnet's memory defaults (and its early
 * compilation of the generated kernels), which give way to $SIMDNET_JAVA_OPTS, and the one-line hint of a run that
 * runs out of heap.
 */
class MemoryLimitTest {

    @TempDir
    Path dir;

    @Test
    void outOfMemoryHintNamesTheLimitAndTwiceIt() {
        String line = Main.outOfMemory(new OutOfMemoryError("Java heap space"), 2048L << 20);
        assertEquals("simdnet: out of memory (Java heap space) with a heap limit of 2048 MiB; raise it through the JVM options, e.g. "
                + "SIMDNET_JAVA_OPTS=-Xmx4g bin/simdnet ...", line);
        assertTrue(Main.outOfMemory(new OutOfMemoryError(), 64L << 20).contains("SIMDNET_JAVA_OPTS=-Xmx1g"), "at least 1 GiB");
    }

    @Test
    void runOutOfHeapEndsWithTheHintInsteadOfAStackTrace() throws Exception {
        // A batch of all 4,800 training images makes every LeNet-5 layer allocate buffers for it: far over 64 MB. The
        // images are written here, so the run is the same whether or not Fashion-MNIST is installed (whose 60,000
        // images the loader would refuse up front in this heap).
        Path data = Files.createDirectories(dir.resolve("data/fashion-mnist"));
        writeImages(data, "train", 6000);
        writeImages(data, "t10k", 200);
        Path log = dir.resolve("log.txt");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-Xmx64m",
                "-Dsimdnet.kernel.cache=" + System.getProperty("simdnet.kernel.cache", dir.resolve("kernels").toString()),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "lenet5", "--data", dir.resolve("data").toString(), "--epochs", "1", "--batch-size", "4800", "--threads", "1", "--no-progress", "--out",
                dir.resolve("runs").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "process did not end");
        String output = Files.readString(log);
        assertEquals(1, process.exitValue(), output);
        assertTrue(output.contains("simdnet: out of memory (Java heap space) with a heap limit of ") && output.contains("SIMDNET_JAVA_OPTS=-Xmx1g"),
                output);
        assertFalse(output.contains("\tat "), "no stack trace:\n" + output);
    }

    /** {@code count} random 28×28 images and labels in Fashion-MNIST's IDX files {@code <prefix>-images-idx3-ubyte} and labels. */
    private static void writeImages(Path folder, String prefix, int count) throws IOException {
        io.simdnet.engine.init.Rng rng = new io.simdnet.engine.init.Rng(count);
        io.simdnet.engine.tensor.Tensor images = io.simdnet.engine.tensor.Tensor.zeros(io.simdnet.kernel.DType.F32, count, 28, 28);
        io.simdnet.engine.tensor.Tensor labels = io.simdnet.engine.tensor.Tensor.zeros(io.simdnet.kernel.DType.F32, count);
        for (int i = 0; i < count; i++) {
            labels.set(i, i % 10);
            for (int p = 0; p < 784; p++) {
                images.set(i * 784 + p, rng.nextInt(256));
            }
        }
        io.simdnet.engine.data.Idx.writeImages(folder.resolve(prefix + "-images-idx3-ubyte"), images);
        io.simdnet.engine.data.Idx.writeLabels(folder.resolve(prefix + "-labels-idx1-ubyte"), labels);
    }

    private static final String JIT_QUIET = "-XX:CompileCommand=quiet";
    private static final String JIT_EARLY = "-XX:CompileCommand=CompileThresholdScaling,io/simdnet/kernel/generated/*.*,0.02";
    private static final String JIT_BACK_EDGES = "-XX:Tier4BackEdgeThreshold=400000";
    private static final String JIT_CALLS = "-XX:Tier4MinInvocationThreshold=20";

    /** The JVM options bin/simdnet passes, through a stand-in bin/java25 that prints them. */
    private List<String> launcherOptions(Map<String, String> environment) throws Exception {
        Path root = dir.resolve("root");
        List<String> arguments = launcherArguments(environment, "lenet5", "--epochs", "1");
        assertEquals(List.of("-jar", root.resolve("cli/target/simdnet.jar").toString(), "lenet5", "--epochs", "1"),
                arguments.subList(arguments.size() - 5, arguments.size()), "the jar and the command's arguments come last, unchanged");
        return arguments.subList(0, arguments.size() - 5);
    }

    /** Everything bin/simdnet passes to bin/java25 for {@code command}, through a stand-in that prints its arguments. */
    private List<String> launcherArguments(Map<String, String> environment, String... command) throws Exception {
        Path root = dir.resolve("root");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(Path.of("..", "bin", "simdnet"), bin.resolve("simdnet"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(bin.resolve("java25"), "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
        for (Path script : List.of(bin.resolve("simdnet"), bin.resolve("java25"))) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(root.resolve("cli/target/lib"));
        Files.writeString(root.resolve("cli/target/simdnet.jar"), "");
        Files.writeString(root.resolve("cli/target/simdnet-cli.jar"), "");
        List<String> line = new ArrayList<>(List.of(bin.resolve("simdnet").toString()));
        line.addAll(List.of(command));
        ProcessBuilder builder = new ProcessBuilder(line);
        builder.environment().remove("SIMDNET_JAVA_OPTS");
        builder.environment().putAll(environment);
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
        return new ArrayList<>(output.lines().toList());
    }

    @Test
    void sparkDriverGetsTheLaunchersJitOptionsButNotItsMemoryDefaults() throws Exception {
        Path root = dir.resolve("root");
        List<String> arguments = launcherArguments(Map.of("SIMDNET_JAVA_OPTS", "-Dsome.flag=1"), "lenet5", "--master", "local[2]");
        int main = arguments.indexOf("io.simdnet.cli.spark.SparkMain");
        assertEquals(List.of("io.simdnet.cli.spark.SparkMain", "lenet5", "--master", "local[2]"), arguments.subList(main, arguments.size()));
        assertEquals(List.of("-cp", root.resolve("cli/target/simdnet-cli.jar") + ":" + root.resolve("cli/target/lib") + "/*"),
                arguments.subList(main - 2, main));
        List<String> options = arguments.subList(0, main - 2);
        assertEquals(List.of("-Djava.awt.headless=true", "@" + root.resolve("spark/jvm.options"), JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, JIT_CALLS,
                "-Dsome.flag=1"), options, "a local master runs its executors in this JVM, so the kernels' JIT options apply; Spark sizes its own memory");
    }

    @Test
    void launcherDefaultsToTheSerialCollectorAndATwoGigabyteLimit() throws Exception {
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", "-Xmx2g", JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, JIT_CALLS),
                launcherOptions(Map.of()));
    }

    @Test
    void launchersEarlyKernelCompilationGivesWayToTheUsersThreshold() throws Exception {
        String own = "-XX:CompileCommand=CompileThresholdScaling,io/simdnet/kernel/generated/*.*,0.5";
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", "-Xmx2g", JIT_BACK_EDGES, JIT_CALLS, own),
                launcherOptions(Map.of("SIMDNET_JAVA_OPTS", own)));
    }

    @Test
    void launchersBackEdgeThresholdGivesWayToTheUsers() throws Exception {
        String own = "-XX:Tier4BackEdgeThreshold=40000";
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", "-Xmx2g", JIT_QUIET, JIT_EARLY, JIT_CALLS, own),
                launcherOptions(Map.of("SIMDNET_JAVA_OPTS", own)));
    }

    @Test
    void launchersInvocationThresholdGivesWayToTheUsers() throws Exception {
        String own = "-XX:Tier4MinInvocationThreshold=600";
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", "-Xmx2g", JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, own),
                launcherOptions(Map.of("SIMDNET_JAVA_OPTS", own)));
    }

    @Test
    void launcherDefaultsGiveWayToTheUsersOptions() throws Exception {
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, JIT_CALLS, "-Xmx6g", "-Dsome.flag=*"),
                launcherOptions(Map.of("SIMDNET_JAVA_OPTS", "-Xmx6g -Dsome.flag=*")), "a heap limit replaces the default one; no globbing");
        assertEquals(List.of("-Djava.awt.headless=true", "-Xmx2g", JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, JIT_CALLS, "-XX:+UseG1GC"), launcherOptions(Map.of("SIMDNET_JAVA_OPTS", "-XX:+UseG1GC")),
                "another collector replaces the serial one and its young-generation cap");
        assertEquals(List.of("-Djava.awt.headless=true", "-XX:+UseSerialGC", "-XX:MaxNewSize=64m", JIT_QUIET, JIT_EARLY, JIT_BACK_EDGES, JIT_CALLS, "-XX:MaxRAMPercentage=50"),
                launcherOptions(Map.of("SIMDNET_JAVA_OPTS", "-XX:MaxRAMPercentage=50")), "-Xmx would override a RAM percentage");
    }
}
