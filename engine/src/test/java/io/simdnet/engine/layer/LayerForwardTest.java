package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import org.junit.jupiter.api.Test;

/** Layer forward passes against plain references. */
class LayerForwardTest {

    private static Tensor random(Rng rng, DType dtype, int... dims) {
        Tensor t = Tensor.zeros(dtype, dims);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, rng.uniform(-1, 1));
        }
        return t;
    }

    private static <L extends Layer> L built(L layer, DType dtype, int... sample) {
        layer.named("l").build(Shape.of(sample), dtype, new Rng(3));
        return layer;
    }

    @Test
    void denseIsXTimesWPlusBias() {
        for (DType dtype : DType.values()) {
            Dense dense = built(new Dense(7).biasInit(new io.simdnet.engine.init.Initializer.Uniform(1)), dtype, 13);
            Tensor x = random(new Rng(1), dtype, 5, 13);
            Tensor y = dense.forward(x, false);
            Tensor w = dense.parameters().get(0).value();
            Tensor b = dense.parameters().get(1).value();
            for (int n = 0; n < 5; n++) {
                for (int j = 0; j < 7; j++) {
                    double expected = b.get(j);
                    for (int i = 0; i < 13; i++) {
                        expected += x.get(n * 13 + i) * w.get(i * 7 + j);
                    }
                    assertEquals(expected, y.get(n * 7 + j), dtype == DType.F32 ? 1e-5 : 1e-13);
                }
            }
        }
    }

    @Test
    void fusedReluConvolutionEqualsConvolutionThenRelu() {
        Conv2d fused = built(new Conv2d(5, 3).padding(Padding.of(1)).relu(), DType.F32, 3, 9, 9);
        Conv2d plain = built(new Conv2d(5, 3).padding(Padding.of(1)), DType.F32, 3, 9, 9);
        Relu relu = built(new Relu(), DType.F32, 5, 9, 9);
        Tensor x = random(new Rng(2), DType.F32, 2, 3, 9, 9);
        assertArrayEquals(relu.forward(plain.forward(x, true), true).toDoubleArray(), fused.forward(x, true).toDoubleArray(), 0);
        Tensor dy = random(new Rng(4), DType.F32, 2, 5, 9, 9);
        double[] separate = plain.backward(relu.backward(dy, true), true).toDoubleArray();
        assertArrayEquals(separate, fused.backward(dy, true).toDoubleArray(), 0);
    }

    @Test
    void geluMatchesKnownValues() {
        Gelu exact = built(new Gelu(), DType.F64, 4);
        Gelu tanh = built(new Gelu(true), DType.F64, 4);
        Tensor x = Tensor.of(new double[] {-3, -0.5, 1, 4}, 1, 4);
        // x·Φ(x) from Python's math.erfc: x * 0.5 * erfc(-x / sqrt(2)).
        double[] expected = {-0.004049694094890287, -0.15426876936299344, 0.8413447460685429, 3.9998733150326675};
        assertArrayEquals(expected, exact.forward(x, false).toDoubleArray(), 1e-14);
        assertEquals(0.8411919906082768, tanh.forward(x, false).get(2), 1e-14);
    }

    @Test
    void softmaxRowsArePositiveAndSumToOne() {
        Softmax softmax = built(new Softmax(), DType.F32, 10);
        Tensor y = softmax.forward(random(new Rng(5), DType.F32, 3, 10), false);
        for (int r = 0; r < 3; r++) {
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                assertTrue(y.get(r * 10 + c) > 0);
                sum += y.get(r * 10 + c);
            }
            assertEquals(1, sum, 1e-6);
        }
    }

    @Test
    void dropoutScalesSurvivorsAndIsIdentityInEvaluation() {
        Dropout dropout = built(new Dropout(0.25), DType.F32, 1000);
        Tensor x = Tensor.zeros(DType.F32, 10, 1000);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, 1);
        }
        assertSame(x, dropout.forward(x, false));
        Tensor y = dropout.forward(x, true);
        int dropped = 0;
        for (int i = 0; i < y.size(); i++) {
            double v = y.get(i);
            assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-6, "value " + v);
            dropped += v == 0 ? 1 : 0;
        }
        assertEquals(0.25, dropped / 10000.0, 0.02);
    }

    @Test
    void globalAveragePoolingIsChannelMean() {
        GlobalAvgPool pool = built(new GlobalAvgPool(), DType.F64, 2, 3, 4);
        Tensor x = random(new Rng(6), DType.F64, 2, 2, 3, 4);
        Tensor y = pool.forward(x, false);
        assertEquals(Shape.of(2, 2), y.shape());
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 2; c++) {
                double sum = 0;
                for (int i = 0; i < 12; i++) {
                    sum += x.get(n * 24 + c * 12 + i);
                }
                assertEquals(sum / 12, y.get(n * 2 + c), 1e-14);
            }
        }
    }
}
