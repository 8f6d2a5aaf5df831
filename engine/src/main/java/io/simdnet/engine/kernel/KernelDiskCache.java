package io.simdnet.engine.kernel;

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
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Compiled run-time kernels on disk, one folder per spec under {@code <root>/g<generator version>-java<feature>/}.
 * A folder is written whole under a temporary name and renamed into place, so two JVMs racing on the same spec
 * each see either no entry or a complete one; the loser of the rename keeps its own classes and deletes its copy.
 */
final class KernelDiskCache {

    private static final String SPEC_FILE = "spec.txt";
    private static final String SOURCE_FILE = "Kernel.java";

    private final Path root;

    KernelDiskCache(Path root) {
        this.root = root.resolve("g" + GeneratorVersion.VERSION + "-java" + Runtime.version().feature());
    }

    /** The default root: {@code -Dsimdnet.kernel.cache}, else {@code $SIMDNET_KERNEL_CACHE}, else ~/.cache/simdnet/kernels. */
    static Path defaultRoot() {
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

    Path folderFor(KernelSpec spec) {
        return root.resolve(spec.className());
    }

    /**
     * The cached classes for {@code spec}, or empty when absent, incomplete, cached for another spec, or
     * compiled from other source than {@code source} (a generator changed without a version bump).
     */
    Optional<Map<String, byte[]>> load(KernelSpec spec, String source) {
        Path folder = folderFor(spec);
        try {
            if (!Files.isRegularFile(folder.resolve(SPEC_FILE))
                    || !Files.readString(folder.resolve(SPEC_FILE), StandardCharsets.UTF_8).equals(spec.key())
                    || !Files.readString(folder.resolve(SOURCE_FILE), StandardCharsets.UTF_8).equals(source)) {
                return Optional.empty();
            }
            Map<String, byte[]> classes = new HashMap<>();
            try (Stream<Path> files = Files.list(folder)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".class")) {
                        classes.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(file));
                    }
                }
            }
            return classes.isEmpty() ? Optional.empty() : Optional.of(classes);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Stores the classes and source of {@code spec}; failures only cost a recompilation next time. */
    void store(KernelSpec spec, String source, Map<String, byte[]> classes) throws IOException {
        Files.createDirectories(root);
        Path folder = folderFor(spec);
        Path staging = Files.createTempDirectory(root, spec.className() + ".tmp-");
        try {
            Files.writeString(staging.resolve(SOURCE_FILE), source, StandardCharsets.UTF_8);
            for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
                Files.write(staging.resolve(entry.getKey() + ".class"), entry.getValue());
            }
            // The spec file goes last: load() treats a folder without it as absent.
            Files.writeString(staging.resolve(SPEC_FILE), spec.key(), StandardCharsets.UTF_8);
            if (!publish(staging, folder) && load(spec, source).isEmpty()) {
                // The entry in the way is stale (another spec or incomplete): move it aside, then publish ours.
                Path stale = Files.createTempDirectory(root, spec.className() + ".stale-");
                try {
                    Files.move(folder, stale.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    // someone else replaced it meanwhile
                }
                deleteRecursively(stale);
                publish(staging, folder);
            }
        } finally {
            deleteRecursively(staging);
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
        }
    }
}
