package io.simdnet.examples;

import io.simdnet.engine.kernel.MachineProfile;
import java.util.Map;

/** The machine facts recorded with every result: the CPU family (25 = Zen 4, 26 = Zen 5 here) and the whole profile. */
final class CpuInfo {

    private CpuInfo() {
    }

    static String family() {
        return MachineProfile.current().cpuFamily();
    }

    /** The machine profile for metrics.json (CPU, vector width and registers, cores, caches, JDK). */
    static Map<String, Object> profile() {
        return MachineProfile.current().toMap();
    }
}
