package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistFamilyTest {

    @TempDir
    Path dir;

    private static Tensor images(int count, float value) {
        Tensor images = Tensor.zeros(DType.F32, count, 1, 28, 28);
        for (int i = 0; i < images.size(); i++) {
            images.set(i, i % 784 == 0 ? 255 : value);
        }
        return images;
    }

    private static Tensor labels(int count) {
        Tensor labels = Tensor.zeros(DType.F32, count);
        for (int i = 0; i < count; i++) {
            labels.set(i, i % 10);
        }
        return labels;
    }

    /** Writes a small MNIST-style directory: 12 training and 5 test samples. */
    private void writeSet(float trainValue, float testValue) throws IOException {
        Idx.writeImages(dir.resolve("train-images-idx3-ubyte"), images(12, trainValue));
        Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte"), labels(12));
        Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte"), images(5, testValue));
        Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), labels(5));
    }

    @Test
    void loadsTheFourFilesAndScalesPixelsToUnitRange() throws IOException {
        writeSet(51, 102);
        MnistFamily.Split split = MnistFamily.load(dir);
        assertEquals(Shape.of(12, 1, 28, 28), split.train().inputs().shape());
        assertEquals(Shape.of(5, 1, 28, 28), split.test().inputs().shape());
        assertEquals(1.0f, split.train().inputs().floats()[0], "255 scales to 1");
        assertEquals(0.2f, split.train().inputs().floats()[1], 1e-7f, "51 / 255");
        assertEquals(0.4f, split.test().inputs().floats()[1], 1e-7f, "102 / 255");
        assertArrayEquals(labels(12).floats(), split.train().targets().floats());
        assertArrayEquals(labels(5).floats(), split.test().targets().floats());
    }

    @Test
    void prefersTheGzippedFileWhenBothExist() throws IOException {
        writeSet(51, 102);
        // A different test set, compressed: the .gz must win over the raw file beside it.
        Path other = dir.resolve("other");
        Idx.writeImages(other, images(5, 204));
        TestFiles.gzipFile(other, dir.resolve("t10k-images-idx3-ubyte.gz"));
        Files.delete(other);
        assertEquals(0.8f, MnistFamily.load(dir).test().inputs().floats()[1], 1e-7f, "204 / 255 from the .gz file");
    }

    @Test
    void imageAndLabelCountMismatchNamesBothFilesAndCounts() throws IOException {
        writeSet(1, 1);
        Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte"), labels(11));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> MnistFamily.load(dir));
        assertTrue(e.getMessage().contains(dir.resolve("train-labels-idx1-ubyte") + ": 11 labels"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("train-images-idx3-ubyte") + " holds 12 images"), e.getMessage());
    }

    @Test
    void labelOfTenIsOutOfRange() throws IOException {
        writeSet(1, 1);
        Tensor labels = labels(5);
        labels.set(3, 10);
        Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), labels);
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> MnistFamily.load(dir));
        assertTrue(e.getMessage().contains("label 10 at index 3, expected 0..9"), e.getMessage());
    }

    @Test
    void missingFileNamesBothAcceptedNames() throws IOException {
        writeSet(1, 1);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistFamily.load(dir));
        assertTrue(e.getMessage().contains("neither t10k-labels-idx1-ubyte.gz nor t10k-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void classNamesAndFileNames() {
        assertEquals(10, MnistFamily.FASHION_CLASSES.size());
        assertEquals("T-shirt/top", MnistFamily.FASHION_CLASSES.get(0));
        assertEquals("Ankle boot", MnistFamily.FASHION_CLASSES.get(9));
        assertEquals("7", MnistFamily.DIGIT_CLASSES.get(7));
        assertEquals(4, MnistFamily.FILES.size());
        assertTrue(MnistFamily.FILES.contains("t10k-images-idx3-ubyte"));
    }

    @Test
    void imagesOtherThan28By28AreRefusedNamingTheFile() throws IOException {
        writeSet(1, 2);
        Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte"), Tensor.zeros(DType.F32, 5, 1, 32, 32));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> MnistFamily.load(dir));
        assertTrue(e.getMessage().contains("t10k-images-idx3-ubyte") && e.getMessage().contains("32×32") && e.getMessage().contains("expected 28×28"),
                e.getMessage());
    }
}
