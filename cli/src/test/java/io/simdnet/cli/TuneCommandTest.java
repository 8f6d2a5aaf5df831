package io.simdnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.engine.kernel.tuning.TuningRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@code bin/simdnet tune}: every kernel of an experiment tuned and tabled, records written, a second run reusing them. */
class TuneCommandTest {

    private static String run(String... args) {
        StringWriter out = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute(args), out.toString());
        return out.toString();
    }

    @Test
    void tuningAnExperimentTablesEveryKernelAndASecondRunReusesTheRecords() throws Exception {
        // The test JVM's registry keeps its cache in target/ (Surefire sets -Dsimdnet.kernel.cache); the records land there.
        String first = run("tune", "mnist-mlp", "--batch-size", "6", "--force");
        assertTrue(first.contains("spec") && first.contains("default µs") && first.contains("winner"), first);
        List<String> rows = first.lines().filter(l -> l.startsWith("gemm f32")).toList();
        assertEquals(5, rows.size(), "the MLP's forward, input-gradient and weight-gradient GEMMs:\n" + first);
        Path folder = KernelRegistry.global().tuning().recordFolder().resolve(MachineProfile.current().tuningProfile().folderName());
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                TuningRecord record = TuningRecord.readFile(file);
                assertTrue(record != null && record.candidates().size() >= 2, file.toString());
            }
        }
        String second = run("tune", "mnist-mlp", "--batch-size", "6");
        assertTrue(second.contains("0 specs tuned, 5 recorded before"), second);
    }

    @Test
    void anUnknownExperimentIsRefusedNamingTheChoices() {
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setErr(new PrintWriter(err));
        assertEquals(2, cli.execute("tune", "resnet50"));
        assertTrue(err.toString().contains("unknown experiment 'resnet50'") && err.toString().contains("lenet5"), err.toString());
    }
}
