package io.simdnet.engine.kernel.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.codegen.gen.GeneratorVersion;
import io.simdnet.codegen.gen.KernelVariants;
import io.simdnet.engine.kernel.KernelOrigin;
import io.simdnet.engine.kernel.KernelRegistry;
import io.simdnet.engine.kernel.MachineProfile;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Conv2dSpec;
import io.simdnet.kernel.spec.DirectConvTiles;
import io.simdnet.kernel.spec.GemmForm;
import io.simdnet.kernel.spec.GemmSpec;
import io.simdnet.kernel.spec.KernelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tuning records on disk and in the jar: a record reads back from its JSON as written; a file that is not a
 * whole record of this format, a record made on another profile, and a record whose winner does not compute its
 * spec are each ignored with one WARNING naming the file, the default variant serving; shipped records serve on
 * CPUs of the family they were made on.
 */
class TuningRecordsTest {

    private static final GemmSpec SPEC = GemmSpec.of(DType.F32, GemmForm.NN, 57, 45, true, false);

    @TempDir
    Path cache;

    /** Held here: java.util.logging keeps loggers only weakly, and the handler must stay attached. */
    private final Logger logger = Logger.getLogger("io.simdnet.kernels");
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        handler.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    @AfterEach
    void releaseWarnings() {
        logger.removeHandler(handler);
    }

    /** Records consulted (tuning not off), no shipped ones; generic kernels, which serve as well and need no javac. */
    private KernelRegistry registry() {
        return registry(false);
    }

    private KernelRegistry registry(boolean compile) {
        return new KernelRegistry(new KernelRegistry.Options(false, compile, cache, TuningMode.LAZY, Duration.ofMillis(300), false));
    }

    private Path recordFile(KernelSpec spec) {
        return cache.resolve(TuningRecords.FOLDER).resolve(here().folderName()).resolve(spec.className() + ".json");
    }

    private Path write(KernelSpec spec, String json) throws Exception {
        Path file = recordFile(spec);
        Files.createDirectories(file.getParent());
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }

    private List<String> warningsNaming(Path file) {
        synchronized (logged) {
            return logged.stream().filter(r -> r.getLevel() == Level.WARNING && r.getMessage().contains(file.toString()))
                    .map(LogRecord::getMessage).toList();
        }
    }

    /** A record of {@code spec} won by {@code winner} on {@code profile}, one candidate rejected. */
    private static TuningRecord record(KernelSpec spec, KernelSpec winner, TuningProfile profile) {
        Map<String, Double> times = new LinkedHashMap<>();
        times.put("gemm", 12.5);
        Map<String, Double> faster = new LinkedHashMap<>();
        faster.put("gemm", 10.25);
        Map<String, Double> none = new LinkedHashMap<>();
        none.put("gemm", null);
        List<TuningRecord.Candidate> candidates = List.of(new TuningRecord.Candidate(spec.key(), times, 12.5, null),
                new TuningRecord.Candidate(winner.key(), faster, 10.25, null),
                new TuningRecord.Candidate("gemm f32 NN k=57 n=45 bias=true mr=1 nrv=1", none, null, "output 0 element 3 is NaN"));
        return new TuningRecord(TuningRecord.FORMAT, spec.key(), winner.key(), profile, 20, "2025-01-01T00:00:00Z", 12.5, 10.25, 300, 1234,
                candidates);
    }

    private static KernelSpec otherVariant(KernelSpec spec) {
        return KernelVariants.of(spec, 20).get(1);
    }

    /** This machine's profile now, as the registry hands it to tuning. */
    private static TuningProfile here() {
        return MachineProfile.current().tuningProfile();
    }

    private static TuningProfile withFamily(TuningProfile p, String family) {
        return new TuningProfile(p.cpuModel(), family, p.vectorBits(), p.threads(), p.jdkFeature(), p.generatorVersion());
    }

    private static TuningProfile withModel(TuningProfile p, String model) {
        return new TuningProfile(model, p.cpuFamily(), p.vectorBits(), p.threads(), p.jdkFeature(), p.generatorVersion());
    }

    private static TuningProfile withThreads(TuningProfile p, int threads) {
        return new TuningProfile(p.cpuModel(), p.cpuFamily(), p.vectorBits(), threads, p.jdkFeature(), p.generatorVersion());
    }

    private static TuningProfile withGenerator(TuningProfile p, int version) {
        return new TuningProfile(p.cpuModel(), p.cpuFamily(), p.vectorBits(), p.threads(), p.jdkFeature(), version);
    }

