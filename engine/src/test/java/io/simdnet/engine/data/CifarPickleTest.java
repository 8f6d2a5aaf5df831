package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.razorvine.pickle.Pickler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CIFAR's Python pickle batches, written with net.razorvine:pickle as numpy lays them out, and read back. */
class CifarPickleTest {

    @TempDir
    Path dir;

    private static Cifar.Batch batch(int n, boolean cifar100, long seed) {
        return TestFiles.randomCifarBatch(n, cifar100, seed);
    }

    @Test
    void cifar10BatchesRoundTripAndConcatenate() throws IOException {
        Cifar.Batch first = batch(5, false, 1);
        Cifar.Batch second = batch(3, false, 2);
        CifarPickle.write(dir.resolve("data_batch_1"), first);
        CifarPickle.write(dir.resolve("data_batch_2"), second);
        Cifar.Batch read = CifarPickle.read(dir.resolve("data_batch_1"));
        assertArrayEquals(first.images().pixels(), read.images().pixels());
        assertArrayEquals(first.labels().floats(), read.labels().floats());
        assertNull(read.coarseLabels());
        Cifar.Batch all = CifarPickle.readAll(List.of(dir.resolve("data_batch_1"), dir.resolve("data_batch_2")));
        assertEquals(8, all.size());
        assertEquals(second.images().get(3072 + 17), all.images().get(6 * 3072 + 17));
        assertEquals(second.labels().get(2), all.labels().get(7));
    }

    @Test
    void cifar100BatchesKeepFineAndCoarseLabels() throws IOException {
        Cifar.Batch b = batch(4, true, 3);
        CifarPickle.write(dir.resolve("train"), b);
        Cifar.Batch read = CifarPickle.read(dir.resolve("train"));
        assertArrayEquals(b.labels().floats(), read.labels().floats());
        assertArrayEquals(b.coarseLabels().floats(), read.coarseLabels().floats());
    }

    @Test
    void labelNamesComeFromTheMetaFile() throws IOException {
        List<String> names = List.of("airplane", "automobile", "bird");
        CifarPickle.writeLabelNames(dir.resolve("batches.meta"), "label_names", names);
        assertEquals(names, CifarPickle.labelNames(dir.resolve("batches.meta"), "label_names"));
        MalformedDataException e = assertThrows(MalformedDataException.class,
                () -> CifarPickle.labelNames(dir.resolve("batches.meta"), "fine_label_names"));
        assertTrue(e.getMessage().contains("batches.meta") && e.getMessage().contains("fine_label_names"), e.getMessage());
    }

    @Test
    void malformedPicklesAreRejectedNamingTheFile() throws IOException {
        Path garbage = dir.resolve("data_batch_9");
        Files.write(garbage, new byte[] {(byte) 0x80, 2, 'x', 'y', 'z'});
        MalformedDataException notPickle = assertThrows(MalformedDataException.class, () -> CifarPickle.read(garbage));
        assertTrue(notPickle.getMessage().contains("data_batch_9") && notPickle.getMessage().contains("pickle"), notPickle.getMessage());

        Path noData = dir.resolve("no_data");
        Files.write(noData, new Pickler().dumps(Map.of("labels", List.of(1, 2))));
        MalformedDataException missing = assertThrows(MalformedDataException.class, () -> CifarPickle.read(noData));
        assertTrue(missing.getMessage().contains("no_data") && missing.getMessage().contains("'data'"), missing.getMessage());

        Path cut = dir.resolve("cut");
        CifarPickle.write(cut, batch(2, false, 4));
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 500));
        assertTrue(assertThrows(MalformedDataException.class, () -> CifarPickle.read(cut)).getMessage().contains("cut"));

        Cifar.Batch wrong = batch(2, false, 5);
        wrong.labels().set(1, 10);
        CifarPickle.write(dir.resolve("bad_label"), wrong);
        MalformedDataException label = assertThrows(MalformedDataException.class, () -> CifarPickle.read(dir.resolve("bad_label")));
        assertTrue(label.getMessage().contains("label 1") && label.getMessage().contains("0-9"), label.getMessage());
    }
}
