package io.simdnet.kernel.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.simdnet.kernel.DType;
import io.simdnet.kernel.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;

class ReferencePool2dTest {

    @Test
    void maxPoolTakesTheFirstMaximumInRowMajorWindowOrder() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f64 max c=1 h=2 w=4 k=2");
        double[] x = {1, 5, 7, 7, 5, 2, 7, 7};
        assertArrayEquals(new double[] {5, 7}, ReferencePool2d.forward(spec, 1, x));
        int[] argmax = ReferencePool2d.argmax(spec, 1, x);
        assertArrayEquals(new int[] {1, 2}, argmax);
        assertArrayEquals(new double[] {0, 10, 20, 0, 0, 0, 0, 0}, ReferencePool2d.backward(spec, 1, new double[] {10, 20}, argmax));
    }

    @Test
    void aNanIsTheMaximumAndTheFirstNanWins() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f64 max c=1 h=2 w=2 k=2");
        double[] x = {1, Double.NaN, Double.NaN, 9};
        assertArrayEquals(new int[] {1}, ReferencePool2d.argmax(spec, 1, x));
        assertArrayEquals(new double[] {Double.NaN}, ReferencePool2d.forward(spec, 1, x));
    }

    @Test
    void maxPoolPaddingIsMinusInfinityNotZero() {
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f64 max c=1 h=2 w=2 k=2 s=2 pad=1");
        double[] x = {-4, -3, -2, -1};
        assertArrayEquals(new double[] {-4, -3, -2, -1}, ReferencePool2d.forward(spec, 1, x));
    }

    @Test
    void averagePoolCountsPaddingInTheDivisor() {
        // count_include_pad=True: the corner window holds one real pixel of four.
        Pool2dSpec spec = Pool2dSpec.parse("pool2d f64 avg c=1 h=2 w=2 k=2 s=2 pad=1");
        double[] x = {4, 8, 12, 16};
        assertArrayEquals(new double[] {1, 2, 3, 4}, ReferencePool2d.forward(spec, 1, x));
        assertArrayEquals(new double[] {0.25, 0.5, 0.75, 1}, ReferencePool2d.backward(spec, 1, new double[] {1, 2, 3, 4}, null));
    }

    @Test
    void overlappingWindowsAddTheirGradients() {
        Pool2dSpec spec = Pool2dSpec.average(DType.F64, 1, 1, 3, 1, 1, 0);
        Pool2dSpec wide = new Pool2dSpec(DType.F64, Pool2dSpec.Kind.AVG, 1, 1, 3, 1, 2, 1, 1, 0, 0);
        assertArrayEquals(new double[] {1, 2, 3}, ReferencePool2d.forward(spec, 1, new double[] {1, 2, 3}));
        assertArrayEquals(new double[] {0.5, 1, 0.5}, ReferencePool2d.backward(wide, 1, new double[] {1, 1}, null));
    }
}
