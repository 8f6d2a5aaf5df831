package io.simdnet.engine.kernel.cache;

import io.simdnet.codegen.gen.GeneratorVersion;
import io.simdnet.kernel.Kernel;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Compiled run-time kernels on disk, one folder per spec under {@code <root>/g<generator version>-java<feature>/}.
 * A folder is written whole under a temporary name and renamed into place, so two JVMs racing on the same spec
 * each see either no entry or a complete one; the loser of the rename keeps its own classes and deletes its copy.
 *
 * <p>Each entry lists the SHA-256 of its files in {@code checksums.txt}; a load verifies them, so a truncated or
 * altered class is found before it is defined, and the bad entry is moved aside and deleted (atomically: other JVMs
 * see it whole or not at all), to be replaced by the recompiled one. A load marks its entry used (the folder's
 * modification time); storing evicts the least recently used entries while the cache is above its cap
 * ({@code -Dsimdnet.kernel.cache.max} or {@code $SIMDNET_KERNEL_CACHE_MAX}, in bytes with an optional K, M or G;
 * default 256M), and removes the folders of other generator versions, which no run of this build can use.
 */
public final class KernelDiskCache {

    private static final String SPEC_FILE = "spec.txt";
    private static final String SOURCE_FILE = "Kernel.java";
    private static final String CHECKSUM_FILE = "checksums.txt";
    static final long DEFAULT_MAX_BYTES = 256L << 20;
    /** Temporary and stale folders older than this belong to no live writer. */
    private static final Duration ABANDONED = Duration.ofHours(1);

    private final Path base;
    private final Path root;
    private final long maxBytes;
    private boolean prunedVersions;

    public KernelDiskCache(Path root) {
        this(root, defaultMaxBytes());
    }

    KernelDiskCache(Path base, long maxBytes) {
        this.base = base;
        this.root = base.resolve(currentVersion());
        this.maxBytes = maxBytes;
    }

    /** The folder name of this build's entries: generator version and Java feature release. */
    static String currentVersion() {
        return "g" + GeneratorVersion.VERSION + "-java" + Runtime.version().feature();
    }

    /** The default root: {@code -Dsimdnet.kernel.cache}, else {@code $SIMDNET_KERNEL_CACHE}, else ~/.cache/simdnet/kernels. */
    public static Path defaultRoot() {
        String property = System.getProperty("simdnet.kernel.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("SIMDNET_KERNEL_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "simdnet", "kernels");
    }

    /** The size cap: {@code -Dsimdnet.kernel.cache.max}, else {@code $SIMDNET_KERNEL_CACHE_MAX}, else 256 MiB. */
    static long defaultMaxBytes() {
        String text = System.getProperty("simdnet.kernel.cache.max");
        String source = "-Dsimdnet.kernel.cache.max";
        if (text == null || text.isBlank()) {
            text = System.getenv("SIMDNET_KERNEL_CACHE_MAX");
            source = "$SIMDNET_KERNEL_CACHE_MAX";
        }
        return text == null || text.isBlank() ? DEFAULT_MAX_BYTES : parseSize(source, text);
    }

    /** "500000", "64K", "256M", "2G" → bytes. */
    static long parseSize(String option, String text) {
        String t = text.trim().toUpperCase(java.util.Locale.ROOT);
        long unit = 1;
        if (t.endsWith("K") || t.endsWith("M") || t.endsWith("G")) {
            unit = switch (t.charAt(t.length() - 1)) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                default -> 1L << 30;
            };
            t = t.substring(0, t.length() - 1);
        }
        try {
            long value = Long.parseLong(t);
            if (value >= 0 && value <= Long.MAX_VALUE / unit) {
                return value * unit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " = \"" + text + "\": expected a size in bytes such as 500000, 64K, 256M or 2G");
    }

    Path base() {
        return base;
    }

    long maxBytes() {
        return maxBytes;
    }

    public Path folderFor(KernelSpec spec) {
        return root.resolve(spec.className());
    }

