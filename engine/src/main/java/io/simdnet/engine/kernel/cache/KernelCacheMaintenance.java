package io.simdnet.engine.kernel.cache;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Looks after the on-disk kernel cache that the registry fills ({@code bin/simdnet cache list|clear|prune}): what
 * it holds, emptying it, and pruning it to this build's generator version and its size cap.
 */
public final class KernelCacheMaintenance {

    private final KernelDiskCache cache;

    private KernelCacheMaintenance(KernelDiskCache cache) {
        this.cache = cache;
    }

    /** The cache the global registry uses ({@code -Dsimdnet.kernel.cache}, {@code $SIMDNET_KERNEL_CACHE}, else ~/.cache/simdnet/kernels). */
    public static KernelCacheMaintenance ofDefaultCache() {
        return new KernelCacheMaintenance(new KernelDiskCache(KernelDiskCache.defaultRoot()));
    }

    /** The cache under {@code root}, capped at {@code maxBytes}. */
    public static KernelCacheMaintenance of(Path root, long maxBytes) {
        return new KernelCacheMaintenance(new KernelDiskCache(root, maxBytes));
    }

    /** One cached kernel. {@code current} is false for entries of another generator version, which no run uses. */
    public record Entry(String version, String className, String spec, long bytes, Instant lastUsed, boolean current) {
    }

    /** What prune removed. */
    public record PruneResult(int otherVersions, int evicted, long bytesBefore, long bytesAfter) {
    }

    public Path root() {
        return cache.base();
    }

    public long maxBytes() {
        return cache.maxBytes();
    }

    /** This build's version folder name, e.g. {@code g7-java25}. */
    public static String currentVersion() {
        return KernelDiskCache.currentVersion();
    }

    /** Every entry, least recently used first. */
    public List<Entry> list() throws IOException {
        List<Entry> out = new ArrayList<>();
        for (KernelDiskCache.Entry e : cache.entries()) {
            out.add(new Entry(e.version(), e.folder().getFileName().toString(), e.spec(), e.bytes(), e.lastUsed(),
                    e.version().equals(KernelDiskCache.currentVersion())));
        }
        return out;
    }

    /** Bytes on disk under the cache root. */
    public long totalBytes() throws IOException {
        return cache.totalBytes();
    }

    /** Removes every entry of every version; returns how many. */
    public int clear() throws IOException {
        return cache.clear();
    }

    /** Removes other versions' entries and abandoned temporary folders, then least recently used entries down to the cap. */
    public PruneResult prune() throws IOException {
        long before = cache.totalBytes();
        int versions = cache.removeOtherVersions();
        int evicted = cache.evictOverCap(null);
        return new PruneResult(versions, evicted, before, cache.totalBytes());
    }

    /** Parses a cap such as {@code 256M} (bytes with an optional K, M or G), naming {@code option} when it is not one. */
    public static long parseSize(String option, String text) {
        return KernelDiskCache.parseSize(option, text);
    }

    /** The cap in effect: {@code -Dsimdnet.kernel.cache.max}, {@code $SIMDNET_KERNEL_CACHE_MAX}, else 256 MiB. */
    public static long defaultMaxBytes() {
        return KernelDiskCache.defaultMaxBytes();
    }
}
