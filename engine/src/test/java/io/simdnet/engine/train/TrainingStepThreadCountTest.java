package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.CourseModels;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.Optimizer;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.kernel.KernelPool;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole training steps of cifar-best's network (convolutions, batch norm, ReLU, residual adds and the gradient sums
 * they need, pooling, dropout, the loss and the optimiser) give bit-identical losses, weights and running statistics
 * on 1, 2 and 3 threads.
 */
class TrainingStepThreadCountTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"adamw", "sgd nesterov"})
    void trainingStepsAreBitIdenticalOnOneTwoAndThreeThreads(String optimizer) {
        Supplier<Optimizer> factory = optimizer.equals("adamw") ? () -> Adam.adamW(2e-3, 5e-4) : () -> new Sgd(0.05, 0.9, true, 5e-4);
        List<double[]> one = train(1, factory);
        for (int threads = 2; threads <= 3; threads++) {
            List<double[]> other = train(threads, factory);
            assertEquals(one.size(), other.size());
            for (int k = 0; k < one.size(); k++) {
                assertArrayEquals(one.get(k), other.get(k), 0, (k == 0 ? "losses" : "parameter " + k) + ": 1 vs " + threads + " threads");
            }
        }
    }

    /** The losses of 3 steps on a batch of 5, then every parameter and running statistic. */
    private static List<double[]> train(int threads, Supplier<Optimizer> optimizer) {
        KernelPool.setThreads(threads);
        Model model = CourseModels.cifarBest(20, 32, 7);
        Dataset data = CifarBestNetwork.images(5, 20, 8);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), optimizer.get());
        double[] losses = new double[3];
        for (int step = 0; step < losses.length; step++) {
            losses[step] = trainer.trainStep(data.inputs(), data.targets());
        }
        List<double[]> results = new ArrayList<>();
        results.add(losses);
        for (Parameter p : model.namedParameters().values()) {
            results.add(p.value().toDoubleArray());
        }
        return results;
    }
}
