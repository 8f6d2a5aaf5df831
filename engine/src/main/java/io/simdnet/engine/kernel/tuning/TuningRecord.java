package io.simdnet.engine.kernel.tuning;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.util.List;
import java.util.Map;

/**
 * What tuning one spec measured and chose, kept as a JSON file a person can read: the spec, the machine
 * profile, the batch it was timed at, every candidate's median time (per pass for a convolution), and the
 * winner, whose key is the spec the registry then serves.
 *
 * @param spec the key layers ask for (the default variant)
 * @param winner the key of the variant that serves it; equal to {@code spec} when the default won or tied
 * @param batch rows (GEMM) or images (convolution) per timed call
 * @param defaultMicros the default variant's median time per call (all passes)
 * @param winnerMicros the winner's: measured, or for a DIRECT convolution whose passes' best tiles came from
 *     different candidates, the sum of those passes' medians
 * @param budgetMillis the measurement time allowed; {@code tuneMillis} the time taken, compilation included
 */
public record TuningRecord(String format, String spec, String winner, TuningProfile profile, int batch, String tunedAt, double defaultMicros,
        double winnerMicros, long budgetMillis, long tuneMillis, List<Candidate> candidates) {

    public static final String FORMAT = "simdnet-tuning-record-1";

    /**
     * @param passMicros median time per call of each pass timed (a GEMM has the one pass "gemm")
     * @param totalMicros the passes' sum; null (and the pass times null) for a rejected candidate
     * @param rejected why the candidate was not considered (wrong results, failed to compile), else null
     */
    public record Candidate(String variant, Map<String, Double> passMicros, Double totalMicros, String rejected) {
    }

    /** Writes nulls: a rejected candidate's pass times are null, and a map would drop them otherwise (the record would not read back equal). */
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES).create();

    /** Default over tuned time: above 1 where tuning won. */
    public double speedup() {
        return winnerMicros > 0 ? defaultMicros / winnerMicros : 1;
    }

    public String toJson() {
        return GSON.toJson(this) + "\n";
    }

    /** One record, or an exception naming what is missing; {@code origin} names the file in the message. */
    public static TuningRecord fromJson(String json, String origin) {
        TuningRecord record;
        try {
            record = GSON.fromJson(json, TuningRecord.class);
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IllegalArgumentException("tuning record " + origin + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (record == null) {
            throw new IllegalArgumentException("tuning record " + origin + ": empty file or JSON null, expected a record");
        }
        return record.checked(origin);
    }

    /** The records of a shipped file: a JSON array of records. */
    public static List<TuningRecord> listFromJson(String json, String origin) {
        List<TuningRecord> records;
        try {
            records = GSON.fromJson(json, new TypeToken<List<TuningRecord>>() { }.getType());
        } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IllegalArgumentException("tuning records " + origin + ": not valid JSON (" + e.getMessage() + ")");
        }
        if (records == null) {
            throw new IllegalArgumentException("tuning records " + origin + ": empty file, expected a JSON array of records");
        }
        return records.stream().map(r -> r == null ? null : r.checked(origin)).toList();
    }

    /** The record in {@code file}, or null (with a WARNING naming the file and why) when it cannot be read. */
    public static TuningRecord readFile(java.nio.file.Path file) {
        return TuningRecords.read(file);
    }

    public static String listToJson(List<TuningRecord> records) {
        return GSON.toJson(records) + "\n";
    }

    private TuningRecord checked(String origin) {
        if (!FORMAT.equals(format)) {
            throw new IllegalArgumentException("tuning record " + origin + ": format \"" + format + "\", expected \"" + FORMAT + "\"");
        }
        if (spec == null || winner == null || profile == null || profile.cpuFamily() == null || profile.cpuModel() == null || candidates == null) {
            throw new IllegalArgumentException("tuning record " + origin + ": spec, winner, profile and candidates are required");
        }
        return this;
    }
}
