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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import us.hebi.matlab.mat.format.Mat5;
import us.hebi.matlab.mat.types.MatlabType;

/** CIFAR's MATLAB files, written with mfl-core as the published ones are laid out, and read back. */
class CifarMatTest {

    @TempDir
    Path dir;

    private static Cifar.Batch batch(int n, boolean cifar100) {
        return TestFiles.randomCifarBatch(n, cifar100, n);
    }

    @Test
    void cifar100TrainFileRoundTripsWithFineAndCoarseLabels() throws IOException {
        Cifar.Batch b = batch(6, true);
        CifarMat.write(dir.resolve("train.mat"), b);
        Cifar.Batch read = CifarMat.read(dir.resolve("train.mat"));
        assertArrayEquals(b.images().pixels(), read.images().pixels());
        assertArrayEquals(b.labels().floats(), read.labels().floats());
        assertArrayEquals(b.coarseLabels().floats(), read.coarseLabels().floats());
    }

    @Test
    void cifar10BatchHasOneLabelColumn() throws IOException {
        Cifar.Batch b = batch(3, false);
        CifarMat.write(dir.resolve("data_batch_1.mat"), b);
        Cifar.Batch read = CifarMat.read(dir.resolve("data_batch_1.mat"));
        assertArrayEquals(b.labels().floats(), read.labels().floats());
        assertNull(read.coarseLabels());
    }

    @Test
    void metaFileGivesBothNameLists() throws IOException {
        CifarMat.writeLabelNames(dir.resolve("meta.mat"), "coarse_label_names", List.of("aquatic_mammals", "fish"));
        assertEquals(List.of("aquatic_mammals", "fish"), CifarMat.labelNames(dir.resolve("meta.mat"), "coarse_label_names"));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> CifarMat.labelNames(dir.resolve("meta.mat"), "fine_label_names"));
        assertTrue(e.getMessage().contains("meta.mat") && e.getMessage().contains("fine_label_names"), e.getMessage());
    }

    @Test
    void malformedFilesAreRejectedNamingTheFile() throws IOException {
        Path text = dir.resolve("notmat.mat");
        Files.writeString(text, "MATLAB 5.0 MAT-file? no, just text");
        MalformedDataException notMat = assertThrows(MalformedDataException.class, () -> CifarMat.read(text));
        assertTrue(notMat.getMessage().contains("notmat.mat"), notMat.getMessage());

        Path cut = dir.resolve("cut.mat");
        CifarMat.write(cut, batch(4, true));
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        assertTrue(assertThrows(MalformedDataException.class, () -> CifarMat.read(cut)).getMessage().contains("cut.mat"));

        Path narrow = dir.resolve("narrow.mat");
        Mat5.writeToFile(Mat5.newMatFile().addArray("data", Mat5.newMatrix(2, 100, MatlabType.UInt8))
                .addArray("labels", Mat5.newMatrix(2, 1, MatlabType.UInt8)), narrow.toFile());
        MalformedDataException shape = assertThrows(MalformedDataException.class, () -> CifarMat.read(narrow));
        assertTrue(shape.getMessage().contains("narrow.mat") && shape.getMessage().contains("2×100"), shape.getMessage());

        Cifar.Batch wrong = batch(2, true);
        wrong.coarseLabels().set(0, 20);
        CifarMat.write(dir.resolve("bad.mat"), wrong);
        MalformedDataException label = assertThrows(MalformedDataException.class, () -> CifarMat.read(dir.resolve("bad.mat")));
        assertTrue(label.getMessage().contains("coarse_labels") && label.getMessage().contains("0-19"), label.getMessage());
    }
}
