package io.simdnet.engine.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.simdnet.engine.init.Rng;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layers between the kernels spread their passes over the pool without changing any sum's order: forward
 * outputs, parameter gradients and input gradients are bit-identical on 1, 2 and 3 threads. The batches are big
 * enough (10⁵ elements and more) for the passes to be split into 2 and 3 tasks.
 */
class LayerThreadCountDeterminismTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    static Stream<Arguments> layers() {
        return Stream.of(
                Arguments.of("batch norm spatial", (Supplier<Layer>) BatchNorm::new, new int[] {7, 19, 27, 29}),
                Arguments.of("batch norm features", (Supplier<Layer>) BatchNorm::new, new int[] {301, 333}),
                Arguments.of("relu", (Supplier<Layer>) Relu::new, new int[] {5, 16, 41, 43}),
                Arguments.of("sigmoid", (Supplier<Layer>) Sigmoid::new, new int[] {3, 20011}),
                Arguments.of("dropout", (Supplier<Layer>) () -> new Dropout(0.3), new int[] {9, 7, 37, 41}),
                Arguments.of("add of three", (Supplier<Layer>) Add::new, new int[] {3, 9, 61, 67}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void forwardAndBackwardAreBitIdenticalOnOneTwoAndThreeThreads(String name, Supplier<Layer> factory, int[] dims) {
        for (DType dtype : DType.values()) {
            for (boolean training : new boolean[] {true, false}) {
                List<double[]> one = run(factory, dtype, dims, training, 1);
                for (int threads = 2; threads <= 3; threads++) {
                    List<double[]> other = run(factory, dtype, dims, training, threads);
                    for (int k = 0; k < one.size(); k++) {
                        assertArrayEquals(one.get(k), other.get(k), 0, name + " " + dtype + (training ? " training" : " evaluation")
                                + ", result " + k + ": 1 vs " + threads + " threads");
                    }
                }
            }
        }
    }

    /** Output, input gradient, then every parameter's value and gradient, after one forward and backward. */
    private static List<double[]> run(Supplier<Layer> factory, DType dtype, int[] dims, boolean training, int threads) {
        KernelPool.setThreads(threads);
        Shape shape = Shape.of(dims);
        Shape sample = Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length));
        Layer layer = factory.get().named("l");
        layer.build(sample, dtype, new Rng(3));
        Rng rng = new Rng(17);
        for (Parameter p : layer.parameters()) {
            for (int i = 0; i < p.value().size(); i++) {
                p.value().set(i, p.value().get(i) + rng.uniform(0.1, 0.5));
            }
        }
        Tensor x = Tensor.zeros(dtype, shape);
        for (int i = 0; i < x.size(); i++) {
            x.set(i, 1.5 + 2 * rng.gaussian());
        }
        Tensor[] inputs = {x, x.to(dtype), x.to(dtype)};
        for (int i = 0; i < x.size(); i++) {
            inputs[1].set(i, rng.gaussian());
        }
        Tensor y = layer instanceof MergeLayer merge ? merge.forwardAll(inputs, training) : layer.forward(x, training);
        Tensor dy = Tensor.zeros(dtype, y.shape());
        for (int i = 0; i < dy.size(); i++) {
            dy.set(i, rng.gaussian());
        }
        List<double[]> results = new ArrayList<>();
        results.add(y.toDoubleArray());
        results.add((layer instanceof MergeLayer merge ? merge.backwardTo(0, dy) : layer.backward(dy, true)).toDoubleArray());
        for (Parameter p : layer.parameters()) {
            results.add(p.value().toDoubleArray());
            if (p.trainable()) {
                results.add(p.gradient().toDoubleArray());
            }
        }
        return results;
    }
}
