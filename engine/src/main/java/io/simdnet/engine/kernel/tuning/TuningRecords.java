package io.simdnet.engine.kernel.tuning;

import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.codegen.plan.Conv2dAlgorithmPlan;
import io.simdnet.engine.io.AtomicFiles;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The tuning records a registry consults: those made in this process, the JSON files in
 * {@code <kernel cache>/tuning/<profile>/<kernel class>.json}, then those shipped in the jar
 * ({@value #SHIPPED}) for the machines we know. A file is written under a temporary name and renamed over the
 * old one in one step, so JVMs tuning the same spec at once leave one whole record, the last one's.
 *
 * <p>A record is used only if it is whole, made for this spec, made on this profile (shipped ones: this CPU
 * family, width, threads, JDK and generator), and names a variant of this spec; any other is ignored with one
 * WARNING line naming the file and why.
 */
final class TuningRecords {

    static final String SHIPPED = "/io/simdnet/engine/kernel/tuning/tuning-records.json";
    static final String FOLDER = "tuning";

    private static final System.Logger LOG = System.getLogger("io.simdnet.kernels");

    private final Path folder;
    private final boolean useShipped;
    private final Map<String, TuningRecord> made = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile List<TuningRecord> shipped;

    /** @param folder where records are kept on disk ({@code <cache>/tuning}), or null for this process only */
    TuningRecords(Path folder, boolean useShipped) {
        this.folder = folder;
        this.useShipped = useShipped;
    }

    Path folder() {
        return folder;
    }

    /** The file the record of {@code spec} on {@code profile} is kept in, or null without a folder. */
    Path fileFor(KernelSpec spec, TuningProfile profile) {
        return folder == null ? null : folder.resolve(profile.folderName()).resolve(spec.className() + ".json");
    }

    /** The usable record for default spec {@code spec} on {@code profile}, or null. */
    TuningRecord find(KernelSpec spec, TuningProfile profile) {
        TuningRecord own = made.get(spec.key());
        if (own != null && own.profile().equals(profile)) {
            return own;
        }
        Path file = fileFor(spec, profile);
        if (file != null && Files.isRegularFile(file)) {
            try {
                TuningRecord record = TuningRecord.fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
                String problem = problem(record, spec, profile, false);
                if (problem == null) {
                    return record;
                }
                warn(file.toString(), problem);
            } catch (IOException | IllegalArgumentException e) {
                warn(file.toString(), e.getMessage());
            }
        }
        if (useShipped) {
            for (TuningRecord record : shipped()) {
                if (record.spec().equals(spec.key()) && problem(record, spec, profile, true) == null) {
                    return record;
                }
            }
        }
        return null;
    }

    /** Why {@code record} cannot serve {@code spec} on {@code profile}, or null when it can. */
    static String problem(TuningRecord record, KernelSpec spec, TuningProfile profile, boolean shipped) {
        if (!record.spec().equals(spec.key())) {
            return "made for spec '" + record.spec() + "', expected '" + spec.key() + "'";
        }
        if (shipped ? !profile.sharesFamily(record.profile()) : !profile.equals(record.profile())) {
            return "made on " + record.profile() + ", this is " + profile;
        }
        KernelSpec winner;
        try {
            winner = KernelSpec.parse(record.winner());
        } catch (IllegalArgumentException e) {
            return "its winner does not parse: " + e.getMessage();
        }
        if (winner instanceof Conv2dSpec conv) {
            // Parsing does not check a convolution's tiles against its registers and channels; its plan does.
            try {
                Conv2dAlgorithmPlan.of(conv);
            } catch (IllegalArgumentException e) {
                return "its winner cannot be computed: " + e.getMessage();
            }
        }
        if (!KernelVariants.isVariantOf(winner, spec)) {
            return "its winner '" + record.winner() + "' does not compute spec '" + spec.key() + "'";
        }
        return null;
    }

    private void warn(String file, String problem) {
        if (warned.add(file + problem)) {
            LOG.log(System.Logger.Level.WARNING, "ignoring tuning record " + file + ": " + problem);
        }
    }

    /** Keeps {@code record} for this process and, with a folder, on disk (atomically; a failure only costs a retune). */
    void store(KernelSpec spec, TuningRecord record) {
        made.put(spec.key(), record);
        Path file = fileFor(spec, record.profile());
        if (file == null) {
            return;
        }
        try {
            AtomicFiles.writeString(file, record.toJson());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write tuning record " + file + ": " + e);
        }
    }

    /** Every record file under the folder, all profiles, sorted by path (what {@code bin/simdnet info} lists). */
    List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        if (folder == null || !Files.isDirectory(folder)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(folder, 2)) {
            walk.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted().forEach(files::add);
        } catch (java.io.UncheckedIOException raced) {
            // a file went meanwhile
        }
        return files;
    }

    /** The records shipped in the jar (all profiles). */
    List<TuningRecord> shipped() {
        List<TuningRecord> records = shipped;
        if (records == null) {
            records = loadShipped();
            shipped = records;
        }
        return records;
    }

    private List<TuningRecord> loadShipped() {
        try (InputStream in = TuningRecords.class.getResourceAsStream(SHIPPED)) {
            if (in == null) {
                return List.of();
            }
            return TuningRecord.listFromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), SHIPPED).stream()
                    .filter(r -> r != null).toList();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the shipped tuning records " + SHIPPED + ": " + e.getMessage());
            return List.of();
        }
    }

    /** Reads one record file for listing; null (with the reason logged) when it cannot be read. */
    static TuningRecord read(Path file) {
        try {
            return TuningRecord.fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "unreadable tuning record " + file + ": " + e.getMessage());
            return null;
        }
    }
}