    private void assertDefaultServesAndTheFileIsNamed(Path file) {
        KernelRegistry registry = registry();
        assertNotEquals(KernelOrigin.TUNED, registry.origin(SPEC), "the record in " + file + " must not serve");
        assertEquals(SPEC, registry.variant(SPEC));
        assertNull(registry.tuning().record(SPEC));
        List<String> warnings = warningsNaming(file);
        assertTrue(!warnings.isEmpty(), "no WARNING names " + file + "; logged: " + logged.stream().map(LogRecord::getMessage).toList());
    }

    @Test
    void aRecordReadsBackFromItsJsonAsWritten() {
        TuningRecord record = record(SPEC, otherVariant(SPEC), here());
        String json = record.toJson();
        assertEquals(record, TuningRecord.fromJson(json, "test"), json);
        assertEquals(json, TuningRecord.fromJson(json, "test").toJson());
        assertTrue(json.contains("\"default_micros\""), "field names are snake case: " + json);
        List<TuningRecord> list = List.of(record, record(SPEC, SPEC, withModel(here(), "Other CPU")));
        assertEquals(list, TuningRecord.listFromJson(TuningRecord.listToJson(list), "test"));
    }

    @Test
    void aValidRecordFileServesItsWinner() throws Exception {
        KernelSpec winner = otherVariant(SPEC);
        write(SPEC, record(SPEC, winner, here()).toJson());
        KernelRegistry registry = registry();
        assertEquals(KernelOrigin.TUNED, registry.origin(SPEC));
        assertEquals(winner, registry.variant(SPEC));
        assertTrue(warningsNaming(recordFile(SPEC)).isEmpty(), logged.stream().map(LogRecord::getMessage).toList().toString());
    }

