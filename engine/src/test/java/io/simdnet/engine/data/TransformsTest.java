package io.simdnet.engine.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

class TransformsTest {

    @Test
    void scaleMultipliesInPlace() {
        Tensor f = Tensor.of(new float[] {0, 51, 255}, 3);
        Transforms.scale(f, 1 / 255.0);
        assertArrayEquals(new float[] {0, 0.2f, 1}, f.floats(), 1e-7f);
        Tensor d = Tensor.of(new double[] {1, -2}, 2);
        Transforms.scale(d, 0.5);
        assertArrayEquals(new double[] {0.5, -1}, d.doubles());
    }

    @Test
    void oneHotPutsASingleOnePerRow() {
        Tensor oneHot = Transforms.oneHot(Tensor.of(new double[] {2, 0, 1}, 3), 3);
        assertEquals(DType.F32, oneHot.dtype());
        assertEquals(Shape.of(3, 3), oneHot.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, oneHot.floats());
    }

    @Test
    void oneHotNamesTheIndexAndValueOfABadLabel() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transforms.oneHot(Tensor.of(new float[] {1, 3}, 2), 3));
        assertTrue(e.getMessage().contains("label 3.0 at index 1, expected an integer in 0..2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transforms.oneHot(Tensor.of(new float[] {0.5f}, 1), 3));
        assertThrows(IllegalArgumentException.class, () -> Transforms.oneHot(Tensor.of(new float[] {-1}, 1), 3));
    }

    @Test
    void flattenIsAViewOfTheSameStorage() {
        Tensor images = Tensor.zeros(DType.F32, 2, 3, 4, 5);
        Tensor flat = Transforms.flatten(images);
        assertEquals(Shape.of(2, 60), flat.shape());
        assertSame(images.floats(), flat.floats());
        flat.set(61, 9);
        assertEquals(9, images.get(61), 0);
    }
}
