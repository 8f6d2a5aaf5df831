package io.simdnet.engine.kernel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs tuning the same spec into the same cache folder at the same time ({@link TuningRaceMain}) leave one
 * whole record for it, naming a variant of the spec, and no temporary files: the record is written under a
 * temporary name and renamed over the old one in one step.
 */
class TuningRaceTest {

    private static final int THREADS = 2;
    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    Path temp;

    private Process start(String name, Path cache, KernelSpec spec, int batch, Path go) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // Under surefire java.class.path may be a single booter jar; its manifest's Class-Path serves -cp just as well.
        List<String> command = new ArrayList<>(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                // The process-wide registry (built when KernelRegistry loads) must neither tune nor touch the user's cache.
                "-Dsimdnet.tune=off", "-Dsimdnet.kernel.cache=" + temp.resolve("global-" + name), "-Dsimdnet.threads=" + THREADS,
                "-Djava.io.tmpdir=" + temp, "-cp", System.getProperty("java.class.path"), TuningRaceMain.class.getName(), cache.toString(), spec.key(),
                Integer.toString(batch), go.toString(), name));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(temp.resolve(name + ".log").toFile()).start();
    }

    private String log(String name) {
        try {
            return Files.readString(temp.resolve(name + ".log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Test
    void twoJvmsTuningOneSpecAtOnceLeaveOneWholeRecordAndNoTemporaryFiles() throws Exception {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 96, 80, true, false);
        int batch = 32;
        Path cache = temp.resolve("cache");
        Path go = temp.resolve("go");
        List<String> names = List.of("first", "second");
        List<Process> processes = new ArrayList<>();
        try {
            for (String name : names) {
                processes.add(start(name, cache, spec, batch, go));
            }
            // Both JVMs up and their registries built: let them tune together.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (names.stream().anyMatch(n -> !Files.exists(temp.resolve("go." + n + ".ready")))) {
                if (System.nanoTime() > deadline || processes.stream().anyMatch(p -> !p.isAlive())) {
                    break;
                }
                Thread.sleep(10);
            }
            Files.writeString(go, "");
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                long left = Math.max(1, deadline - System.nanoTime());
                if (!p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    fail("JVM '" + names.get(i) + "' did not finish within " + TIMEOUT_SECONDS + " s:\n" + log(names.get(i)));
                }
                assertEquals(0, p.exitValue(), "JVM '" + names.get(i) + "' failed:\n" + log(names.get(i)));
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
        }

        Path tuning = cache.resolve(TuningRecords.FOLDER);
        List<Path> profiles;
        try (Stream<Path> list = Files.list(tuning)) {
            profiles = list.toList();
        }
        TuningProfile here = MachineProfile.current().tuningProfile();
        TuningProfile profile = new TuningProfile(here.cpuModel(), here.cpuFamily(), here.vectorBits(), THREADS, here.jdkFeature(),
                here.generatorVersion());
        assertEquals(List.of(tuning.resolve(profile.folderName())), profiles, "one profile folder");
        List<Path> files;
        try (Stream<Path> list = Files.list(profiles.getFirst())) {
            files = list.toList();
        }
        Path file = profiles.getFirst().resolve(spec.className() + ".json");
        assertEquals(List.of(file), files, "one record file, no temporary files beside it");
        TuningRecord record = TuningRecord.fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        assertEquals(spec.key(), record.spec());
        assertEquals(profile, record.profile());
        assertEquals(KernelVariants.of(spec, batch).size(), record.candidates().size());
        assertTrue(KernelVariants.isVariantOf(KernelSpec.parse(record.winner()), spec), record.winner());
        List<String> winners = names.stream().map(n -> log(n).lines().filter(l -> l.startsWith("winner=")).findFirst().orElse("?")).toList();
        assertTrue(winners.contains("winner=" + record.winner()), "the record is one of the JVMs' own: " + winners + " vs " + record.winner());
        assertEquals(null, TuningRecords.problem(record, spec, profile, false), "the record serves on the profile it was made on");
    }
}
