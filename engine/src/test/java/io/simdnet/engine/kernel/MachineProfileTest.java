package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.VectorTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineProfileTest {

    @TempDir
    Path folder;

    /** Two processors, as /proc/cpuinfo lists them: only the first one's lines count. */
    private static final String CPUINFO = """
            processor\t: 0
            vendor_id\t: AuthenticAMD
            cpu family\t: 25
            model name\t: AMD Ryzen 9 7950X 16-Core Processor
            flags\t\t: fpu sse2 avx avx2 fma avx512f avx512bw

            processor\t: 1
            cpu family\t: 99
            model name\t: Some Other Core
            flags\t\t: fpu sse2
            """;

    private Path cacheFolder(String... levelTypeSize) throws IOException {
        Path caches = Files.createDirectories(folder.resolve("cache"));
        for (int i = 0; i < levelTypeSize.length; i++) {
            String[] words = levelTypeSize[i].split(" ");
            Path index = Files.createDirectories(caches.resolve("index" + i));
            Files.writeString(index.resolve("level"), words[0] + "\n");
            Files.writeString(index.resolve("type"), words[1] + "\n");
            Files.writeString(index.resolve("size"), words[2] + "\n");
        }
        return caches;
    }

    @Test
    void cpuinfoAndSysfsGiveTheCpuItsWidestVectorsAndItsCaches() throws IOException {
        Path cpuinfo = Files.writeString(folder.resolve("cpuinfo"), CPUINFO);
        Path caches = cacheFolder("1 Data 48K", "1 Instruction 32K", "2 Unified 1024K", "3 Unified 32768K");
        MachineProfile profile = MachineProfile.detect(cpuinfo, caches);
        assertEquals("AMD Ryzen 9 7950X 16-Core Processor", profile.cpuModel());
        assertEquals("25", profile.cpuFamily(), "the first processor's family, not a later one's");
        assertEquals(512, profile.cpuVectorBits(), "avx512f among the flags");
        assertEquals(48L << 10, profile.l1dBytes(), "the L1 data cache, not the instruction cache");
        assertEquals(1L << 20, profile.l2Bytes());
        assertEquals(32L << 20, profile.l3Bytes());
        assertEquals(512, profile.toMap().get("cpu_vector_bits"));
        assertTrue(profile.describe().contains("caches         L1d 48 KiB, L2 1 MiB, L3 32 MiB"), profile.describe().toString());
    }

    @Test
    void withoutCpuinfoOrSysfsTheDocumentedDefaultsStand() {
        MachineProfile profile = MachineProfile.detect(folder.resolve("no-cpuinfo"), folder.resolve("no-caches"));
        assertEquals("unknown", profile.cpuModel());
        assertEquals("unknown", profile.cpuFamily());
        assertEquals(128, profile.cpuVectorBits(), "no flags: no wider vectors than the baseline");
        assertEquals(MachineProfile.DEFAULT_L1D_BYTES, profile.l1dBytes());
        assertEquals(MachineProfile.DEFAULT_L2_BYTES, profile.l2Bytes());
        assertEquals(MachineProfile.DEFAULT_L3_BYTES, profile.l3Bytes());
    }

    @Test
    void theProfileCarriesTheTargetKernelsAreGeneratedFor() {
        MachineProfile profile = MachineProfile.current();
        // What a layer asks for, as the registry serves it: the class was generated for the profile's width and registers.
        GemmSpec layerSpec = GemmSpec.of(DType.F32, GemmForm.NN, 784, 128, true, false);
        String served = KernelRegistry.global().floatGemm(layerSpec).getClass().getSimpleName();
        assertTrue(served.contains(profile.target().classNameSuffix()), served + " is not generated for " + profile.target());
        assertEquals(profile.target().bits(), profile.toMap().get("vector_bits"));
        assertEquals(profile.target().bits(), profile.tuningProfile().vectorBits(), "tuning records are keyed by the width kernels run at");
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
