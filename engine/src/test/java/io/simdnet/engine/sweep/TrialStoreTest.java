package io.simdnet.engine.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrialStoreTest {

    record Setting(int index, double learningRate) implements Trial<Outcome> {
        @Override
        public Outcome run(Dataset train, Dataset validation) {
            throw new UnsupportedOperationException("not run here");
        }

        @Override
        public Outcome failed(Throwable error, double seconds) {
            return new Outcome(this, new double[0], error.getMessage());
        }
    }

    record Outcome(Setting trial, double[] accuracy, String failure) implements Serializable {
    }

    @TempDir
    Path dir;

    private TrialStore<Outcome> store() {
        return new TrialStore<>(dir.resolve("trials"), Outcome.class, Outcome::trial);
    }

    @Test
    void aStoredResultReadsBackBitForBitIncludingNaN() {
        Setting trial = new Setting(3, 0.1 + 0.2);
        double[] accuracy = {0.1234567890123, Double.NaN, Double.MIN_VALUE, 1.0 / 3};
        store().store(trial, new Outcome(trial, accuracy, null));
        Outcome back = store().find(trial).orElseThrow();
        assertEquals(trial, back.trial());
        assertArrayEquals(accuracy, back.accuracy());
        assertEquals(null, back.failure());
        assertTrue(Files.isRegularFile(dir.resolve("trials/trial-0003.json")));
    }

    @Test
    void aTrialWithoutAFileHasNoResult() {
        assertEquals(Optional.empty(), store().find(new Setting(0, 1e-3)));
    }

    @Test
    void aResultOfAnotherTrialAtTheSameIndexIsRefusedNamingBoth() {
        Setting stored = new Setting(1, 1e-3);
        store().store(stored, new Outcome(stored, new double[] {0.5}, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store().find(new Setting(1, 3e-3)));
        assertTrue(e.getMessage().contains("trial-0001.json") && e.getMessage().contains("learningRate=0.001")
                && e.getMessage().contains("learningRate=0.003"), e.getMessage());
    }

    @Test
    void aFileThatIsNotAResultIsRefusedNamingIt() throws IOException {
        Files.createDirectories(dir.resolve("trials"));
        Files.writeString(dir.resolve("trials/trial-0002.json"), "{\"trial\": {\"index\": 2, \"learningRate\": [oops");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store().find(new Setting(2, 1e-3)));
        assertTrue(e.getMessage().startsWith(dir.resolve("trials/trial-0002.json") + ": not a finished trial's result"), e.getMessage());
    }

    @Test
    void storingReplacesTheFileWholeAndLeavesNoTemporaryFile() throws IOException {
        Setting trial = new Setting(0, 1e-3);
        Files.createDirectories(dir.resolve("trials"));
        Files.writeString(dir.resolve("trials/trial-0000.json.tmp-123"), "left by a killed write");
        store().store(trial, new Outcome(trial, new double[] {0.25}, null));
        store().store(trial, new Outcome(trial, new double[] {0.75}, null));
        assertArrayEquals(new double[] {0.75}, store().find(trial).orElseThrow().accuracy());
        try (Stream<Path> files = Files.list(dir.resolve("trials"))) {
            assertEquals(List.of("trial-0000.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
