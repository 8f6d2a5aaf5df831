package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The element-wise layers' vectorised, split passes against plain double loops, for both element types: batch 1
 * and odd batches, sample sizes that are not multiples of the vector lanes, and batches of several element granules,
 * whose task ranges meet inside the batch.
 */
class ElementwiseLayersReferenceTest {

    private static Shape sample(String dims) {
        return Shape.of(java.util.Arrays.stream(dims.split("x")).mapToInt(Integer::parseInt).toArray());
    }

    private static Tensor random(Rng rng, DType dtype, Shape shape) {
        Tensor t = Tensor.zeros(dtype, shape);
        for (int i = 0; i < t.size(); i++) {
            t.set(i, 3 * rng.gaussian());
        }
        return t;
    }

    private static void assertClose(double expected, double actual, DType dtype, String what) {
        // Float: the double reference rounded once, plus the float function's own error (Math.tanh in double, rounded).
        double tolerance = dtype == DType.F64 ? 1e-15 : 1e-7;
        assertEquals(expected, actual, tolerance * Math.max(1, Math.abs(expected)), what);
    }

    private static <L extends Layer> L built(L layer, Shape sample, DType dtype) {
        layer.named("l").build(sample, dtype, new Rng(3));
        return layer;
    }

    @ParameterizedTest(name = "batch {0}, sample {1}")
    @CsvSource({"1, 7", "1, 3x5x5", "3, 11", "5, 4x9x7", "2, 3x40x41", "17, 1x13x13"})
    void activationsMatchTheirDoubleFormulas(int batch, String dims) {
        record Case(String name, Supplier<Layer> layer, DoubleUnaryOperator f, DoubleUnaryOperator derivative) {
        }
        Case[] cases = {
            new Case("relu", Relu::new, x -> Math.max(x, 0), x -> x > 0 ? 1 : 0),
            new Case("leaky relu", () -> new LeakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, x -> x > 0 ? 1 : 0.1),
            new Case("sigmoid", Sigmoid::new, x -> 1 / (1 + Math.exp(-x)), x -> Math.exp(-x) / ((1 + Math.exp(-x)) * (1 + Math.exp(-x)))),
            new Case("tanh", Tanh::new, Math::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x))};
        Shape sample = sample(dims);
        for (Case k : cases) {
            for (DType dtype : DType.values()) {
                Layer layer = built(k.layer().get(), sample, dtype);
                Rng rng = new Rng(batch * 7L + dims.hashCode());
                Tensor x = random(rng, dtype, sample.withBatch(batch));
                Tensor dy = random(rng, dtype, sample.withBatch(batch));
                Tensor y = layer.forward(x, true);
                Tensor dx = layer.backward(dy, true);
                for (int i = 0; i < x.size(); i++) {
                    String what = k.name() + " " + dtype + " element " + i + " of " + x.shape();
                    assertClose(k.f().applyAsDouble(x.get(i)), y.get(i), dtype, what + ", y");
                    // The float derivative is computed from float y (sigmoid, tanh): compare against it at float rounding of dy.
                    double expected = k.derivative().applyAsDouble(x.get(i)) * dy.get(i);
                    assertEquals(expected, dx.get(i), (dtype == DType.F64 ? 1e-14 : 1e-6) * Math.max(1, Math.abs(dy.get(i))), what + ", dx");
                }
            }
        }
    }

    @ParameterizedTest(name = "batch {0}, sample {1}, {2} inputs")
    @CsvSource({"1, 5, 2", "3, 2x3x3, 2", "7, 3x17x19, 2", "2, 4x33x33, 3", "1, 1025, 4"})
    void addSumsItsInputsInOrder(int batch, String dims, int inputs) {
        Shape sample = sample(dims);
        for (DType dtype : DType.values()) {
            Add add = built(new Add(), sample, dtype);
            Rng rng = new Rng(batch + inputs);
            Tensor[] xs = new Tensor[inputs];
            for (int k = 0; k < inputs; k++) {
                xs[k] = random(rng, dtype, sample.withBatch(batch));
            }
            Tensor y = add.forwardAll(xs, true);
            for (int i = 0; i < y.size(); i++) {
                // Left to right in the element type: bit-exact, not merely close.
                double expected = xs[0].get(i);
                for (int k = 1; k < inputs; k++) {
                    expected = dtype == DType.F32 ? (float) expected + (float) xs[k].get(i) : expected + xs[k].get(i);
                }
                assertEquals(expected, y.get(i), 0, dtype + " element " + i);
            }
            Tensor dy = random(rng, dtype, sample.withBatch(batch));
            for (int k = 0; k < inputs; k++) {
                assertEquals(dy, add.backwardTo(k, dy), "the gradient passes to input " + k + " unchanged");
            }
        }
    }

    @ParameterizedTest(name = "batch {0}, sample {1}, rate {2}")
    @CsvSource({"1, 7, 0.5", "5, 3x5x5, 0.3", "3, 2x40x40, 0.1", "64, 128, 0.3"})
    void dropoutKeepsTheElementsItsStreamDrawsAndScalesThem(int batch, String dims, double rate) {
        Shape sample = sample(dims);
        for (DType dtype : DType.values()) {
            Dropout dropout = built(new Dropout(rate), sample, dtype);
            // The layer's stream: the first split of the Rng it was built with, drawn once per element in element order.
            Rng stream = new Rng(3).split();
            Rng rng = new Rng(batch);
            Tensor x = random(rng, dtype, sample.withBatch(batch));
            Tensor dy = random(rng, dtype, sample.withBatch(batch));
            Tensor y = dropout.forward(x, true);
            Tensor dx = dropout.backward(dy, true);
            double scale = dtype == DType.F32 ? (float) (1 / (1 - rate)) : 1 / (1 - rate);
            int kept = 0;
            for (int i = 0; i < x.size(); i++) {
                double mask = stream.nextDouble() < rate ? 0 : scale;
                kept += mask == 0 ? 0 : 1;
                double expectedY = dtype == DType.F32 ? (float) x.get(i) * (float) mask : x.get(i) * mask;
                double expectedDx = dtype == DType.F32 ? (float) dy.get(i) * (float) mask : dy.get(i) * mask;
                assertEquals(expectedY, y.get(i), 0, dtype + " y element " + i);
                assertEquals(expectedDx, dx.get(i), 0, dtype + " dx element " + i);
            }
            assertEquals(1 - rate, (double) kept / x.size(), 4 / Math.sqrt(x.size()), "share of elements kept");
            assertEquals(x, dropout.forward(x, false), "evaluation returns its input");
        }
    }
}