    /** What a file may hold after a crash, a full disk or a careless edit. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"truncated", "empty", "null", "array", "wrong format", "no format", "no winner", "no profile", "no cpu family",
        "no candidates", "batch not a number"})
    void aCorruptRecordFileIsIgnoredWithAWarningNamingIt(String corruption) throws Exception {
        String json = record(SPEC, otherVariant(SPEC), here()).toJson();
        String bad = switch (corruption) {
            case "truncated" -> json.substring(0, json.length() / 2);
            case "empty" -> "";
            case "null" -> "null";
            case "array" -> "[" + json + "]";
            case "wrong format" -> json.replace(TuningRecord.FORMAT, "simdnet-tuning-record-0");
            case "no format" -> json.replaceFirst("\"format\": \"[^\"]*\",", "");
            case "no winner" -> json.replaceFirst("\"winner\": \"[^\"]*\",", "");
            case "no profile" -> json.replaceFirst("(?s)\"profile\": \\{[^}]*},", "");
            case "no cpu family" -> json.replaceFirst("\"cpu_family\": \"[^\"]*\",", "");
            case "no candidates" -> json.replaceFirst("(?s)\"candidates\": \\[.*]", "\"candidates\": null");
            case "batch not a number" -> json.replaceFirst("\"batch\": 20", "\"batch\": \"twenty\"");
            default -> throw new IllegalArgumentException(corruption);
        };
        assertNotEquals(json, bad, "the corruption '" + corruption + "' changed nothing");
        Path file = write(SPEC, bad);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TuningRecord.fromJson(bad, file.toString()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertDefaultServesAndTheFileIsNamed(file);
    }

    @Test
    void aRecordFileIsWarnedAboutOncePerRegistry() throws Exception {
        Path file = write(SPEC, "{");
        KernelRegistry registry = registry();
        registry.tuning().record(SPEC);
        registry.tuning().record(SPEC);
        registry.kernel(SPEC);
        assertEquals(1, warningsNaming(file).size(), warningsNaming(file).toString());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cpu family", "cpu model", "generator version", "thread count"})
    void aRecordMadeOnAnotherProfileIsIgnoredWithAWarning(String difference) throws Exception {
        TuningProfile here = here();
        TuningProfile there = switch (difference) {
            case "cpu family" -> withFamily(here, here.cpuFamily() + "0");
            case "cpu model" -> withModel(here, here.cpuModel() + " v2");
            case "generator version" -> withGenerator(here, here.generatorVersion() + 1);
            case "thread count" -> withThreads(here, here.threads() + 1);
            default -> throw new IllegalArgumentException(difference);
        };
        assertNotEquals(here, there);
        // Copied into this profile's folder (a cache moved between machines, say): the profile inside decides.
        Path file = write(SPEC, record(SPEC, otherVariant(SPEC), there).toJson());
        assertDefaultServesAndTheFileIsNamed(file);
        assertTrue(warningsNaming(file).getFirst().contains("made on"), warningsNaming(file).toString());
    }

    @Test
    void aRecordWhoseWinnerIsNotAVariantOfItsSpecIsIgnored() throws Exception {
        GemmSpec otherShape = GemmSpec.of(DType.F32, GemmForm.NN, 57, 46, true, false);
        Path file = write(SPEC, record(SPEC, otherShape, here()).toJson());
        assertDefaultServesAndTheFileIsNamed(file);
        assertTrue(warningsNaming(file).getFirst().contains("does not compute"), warningsNaming(file).toString());
        assertNotNull(TuningRecords.problem(record(SPEC, otherShape, here()), SPEC, here(), false));
    }

    @Test
    void aRecordWhoseWinnerDoesNotParseIsIgnored() throws Exception {
        String json = record(SPEC, otherVariant(SPEC), here()).toJson().replace("\"winner\": \"gemm f32", "\"winner\": \"gemm f99");
        Path file = write(SPEC, json);
        assertDefaultServesAndTheFileIsNamed(file);
    }

    @Test
    void aRecordMadeForAnotherSpecIsIgnored() throws Exception {
        GemmSpec otherShape = GemmSpec.of(DType.F32, GemmForm.NN, 57, 46, true, false);
        // The other spec's record under this spec's file name.
        Path file = write(SPEC, record(otherShape, otherVariant(otherShape), here()).toJson());
        assertDefaultServesAndTheFileIsNamed(file);
    }

    @Test
    void aConvolutionRecordWhoseWinnerHasTilesBeyondTheRegistersIsIgnored() throws Exception {
        Conv2dSpec conv = Conv2dSpec.of(DType.F32, 3, 12, 12, 10, 3, 3, 1, 1, false, false);
        Conv2dSpec tooLarge = conv.withTiles(new DirectConvTiles(10, 8, 3, 8, 10, 9));
        Path file = write(conv, record(conv, tooLarge, here()).toJson());
        KernelRegistry registry = registry(true);
        assertNotEquals(KernelOrigin.TUNED, registry.origin(conv));
        assertEquals(conv, registry.variant(conv));
        assertTrue(!warningsNaming(file).isEmpty(), logged.stream().map(LogRecord::getMessage).toList().toString());
    }

    @Test
    void aShippedRecordServesOnAnotherModelOfTheSameFamilyButNotOnAnotherFamily() {
        TuningProfile here = here();
        TuningRecord shipped = record(SPEC, otherVariant(SPEC), withModel(here, "Some Other Model Of This Family"));
        assertNull(TuningRecords.problem(shipped, SPEC, here, true), "a shipped record of this family serves");
        assertNotNull(TuningRecords.problem(shipped, SPEC, here, false), "a record on disk must match the model too");
        TuningRecord otherFamily = record(SPEC, otherVariant(SPEC), withFamily(here, here.cpuFamily() + "1"));
        assertNotNull(TuningRecords.problem(otherFamily, SPEC, here, true));
        assertNotNull(TuningRecords.problem(record(SPEC, otherVariant(SPEC), withThreads(withModel(here, "x"), here.threads() + 1)), SPEC, here, true),
                "another thread count is another profile, shipped or not");
        assertNotNull(TuningRecords.problem(record(SPEC, otherVariant(SPEC), withGenerator(here, here.generatorVersion() + 1)), SPEC, here, true));
        assertNull(TuningRecords.problem(record(SPEC, otherVariant(SPEC), here), SPEC, here, false));
    }

    @Test
    void aShippedRecordOfAnOlderGeneratorServesOnlyWhileItsRecordsRankTheVariantsAlike() {
        TuningProfile here = here();
        int oldest = GeneratorVersion.TUNING_COMPATIBLE_SINCE;
        assertNull(TuningRecords.problem(record(SPEC, otherVariant(SPEC), withGenerator(here, oldest)), SPEC, here, true),
                "a shipped record of generator " + oldest + " serves generator " + here.generatorVersion());
        String refused = TuningRecords.problem(record(SPEC, otherVariant(SPEC), withGenerator(here, oldest - 1)), SPEC, here, true);
        assertNotNull(refused, "generator " + (oldest - 1) + " made records that no longer rank the variants as this one does");
        assertTrue(refused.contains("generator " + (oldest - 1)), refused);
        assertNotNull(TuningRecords.problem(record(SPEC, otherVariant(SPEC), withGenerator(here, oldest)), SPEC, withGenerator(here, oldest + 1), false),
                "records on disk are this generator's own, never an older one's");
    }
}
