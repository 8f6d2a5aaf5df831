package io.simdnet.bench;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.TuningRecord;
import io.simdnet.kernel.spec.KernelSpec;

/**
 * The "tuned" side of the tuned-vs-default benchmarks: a spec served by its tuning record for this machine,
 * measured now (at the benchmark's batch) when there is none. The record lands in the kernel cache, so later
 * forks reuse it; the benchmark JVMs run with {@code -Dsimdnet.tune=off}, so nothing tunes in the background.
 */
final class TunedKernels {

    private TunedKernels() {
    }

    /** Makes the global registry serve {@code spec} by its record; returns the record (null: a single variant). */
    static TuningRecord use(KernelSpec spec, int batch) {
        TuningRecord record = KernelRegistry.global().tuneUnlessRecorded(spec, batch);
        System.out.println("# " + spec.key() + " -> " + (record == null ? "one variant" : record.winner()));
        return record;
    }
}
