package io.simdnet.engine.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Finds the directory holding a dataset's files, so that examples run without a path wherever the data is. Candidates,
 * in order: an explicitly given directory (itself, then {@code <dir>/<dataset>}); the environment variable
 * {@value #ENVIRONMENT_VARIABLE} (the same two forms); {@code /usr/share/datasets/<dataset>}, where Debian's
 * {@code dataset-fashion-mnist} package installs {@code fashion-mnist}; {@code ./data/<dataset>};
 * {@code ../shared/datasets/<dataset>}; {@code ../../shared/datasets/<dataset>}. A candidate matches when it holds
 * every required file, each with or without a {@code .gz} suffix.
 */
public final class DataLocator {

    /** Names a directory of datasets, or of one dataset's files. */
    public static final String ENVIRONMENT_VARIABLE = "SIMDNET_DATA";

    static final Path SYSTEM_DATASETS = Path.of("/usr/share/datasets");

    private DataLocator() {
    }

    /**
     * The first candidate directory that holds all of {@code requiredFiles}. An {@code explicitDir} that does not match
     * fails at once rather than falling back: a user who names a directory wants that one, and silently reading other
     * data would hide the mistake.
     *
     * @param dataset the dataset's directory name, e.g. {@code mnist}, {@code fashion-mnist}, {@code cifar-100}
     * @param explicitDir a directory the user gave, or null
     * @param requiredFiles file names that must all be present (with or without {@code .gz})
     */
    public static Path locate(String dataset, Path explicitDir, List<String> requiredFiles) throws DatasetNotFoundException {
        return locate(dataset, explicitDir, requiredFiles, System.getenv(), Path.of(""), SYSTEM_DATASETS);
    }

    /** {@link #locate(String, Path, List)} with the environment, working directory and system datasets directory given. */
    static Path locate(String dataset, Path explicitDir, List<String> requiredFiles, Map<String, String> env, Path workingDir,
            Path systemDatasets) throws DatasetNotFoundException {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(requiredFiles, "requiredFiles");
        List<String> report = new ArrayList<>();
        List<Path> tried = new ArrayList<>();
        if (explicitDir != null) {
            Path found = firstMatch(both(explicitDir, dataset), requiredFiles, report, tried);
            if (found != null) {
                return found;
            }
            throw new DatasetNotFoundException(dataset, tried, "Dataset '" + dataset + "' is not in the given directory " + explicitDir
                    + ": expected " + describe(requiredFiles) + " in it or in its subdirectory " + dataset + ".\n" + String.join("\n", report));
        }
        Set<Path> candidates = new LinkedHashSet<>();
        String fromEnv = env.get(ENVIRONMENT_VARIABLE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            candidates.addAll(both(Path.of(fromEnv), dataset));
        }
        candidates.add(systemDatasets.resolve(dataset));
        candidates.add(workingDir.resolve("data").resolve(dataset));
        candidates.add(workingDir.resolve("..").resolve("shared").resolve("datasets").resolve(dataset));
        candidates.add(workingDir.resolve("..").resolve("..").resolve("shared").resolve("datasets").resolve(dataset));
        Path found = firstMatch(List.copyOf(candidates), requiredFiles, report, tried);
        if (found != null) {
            return found;
        }
        throw new DatasetNotFoundException(dataset, tried, "Dataset '" + dataset + "' not found: looked for " + describe(requiredFiles)
                + " in these directories, in order:\n" + String.join("\n", report) + "\nPass its directory, set " + ENVIRONMENT_VARIABLE
                + " to it (or to a directory with a " + dataset + " subdirectory), or download it into ./data/" + dataset + ".");
    }

    private static List<Path> both(Path dir, String dataset) {
        return List.of(dir, dir.resolve(dataset));
    }

    private static Path firstMatch(List<Path> candidates, List<String> requiredFiles, List<String> report, List<Path> tried) {
        for (Path candidate : candidates) {
            Path dir = candidate.toAbsolutePath().normalize();
            tried.add(dir);
            if (!Files.isDirectory(dir)) {
                report.add("  " + dir + ": no such directory");
                continue;
            }
            List<String> missing = requiredFiles.stream().filter(name -> !present(dir, name)).toList();
            if (missing.isEmpty()) {
                return dir;
            }
            report.add("  " + dir + ": missing " + String.join(", ", missing));
        }
        return null;
    }

    /** Whether {@code name} is in {@code dir} as given, or with {@code .gz} added or removed. */
    static boolean present(Path dir, String name) {
        String other = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name + ".gz";
        return Files.isRegularFile(dir.resolve(name)) || Files.isRegularFile(dir.resolve(other));
    }

    private static String describe(List<String> requiredFiles) {
        return requiredFiles.isEmpty() ? "the directory" : String.join(", ", requiredFiles) + " (each with or without .gz)";
    }
}
