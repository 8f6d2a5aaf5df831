package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLocatorTest {

    private static final List<String> FILES = List.of("images", "labels");

    @TempDir
    Path root;

    private Path work;
    private Path system;

    @BeforeEach
    void layout() throws IOException {
        // root/a/b is the working directory, so ../shared and ../../shared are root/a/shared and root/shared.
        work = Files.createDirectories(root.resolve("a/b"));
        system = Files.createDirectories(root.resolve("usr-share-datasets"));
    }

    /** Creates {@code dir} with the required files, the first gzipped-named to show that either form matches. */
    private static Path complete(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("images.gz"), new byte[] {1});
        Files.write(dir.resolve("labels"), new byte[] {1});
        return dir;
    }

    private Path locate(Path explicit, Map<String, String> env) throws DatasetNotFoundException {
        return DataLocator.locate("toy", explicit, FILES, env, work, system);
    }

    @Test
    void candidatesAreTriedInTheDocumentedOrder() throws IOException {
        Path deepShared = complete(root.resolve("shared/datasets/toy"));
        Path shared = complete(root.resolve("a/shared/datasets/toy"));
        Path local = complete(work.resolve("data/toy"));
        Path systemDir = complete(system.resolve("toy"));
        Path envDataset = complete(root.resolve("env/toy"));
        Path envItself = complete(root.resolve("env-itself"));
        Path explicitDataset = complete(root.resolve("explicit/toy"));

        assertEquals(explicitDataset, locate(root.resolve("explicit"), Map.of("SIMDNET_DATA", envItself.toString())), "explicit/<dataset>");
        assertEquals(envItself, locate(null, Map.of("SIMDNET_DATA", envItself.toString())), "$SIMDNET_DATA itself");
        assertEquals(envDataset, locate(null, Map.of("SIMDNET_DATA", root.resolve("env").toString())), "$SIMDNET_DATA/<dataset>");
        assertEquals(systemDir, locate(null, Map.of()), "/usr/share/datasets/<dataset>");
        deleteTree(systemDir);
        assertEquals(local, locate(null, Map.of()), "./data/<dataset>");
        deleteTree(local);
        assertEquals(shared, locate(null, Map.of()), "../shared/datasets/<dataset>");
        deleteTree(shared);
        assertEquals(deepShared, locate(null, Map.of()), "../../shared/datasets/<dataset>");
    }

    @Test
    void explicitDirectoryItselfMatchesBeforeItsSubdirectory() throws IOException {
        Path explicit = complete(root.resolve("explicit"));
        complete(explicit.resolve("toy"));
        assertEquals(explicit, locate(explicit, Map.of()));
    }

    @Test
    void explicitDirectoryThatDoesNotMatchFailsWithoutFallingBack() throws IOException {
        complete(system.resolve("toy"));
        Path explicit = Files.createDirectories(root.resolve("explicit"));
        Files.write(explicit.resolve("labels.gz"), new byte[] {1});
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> locate(explicit, Map.of()));
        assertTrue(e.getMessage().contains("is not in the given directory " + explicit), e.getMessage());
        assertTrue(e.getMessage().contains(explicit + ": missing images"), e.getMessage());
        assertTrue(e.getMessage().contains(explicit.resolve("toy") + ": no such directory"), e.getMessage());
        assertEquals(List.of(explicit, explicit.resolve("toy")), e.tried());
    }

    @Test
    void nameWithGzSuffixAlsoMatchesTheUncompressedFile() throws IOException {
        Path dir = complete(root.resolve("explicit"));
        assertEquals(dir, DataLocator.locate("toy", dir, List.of("images", "labels.gz"), Map.of(), work, system));
    }

    @Test
    void nothingFoundListsEveryPlaceTried() throws IOException {
        Path env = Files.createDirectories(root.resolve("env"));
        Files.write(env.resolve("images"), new byte[] {1});
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> locate(null, Map.of("SIMDNET_DATA", env.toString())));
        List<Path> expected = List.of(env, env.resolve("toy"), system.resolve("toy"), work.resolve("data/toy"), root.resolve("a/shared/datasets/toy"),
                root.resolve("shared/datasets/toy"));
        assertEquals(expected, e.tried());
        for (Path place : expected) {
            assertTrue(e.getMessage().contains(place.toString()), place + " in: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(env + ": missing labels"), e.getMessage());
        assertTrue(e.getMessage().contains("SIMDNET_DATA"), e.getMessage());
        assertEquals("toy", e.dataset());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
