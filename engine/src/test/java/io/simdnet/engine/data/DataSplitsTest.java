package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataSplitsTest {

    /** Sample i has inputs (i, i + 0.5) and target 1000 + i (F64), so every row says where it came from. */
    private static Dataset numbered(int n) {
        Tensor inputs = Tensor.zeros(DType.F32, n, 2);
        Tensor targets = Tensor.zeros(DType.F64, n);
        for (int i = 0; i < n; i++) {
            inputs.set(2 * i, i);
            inputs.set(2 * i + 1, i + 0.5);
            targets.set(i, 1000 + i);
        }
        return Dataset.of(inputs, targets);
    }

    /** The sample ids of a part, checking that every row's inputs and target still belong together. */
    private static List<Integer> ids(Dataset part) {
        List<Integer> ids = new ArrayList<>();
        for (int r = 0; r < part.size(); r++) {
            int id = (int) part.inputs().get(2 * r);
            assertEquals(id + 0.5, part.inputs().get(2 * r + 1), 0, "row " + r);
            assertEquals(1000 + id, part.targets().get(r), 0, "target of row " + r);
            ids.add(id);
        }
        return ids;
    }

    @Test
    void eightyTenTenSplitHasExactSizesAndCoversEverySampleOnce() {
        List<Dataset> parts = DataSplits.split(numbered(100), 7, 0.8, 0.1, 0.1);
        assertEquals(List.of(80, 10, 10), parts.stream().map(Dataset::size).toList());
        Set<Integer> seen = new HashSet<>();
        for (Dataset part : parts) {
            for (int id : ids(part)) {
                assertTrue(seen.add(id), "sample " + id + " in two parts");
            }
        }
        assertEquals(100, seen.size());
        assertEquals(Shape.of(80, 2), parts.get(0).inputs().shape());
        assertEquals(DType.F64, parts.get(0).targets().dtype());
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        Dataset data = numbered(100);
        List<Integer> first = ids(DataSplits.split(data, 7, 0.8, 0.2).get(1));
        assertEquals(first, ids(DataSplits.split(data, 7, 0.8, 0.2).get(1)));
        assertNotEquals(first, ids(DataSplits.split(data, 8, 0.8, 0.2).get(1)));
        assertNotEquals(List.of(80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99), first, "shuffled, not the tail");
    }

    @Test
    void lastPartTakesTheRemainderOnlyWhenFractionsSumToOne() {
        assertEquals(List.of(2, 1), DataSplits.split(numbered(3), 1, 0.5, 0.5).stream().map(Dataset::size).toList(), "round(1.5) = 2, rest 1");
        assertEquals(List.of(5, 2), DataSplits.split(numbered(10), 1, 0.5, 0.2).stream().map(Dataset::size).toList(), "3 samples left out");
        assertEquals(List.of(33, 33, 34), DataSplits.split(numbered(100), 1, 1 / 3.0, 1 / 3.0, 1 / 3.0).stream().map(Dataset::size).toList());
    }

    @Test
    void badFractionsAreNamed() {
        Dataset data = numbered(10);
        IllegalArgumentException sum = assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1, 0.8, 0.3));
        assertTrue(sum.getMessage().contains("[0.8, 0.3]") && sum.getMessage().contains("more than 1"), sum.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1, 0.5, 0));
        assertTrue(zero.getMessage().contains("[0.5, 0.0]") && zero.getMessage().contains("must be > 0"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1, -0.1, 0.5));
        assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> DataSplits.split(data, 1, 0.96, 0.04));
        assertTrue(empty.getMessage().contains("at least one sample"), empty.getMessage());
    }

    @Test
    void rowsCopiesARange() {
        Dataset data = numbered(10);
        Dataset rows = DataSplits.rows(data, 3, 6);
        assertEquals(List.of(3, 4, 5), ids(rows));
        rows.inputs().set(0, -1);
        assertEquals(3, data.inputs().get(6), 0, "the source is not changed through the copy");
        assertThrows(IllegalArgumentException.class, () -> DataSplits.rows(data, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> DataSplits.rows(data, 8, 11));
    }

    @Test
    void takeCopiesRowsInTheGivenOrder() {
        Dataset data = numbered(10);
        Dataset taken = DataSplits.take(data, new int[] {9, 0, 9, 4});
        assertEquals(List.of(9, 0, 9, 4), ids(taken));
        assertFalse(taken.inputs().floats() == data.inputs().floats());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSplits.take(data, new int[] {1, 10}));
        assertTrue(e.getMessage().contains("indices[1] = 10"), e.getMessage());
    }

    @Test
    void imageRowsAreCopiedWhole() {
        Tensor images = Tensor.zeros(DType.F32, 4, 1, 2, 2);
        for (int i = 0; i < images.size(); i++) {
            images.set(i, i);
        }
        Dataset taken = DataSplits.take(Dataset.of(images, Tensor.of(new float[] {0, 1, 2, 3}, 4)), new int[] {2});
        assertArrayEquals(new float[] {8, 9, 10, 11}, taken.inputs().floats());
        assertEquals(Shape.of(1, 1, 2, 2), taken.inputs().shape());
    }
}
