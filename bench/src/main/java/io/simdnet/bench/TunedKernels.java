package io.simdnet.bench;

import com.google.gson.Gson;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.tuning.TuningRecord;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The "tuned" side of the tuned-vs-default benchmarks: a spec served by its tuning record for this machine,
 * measured now (at the benchmark's batch) when there is none. The record lands in the kernel cache, so later
 * forks reuse it; the benchmark JVMs run with {@code -Dsimdnet.tune=off}, so nothing tunes in the background.
 */
final class TunedKernels {

    private TunedKernels() {
    }

    /**
     * Makes the global registry serve {@code spec} by its record; returns the record (null: a single variant).
     * The choice is printed and, for the report, appended to {@code $SIMDNET_TUNED_WINNERS} when it is set.
     */
    static TuningRecord use(String workload, KernelSpec spec, int batch) {
        TuningRecord record = KernelRegistry.global().tuning().tuneUnlessRecorded(spec, batch);
        note(workload, spec.key(), record == null ? spec.key() : record.winner());
        return record;
    }

    /** One line {@code {"workload": .., "spec": .., "winner": ..}} for bench/report_tuned.py. */
    static void note(String workload, String spec, String winner) {
        System.out.println("# " + spec + " -> " + winner);
        String file = System.getenv("SIMDNET_TUNED_WINNERS");
        if (file == null || file.isBlank()) {
            return;
        }
        Map<String, String> line = new LinkedHashMap<>();
        line.put("workload", workload);
        line.put("spec", spec);
        line.put("winner", winner);
        try {
            Files.writeString(Path.of(file), new Gson().toJson(line) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("could not append to $SIMDNET_TUNED_WINNERS = " + file, e);
        }
    }
}
