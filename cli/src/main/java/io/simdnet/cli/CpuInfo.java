package io.simdnet.cli;

import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine facts recorded with every result: the CPU family (25 = Zen 4, 26 = Zen 5 here), the whole profile,
 * and the kernels that served the run (with the variant tuning chose), so a result can be reproduced exactly.
 */
final class CpuInfo {

    private CpuInfo() {
    }

    /** Adds {@code cpu_family} and {@code machine} (CPU, vector width and registers, cores, caches, JDK) to a run's metrics. */
    static void record(Map<String, Object> metrics) {
        MachineProfile profile = MachineProfile.current();
        metrics.put("cpu_family", profile.cpuFamily());
        metrics.put("machine", profile.toMap());
        KernelRegistry registry = KernelRegistry.global();
        metrics.put("tuning", registry.options().tuning().name().toLowerCase(java.util.Locale.ROOT));
        List<Map<String, Object>> kernels = new ArrayList<>();
        for (KernelRegistry.Served served : registry.served()) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("spec", served.spec());
            k.put("origin", served.origin().name());
            k.put("variant", served.variant());
            kernels.add(k);
        }
        metrics.put("kernels", kernels);
    }
}