    /**
     * The cached classes for {@code spec}, or empty when absent, incomplete, cached for another spec, compiled from
     * other source than {@code source} (a generator changed without a version bump), or damaged (a checksum differs:
     * the entry is then removed, so the recompiled kernel replaces it).
     */
    public Optional<Map<String, byte[]>> load(KernelSpec spec, String source) {
        Path folder = folderFor(spec);
        try {
            if (!Files.isRegularFile(folder.resolve(SPEC_FILE))
                    || !Files.readString(folder.resolve(SPEC_FILE), StandardCharsets.UTF_8).equals(spec.key())
                    || !Files.readString(folder.resolve(SOURCE_FILE), StandardCharsets.UTF_8).equals(source)) {
                return Optional.empty();
            }
            Map<String, byte[]> classes = verifiedClasses(folder);
            if (classes == null) {
                boolean unsummed = !Files.isRegularFile(folder.resolve(CHECKSUM_FILE));
                System.getLogger("io.simdnet.kernels").log(unsummed ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                        "replacing cached kernel in " + folder + (unsummed ? " (written without checksums)" : " (damaged: a checksum does not match)"));
                remove(folder);
                return Optional.empty();
            }
            markUsed(folder);
            return Optional.of(classes);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The entry's classes if every file listed in its checksums is there and matches, and no class is unlisted; else null. */
    private static Map<String, byte[]> verifiedClasses(Path folder) throws IOException {
        Path checksums = folder.resolve(CHECKSUM_FILE);
        if (!Files.isRegularFile(checksums)) {
            return null;
        }
        Map<String, String> expected = new TreeMap<>();
        for (String line : Files.readAllLines(checksums, StandardCharsets.UTF_8)) {
            int space = line.indexOf("  ");
            if (space != 64) {
                return null;
            }
            expected.put(line.substring(space + 2), line.substring(0, space));
        }
        Map<String, byte[]> classes = new HashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(".class") && !expected.containsKey(name)) {
                    return null;
                }
            }
        }
        for (Map.Entry<String, String> e : expected.entrySet()) {
            Path file = folder.resolve(e.getKey());
            if (!file.getParent().equals(folder) || !Files.isRegularFile(file)) {
                return null;
            }
            byte[] bytes = Files.readAllBytes(file);
            if (!sha256(bytes).equals(e.getValue())) {
                return null;
            }
            if (e.getKey().endsWith(".class")) {
                classes.put(e.getKey().substring(0, e.getKey().length() - ".class".length()), bytes);
            }
        }
        return classes.isEmpty() ? null : classes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** The folder's modification time is its last use, for least-recently-used eviction. */
    private static void markUsed(Path folder) {
        try {
            Files.setLastModifiedTime(folder, FileTime.from(Instant.now()));
        } catch (IOException ignored) {
            // A read-only cache still serves its kernels; it only evicts less well.
        }
    }

    /** Stores the classes and source of {@code spec}; failures only cost a recompilation next time. */
    public void store(KernelSpec spec, String source, Map<String, byte[]> classes) throws IOException {
        Files.createDirectories(root);
        Path folder = folderFor(spec);
        Path staging = Files.createTempDirectory(root, spec.className() + ".tmp-");
        try {
            StringBuilder checksums = new StringBuilder();
            byte[] sourceBytes = source.getBytes(StandardCharsets.UTF_8);
            Files.write(staging.resolve(SOURCE_FILE), sourceBytes);
            checksums.append(sha256(sourceBytes)).append("  ").append(SOURCE_FILE).append('\n');
            for (Map.Entry<String, byte[]> entry : new TreeMap<>(classes).entrySet()) {
                Files.write(staging.resolve(entry.getKey() + ".class"), entry.getValue());
                checksums.append(sha256(entry.getValue())).append("  ").append(entry.getKey()).append(".class\n");
            }
            Files.writeString(staging.resolve(CHECKSUM_FILE), checksums, StandardCharsets.UTF_8);
            // The spec file goes last: load() treats a folder without it as absent.
            Files.writeString(staging.resolve(SPEC_FILE), spec.key(), StandardCharsets.UTF_8);
            if (!publish(staging, folder) && load(spec, source).isEmpty()) {
                // The entry in the way is stale (another spec or incomplete): move it aside, then publish ours.
                remove(folder);
                publish(staging, folder);
            }
        } finally {
            deleteRecursively(staging);
        }
        maintain(folder);
    }

    /** After a store: other versions go (once per cache object), then least recently used entries while over the cap. */
    private void maintain(Path keep) {
        try {
            if (!prunedVersions) {
                prunedVersions = true;
                removeOtherVersions();
            }
            evictOverCap(keep);
        } catch (IOException ignored) {
            // Maintenance is best effort: another JVM may be pruning the same folders.
        }
    }

    /** One cached kernel: version folder, class name, spec, bytes on disk, last use. */
    record Entry(String version, Path folder, String spec, long bytes, Instant lastUsed) {
    }

