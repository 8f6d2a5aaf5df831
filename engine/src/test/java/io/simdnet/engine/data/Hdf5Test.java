package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Hdf5Test {

    @TempDir
    Path dir;

    private Path file;

    /** A file written with jhdf itself: datasets of every numeric type, nested groups, and a string dataset. */
    @BeforeEach
    void writeFile() {
        file = dir.resolve("data.h5");
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putDataset("doubles", new double[][] {{1, 2, 3}, {4, 5, 6.5}});
            hdf.putDataset("floats", new float[] {1.5f, -2.5f});
            hdf.putDataset("bytes", new byte[] {-128, 0, 127});
            hdf.putDataset("shorts", new short[][] {{-1, 2}, {300, 4}});
            hdf.putDataset("longs", new long[] {1L << 40, -7});
            hdf.putDataset("names", new String[] {"a", "b"});
            WritableGroup train = hdf.putGroup("train");
            train.putDataset("images", new int[][][] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}});
            train.putGroup("meta").putDataset("count", new int[] {2});
        }
    }

    @Test
    void listsEveryDatasetPathSorted() throws IOException {
        assertEquals(List.of("/bytes", "/doubles", "/floats", "/longs", "/names", "/shorts", "/train/images", "/train/meta/count"),
                Hdf5.datasets(file));
    }

    @Test
    void doubleDataStaysF64WithItsShape() throws IOException {
        Tensor t = Hdf5.read(file, "/doubles");
        assertEquals(DType.F64, t.dtype());
        assertEquals(Shape.of(2, 3), t.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6.5}, t.doubles());
    }

    @Test
    void integerAndFloatDataBecomeF32() throws IOException {
        Tensor images = Hdf5.read(file, "train/images");
        assertEquals(DType.F32, images.dtype());
        assertEquals(Shape.of(2, 2, 2), images.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, images.floats());
        assertArrayEquals(new float[] {1.5f, -2.5f}, Hdf5.read(file, "/floats").floats());
        assertArrayEquals(new float[] {-128, 0, 127}, Hdf5.read(file, "/bytes").floats());
        Tensor shorts = Hdf5.read(file, "/shorts");
        assertEquals(Shape.of(2, 2), shorts.shape());
        assertArrayEquals(new float[] {-1, 2, 300, 4}, shorts.floats());
        assertArrayEquals(new float[] {1L << 40, -7}, Hdf5.read(file, "/longs").floats());
        assertArrayEquals(new float[] {2}, Hdf5.read(file, "/train/meta/count").floats());
    }

    @Test
    void missingDatasetListsThoseThatExist() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Hdf5.read(file, "/train/labels"));
        assertTrue(e.getMessage().startsWith(file + ": no dataset /train/labels"), e.getMessage());
        assertTrue(e.getMessage().contains("/train/images") && e.getMessage().contains("/doubles"), e.getMessage());
    }

    @Test
    void stringDatasetIsNotNumeric() {
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Hdf5.read(file, "/names"));
        assertTrue(e.getMessage().contains("/names holds String values, not numbers"), e.getMessage());
    }

    @Test
    void fileThatIsNotHdf5IsMalformed() throws IOException {
        Path text = Files.writeString(dir.resolve("text.h5"), "not an HDF5 file at all, but long enough to look for a signature");
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Hdf5.datasets(text));
        assertTrue(e.getMessage().startsWith(text + ": not a readable HDF5 file"), e.getMessage());
    }
}
