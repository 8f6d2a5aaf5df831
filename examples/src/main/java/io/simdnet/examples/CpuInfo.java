package io.simdnet.examples;

import io.simdnet.engine.kernel.MachineProfile;
import java.util.Map;

/** The machine facts recorded with every result: the CPU family (25 = Zen 4, 26 = Zen 5 here) and the whole profile. */
final class CpuInfo {

    private CpuInfo() {
    }

    /** Adds {@code cpu_family} and {@code machine} (CPU, vector width and registers, cores, caches, JDK) to a run's metrics. */
    static void record(Map<String, Object> metrics) {
        MachineProfile profile = MachineProfile.current();
        metrics.put("cpu_family", profile.cpuFamily());
        metrics.put("machine", profile.toMap());
    }
}
