package io.simdnet.engine.kernel.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.kernel.KernelOrigin;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk cache verifies, repairs, caps and prunes itself. */
class KernelDiskCacheTest {

    @TempDir
    Path cacheRoot;

    private KernelRegistry newProcess() {
        return new KernelRegistry(new KernelRegistry.Options(false, true, cacheRoot));
    }

    private static Path classFile(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.toString().endsWith(".class")).findFirst().orElseThrow();
        }
    }

    private void damagedEntryIsReplaced(GemmSpec spec, java.util.function.UnaryOperator<byte[]> damage) throws IOException {
        float[] expected = product(newProcess().floatGemm(spec), spec);
        Path folder = new KernelDiskCache(cacheRoot).folderFor(spec);
        Path file = classFile(folder);
        byte[] good = Files.readAllBytes(file);
        Files.write(file, damage.apply(good.clone()));

        KernelRegistry second = newProcess();
        assertEquals(KernelOrigin.RUNTIME_COMPILED, second.origin(spec), "a damaged entry must not be used");
        assertArrayEquals(expected, product(second.floatGemm(spec), spec));
        assertArrayEquals(good, Files.readAllBytes(classFile(folder)), "the entry is replaced by the recompiled classes");
        assertEquals(KernelOrigin.DISK_CACHE, newProcess().origin(spec), "the repaired entry serves the next process");
    }

    @Test
    void truncatedClassIsDetectedAndTheEntryReplaced() throws IOException {
        damagedEntryIsReplaced(GemmSpec.of(DType.F32, GemmForm.NN, 21, 6, false, false), b -> java.util.Arrays.copyOf(b, b.length / 2));
    }

    @Test
    void alteredClassThatWouldStillLoadIsDetectedByItsChecksum() throws IOException {
        // A changed constant-pool byte of the same length: the JVM might well define it; the checksum does not match.
        damagedEntryIsReplaced(GemmSpec.of(DType.F32, GemmForm.NT, 22, 7, true, false), b -> {
            b[b.length - 3] ^= 1;
            return b;
        });
    }

    private static GemmSpec spec(int k) {
        return GemmSpec.of(DType.F32, GemmForm.NN, k, 3, false, false);
    }

    private static void store(KernelDiskCache cache, GemmSpec spec, int bytes) throws IOException {
        cache.store(spec, "source of " + spec.key(), Map.of(spec.className(), new byte[bytes]));
    }

    private static void age(KernelDiskCache cache, GemmSpec spec, int secondsAgo) throws IOException {
        Files.setLastModifiedTime(cache.folderFor(spec), FileTime.from(Instant.now().minusSeconds(secondsAgo)));
    }

    @Test
    void storingBeyondTheCapEvictsTheLeastRecentlyUsedEntries() throws IOException {
        KernelDiskCache cache = new KernelDiskCache(cacheRoot, 25_000);
        store(cache, spec(1), 10_000);
        store(cache, spec(2), 10_000);
        age(cache, spec(1), 300);
        age(cache, spec(2), 200);
        // A load marks spec 1 used now: spec 2 is then the least recently used.
        assertTrue(cache.load(spec(1), "source of " + spec(1).key()).isPresent());
        store(cache, spec(3), 10_000);
        assertTrue(Files.isDirectory(cache.folderFor(spec(1))));
        assertFalse(Files.exists(cache.folderFor(spec(2))), "least recently used entry evicted");
        assertTrue(Files.isDirectory(cache.folderFor(spec(3))));
        assertTrue(cache.totalBytes() <= 25_000, cache.totalBytes() + " bytes");
    }

    @Test
    void entriesOfOtherGeneratorVersionsArePrunedOnTheFirstStore() throws IOException {
        Path old = Files.createDirectories(cacheRoot.resolve("g0-java25").resolve("GemmOld"));
        Files.writeString(old.resolve("spec.txt"), "gemm f32 NN k=1 n=1");
        Path unrelated = Files.createDirectories(cacheRoot.resolve("notes"));
        store(new KernelDiskCache(cacheRoot, 1 << 20), spec(4), 100);
        assertFalse(Files.exists(cacheRoot.resolve("g0-java25")), "other generator version pruned");
        assertTrue(Files.isDirectory(unrelated), "folders the cache did not make are left alone");
    }

    @Test
    void maintenanceListsPrunesAndClears() throws IOException {
        KernelDiskCache cache = new KernelDiskCache(cacheRoot, 1 << 20);
        store(cache, spec(5), 1000);
        store(cache, spec(6), 1000);
        Path old = Files.createDirectories(cacheRoot.resolve("g0-java21").resolve("GemmOld"));
        Files.writeString(old.resolve("spec.txt"), "gemm f32 NN k=1 n=1");
        KernelCacheMaintenance maintenance = KernelCacheMaintenance.of(cacheRoot, 1500);
        List<KernelCacheMaintenance.Entry> entries = maintenance.list();
        assertEquals(3, entries.size());
        assertEquals(1, entries.stream().filter(e -> !e.current()).count());
        KernelCacheMaintenance.PruneResult pruned = maintenance.prune();
        assertEquals(1, pruned.otherVersions());
        assertEquals(1, pruned.evicted(), "two entries of ~1 KB do not fit 1500 bytes");
        assertTrue(pruned.bytesAfter() <= 1500, pruned.toString());
        assertEquals(1, maintenance.clear());
        assertEquals(0, maintenance.list().size());
        assertEquals(0, maintenance.totalBytes());
    }

    @Test
    void sizeCapsAreParsedWithUnitsAndBadOnesNamed() {
        assertEquals(256L << 20, KernelCacheMaintenance.parseSize("--max", "256M"));
        assertEquals(64L << 10, KernelCacheMaintenance.parseSize("--max", "64k"));
        assertEquals(500, KernelCacheMaintenance.parseSize("--max", "500"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelCacheMaintenance.parseSize("--max", "lots"));
        assertTrue(e.getMessage().contains("--max") && e.getMessage().contains("lots"), e.getMessage());
    }

    /** C = A·B for 9 rows of fixed operands: the same bits from any kernel of the same spec. */
    private static float[] product(io.simdnet.kernel.FloatGemmKernel kernel, GemmSpec spec) {
        int m = 9;
        float[] a = new float[m * spec.k()];
        float[] b = new float[spec.k() * spec.n()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 11 - 5) / 4f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (i % 7 - 3) / 2f;
        }
        float[] c = new float[m * spec.n()];
        kernel.gemm(m, a, 0, b, 0, spec.bias() ? new float[spec.n()] : null, c, 0);
        return c;
    }
}