    /** Every complete entry of every version, least recently used first. */
    List<Entry> entries() throws IOException {
        List<Entry> all = new ArrayList<>();
        if (!Files.isDirectory(base)) {
            return all;
        }
        try (Stream<Path> versions = Files.list(base)) {
            for (Path version : (Iterable<Path>) versions::iterator) {
                if (!Files.isDirectory(version) || !isVersionFolder(version.getFileName().toString())) {
                    continue;
                }
                try (Stream<Path> folders = Files.list(version)) {
                    for (Path folder : (Iterable<Path>) folders::iterator) {
                        Path spec = folder.resolve(SPEC_FILE);
                        if (Files.isRegularFile(spec)) {
                            try {
                                all.add(new Entry(version.getFileName().toString(), folder, Files.readString(spec, StandardCharsets.UTF_8), size(folder),
                                        Files.getLastModifiedTime(folder).toInstant()));
                            } catch (NoSuchFileException raced) {
                                // evicted meanwhile
                            }
                        }
                    }
                }
            }
        }
        all.sort(Comparator.comparing(Entry::lastUsed));
        return all;
    }

    static boolean isVersionFolder(String name) {
        return name.matches("g\\d+-java\\d+");
    }

    /** Bytes under the whole cache, all versions and leftovers included. */
    long totalBytes() throws IOException {
        return Files.isDirectory(base) ? size(base) : 0;
    }

    /** Removes entries, least recently used first, until the cache fits its cap; never {@code keep}. Returns how many. */
    int evictOverCap(Path keep) throws IOException {
        long total = totalBytes();
        int evicted = 0;
        for (Entry e : entries()) {
            if (total <= maxBytes) {
                break;
            }
            if (e.folder().equals(keep)) {
                continue;
            }
            remove(e.folder());
            total -= e.bytes();
            evicted++;
        }
        return evicted;
    }

    /** Removes the folders of other generator versions and Java releases, and abandoned temporary folders. Returns how many. */
    int removeOtherVersions() throws IOException {
        int removed = 0;
        if (!Files.isDirectory(base)) {
            return 0;
        }
        try (Stream<Path> versions = Files.list(base)) {
            for (Path version : (Iterable<Path>) versions::iterator) {
                String name = version.getFileName().toString();
                if (Files.isDirectory(version) && isVersionFolder(name) && !name.equals(currentVersion())) {
                    remove(version);
                    removed++;
                }
            }
        }
        if (Files.isDirectory(root)) {
            Instant old = Instant.now().minus(ABANDONED);
            try (Stream<Path> folders = Files.list(root)) {
                for (Path folder : (Iterable<Path>) folders::iterator) {
                    String name = folder.getFileName().toString();
                    if ((name.contains(".tmp-") || name.contains(".stale-")) && Files.getLastModifiedTime(folder).toInstant().isBefore(old)) {
                        deleteRecursively(folder);
                        removed++;
                    }
                }
            }
        }
        return removed;
    }

    /** Removes every version folder (and nothing else that might share the directory). Returns how many entries went. */
    int clear() throws IOException {
        int entries = entries().size();
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                for (Path version : (Iterable<Path>) versions::iterator) {
                    if (Files.isDirectory(version) && isVersionFolder(version.getFileName().toString())) {
                        remove(version);
                    }
                }
            }
        }
        return entries;
    }

    /** Renames {@code folder} aside in one step (readers see it whole or gone), then deletes it. */
    private static void remove(Path folder) throws IOException {
        Path stale = Files.createTempDirectory(folder.getParent(), folder.getFileName() + ".stale-");
        try {
            Files.move(folder, stale.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException gone) {
            // someone else removed it meanwhile
        } catch (IOException raced) {
            // someone else replaced it meanwhile
        }
        deleteRecursively(stale);
    }

    private static long size(Path folder) throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            long total = 0;
            for (Path p : (Iterable<Path>) walk::iterator) {
                try {
                    if (Files.isRegularFile(p)) {
                        total += Files.size(p);
                    }
                } catch (NoSuchFileException raced) {
                    // removed meanwhile
                }
            }
            return total;
        } catch (java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** Renames a complete staging folder into place; false when an entry is already there (another JVM won the race). */
    private static boolean publish(Path staging, Path folder) throws IOException {
        try {
            Files.move(staging, folder, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
            return false;
        } catch (FileSystemException e) {
            if (Files.exists(folder)) {
                return false;
            }
            throw e;
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.UncheckedIOException raced) {
            // another JVM deleted part of it meanwhile
        }
    }
}
