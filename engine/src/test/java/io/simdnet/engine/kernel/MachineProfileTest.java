package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.spec.VectorTarget;
import org.junit.jupiter.api.Test;

class MachineProfileTest {

    @Test
    void theProfileCarriesTheTargetKernelsAreGeneratedFor() {
        MachineProfile profile = MachineProfile.current();
        assertEquals(VectorTarget.host(), profile.target());
        assertTrue(profile.cores() >= 1);
        assertTrue(profile.l1dBytes() > 0 && profile.l2Bytes() >= profile.l1dBytes(), profile.toString());
        assertEquals(profile.target().bits(), profile.toMap().get("vector_bits"));
        assertTrue(profile.describe().stream().anyMatch(line -> line.startsWith("vectors")));
    }

    @Test
    void sysfsCacheSizesAreRead() {
        assertEquals(32 * 1024, MachineProfile.parseSize("32K"));
        assertEquals(1 << 20, MachineProfile.parseSize("1024K"));
        assertEquals(32L << 20, MachineProfile.parseSize("32M"));
        assertEquals(4096, MachineProfile.parseSize("4096"));
    }

    @Test
    void aJvmNarrowerThanItsCpuIsWarnedAbout() {
        MachineProfile wide = new MachineProfile("cpu", "25", VectorTarget.AVX512, 512, 2, 1, 2, 3, "25");
        assertNull(wide.narrowerWidthWarning());
        MachineProfile narrow = new MachineProfile("cpu", "25", VectorTarget.AVX2, 512, 2, 1, 2, 3, "25");
        assertTrue(narrow.narrowerWidthWarning().contains("supports 512-bit vectors but kernels run at 256 bits"), narrow.narrowerWidthWarning());
    }
}
