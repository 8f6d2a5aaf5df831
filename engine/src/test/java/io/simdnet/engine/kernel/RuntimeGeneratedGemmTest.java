package io.simdnet.engine.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.engine.kernel.cache.KernelDiskCache;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.GemmTiling;
import io.simdnet.kernel.spec.VectorTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Specs outside the catalog: generated, compiled in memory, cached on disk, and checked on random shapes. */
class RuntimeGeneratedGemmTest {

    /** 1, primes, sizes that are not lane multiples, and large ones. */
    private static final int[] SIZES = {1, 2, 3, 7, 10, 15, 16, 17, 31, 33, 47, 64, 65, 97, 100, 128, 131, 257, 300};

    private static Path cacheRoot;
    private static KernelRegistry registry;

    @BeforeAll
    static void createRegistry() throws IOException {
        cacheRoot = Files.createTempDirectory("simdnet-kernel-cache");
        registry = new KernelRegistry(new KernelRegistry.Options(false, true, cacheRoot));
    }

    @AfterAll
    static void deleteCache() throws IOException {
        try (var walk = Files.walk(cacheRoot)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One random case per seed; the seed and the spec are in the test name, so a failure can be replayed alone. */
    static Stream<Long> seeds() {
        return IntStream.range(0, 24).mapToObj(i -> 0x5EED0000L + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void runTimeGeneratedKernelsMatchTheDoubleReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GemmSpec spec = GemmSpec.of(
                DType.values()[random.nextInt(2)], GemmForm.values()[random.nextInt(3)],
                SIZES[random.nextInt(SIZES.length)], SIZES[random.nextInt(SIZES.length)], random.nextBoolean(), random.nextBoolean());
        int m = 1 + random.nextInt(150);
        assertEquals(KernelOrigin.RUNTIME_COMPILED, registry.origin(spec), spec.key());
        KernelTester.gemm(spec).rows(m).seed(seed).test(registry.kernel(spec));
    }

    /** Sizes for the tiling cases, kept small so that each of the 24 seeds compiles and checks a real case cheaply. */
    private static final int[] TILING_SIZES = {1, 2, 3, 7, 15, 16, 17, 31, 33, 47, 64, 65, 97};

    /**
     * Every seed runs one random blocking: micro-tile mr×nrv within the register budget, kc below K (so the
     * k loop has several blocks and a remainder), nc and mc of one to three tiles, packing of A and B either way.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void nonDefaultTilingsMatchTheDoubleReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        GemmForm form = GemmForm.values()[random.nextInt(3)];
        int k = TILING_SIZES[random.nextInt(TILING_SIZES.length)];
        int n = TILING_SIZES[random.nextInt(TILING_SIZES.length)];
        int nrVectors = 1 + random.nextInt(4);
        VectorTarget target = VectorTarget.host();
        int mr = 1 + random.nextInt(Math.min(GemmTiling.maxRows(nrVectors, target.registers()), 32));
        int nr = nrVectors * DType.F32.lanes(target.bits());
        GemmTiling tiling = new GemmTiling(mr, nrVectors, 1 + random.nextInt(k), nr * (1 + random.nextInt(3)), mr * (1 + random.nextInt(4)),
                target, random.nextBoolean(), random.nextBoolean() || form == GemmForm.NT);
        GemmSpec spec = GemmSpec.of(DType.F32, form, k, n, random.nextBoolean(), random.nextBoolean()).withTiling(tiling);
        int m = 1 + random.nextInt(3 * tiling.mc());
        assertEquals(KernelOrigin.RUNTIME_COMPILED, registry.origin(spec), spec.key());
        KernelTester.gemm(spec).rows(m).seed(seed).test(registry.kernel(spec));
    }

    @ParameterizedTest
    @EnumSource(GemmForm.class)
    void aSecondRegistryLoadsCompiledKernelsFromTheDiskCache(GemmForm form) {
        GemmSpec spec = GemmSpec.of(DType.F32, form, 19, 37, false, false);
        GemmTester gemm = KernelTester.gemm(spec).rows(23).seed(99);
        float[] first = gemm.runFloat(registry.floatGemm(spec));
        KernelRegistry secondProcess = new KernelRegistry(new KernelRegistry.Options(false, true, cacheRoot));
        assertEquals(KernelOrigin.DISK_CACHE, secondProcess.origin(spec));
        assertArrayEquals(first, gemm.runFloat(secondProcess.floatGemm(spec)));
    }

    @ParameterizedTest
    @EnumSource(GemmForm.class)
    void aCacheEntryForAnotherSpecIsNotLoaded(GemmForm form) throws IOException {
        GemmSpec spec = GemmSpec.of(DType.F32, form, 11, 5, false, false);
        registry.kernel(spec);
        Path specFile = new KernelDiskCache(cacheRoot).folderFor(spec).resolve("spec.txt");
        Files.writeString(specFile, "gemm f32 NN k=1 n=1");
        KernelRegistry secondProcess = new KernelRegistry(new KernelRegistry.Options(false, true, cacheRoot));
        assertEquals(KernelOrigin.RUNTIME_COMPILED, secondProcess.origin(spec));
    }

    @org.junit.jupiter.api.Test
    void aCacheEntryCompiledFromOtherSourceIsRecompiled() throws IOException {
        GemmSpec spec = GemmSpec.of(DType.F32, GemmForm.NN, 13, 7, false, false);
        registry.kernel(spec);
        Path source = new KernelDiskCache(cacheRoot).folderFor(spec).resolve("Kernel.java");
        Files.writeString(source, Files.readString(source) + "\n// an older generator wrote this\n");
        KernelRegistry secondProcess = new KernelRegistry(new KernelRegistry.Options(false, true, cacheRoot));
        assertEquals(KernelOrigin.RUNTIME_COMPILED, secondProcess.origin(spec));
    }
}
