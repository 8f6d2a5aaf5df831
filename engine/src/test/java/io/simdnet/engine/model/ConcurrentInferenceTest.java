package io.simdnet.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Add;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.GlobalAvgPool;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.engine.train.FitOptions;
import io.simdnet.engine.train.RandomImages;
import io.simdnet.engine.train.Trainer;
import io.simdnet.kernel.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One model serves one thread at a time, loudly; inferences let many threads predict with the same weights. */
class ConcurrentInferenceTest {

    /** Passes its input through, but waits in forward until released: holds a model "in use" for as long as a test needs. */
    private static final class Gate extends Layer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        protected Shape onBuild(Shape input, Rng rng) {
            return input;
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return x;
        }

        @Override
        public Tensor backward(Tensor dy, boolean needInputGradient) {
            return dy;
        }

        @Override
        public List<Parameter> parameters() {
            return List.of();
        }
    }

    private static Tensor images(int n, long seed) {
        return RandomImages.of(n, 28, seed).inputs();
    }

    @Test
    void aSecondThreadUsingAModelInUseFailsNamingBothUses() throws Exception {
        Gate gate = new Gate();
        Model model = CourseModels.mlp(16).add(gate).build(DType.F32, 1);
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "predictor"));
        try {
            Future<Tensor> first = pool.submit(() -> model.predict(images(4, 1), 4));
            assertTrue(gate.entered.await(10, TimeUnit.SECONDS));
            IllegalStateException predict = assertThrows(IllegalStateException.class, () -> model.predict(images(4, 2), 4));
            assertTrue(predict.getMessage().contains("\"predictor\" (predict)") && predict.getMessage().contains("newInference()"), predict.getMessage());
            Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01));
            Dataset data = RandomImages.of(8, 28, 3);
            IllegalStateException training = assertThrows(IllegalStateException.class, () -> trainer.fit(data, new FitOptions().epochs(1)));
            assertTrue(training.getMessage().contains("asked for training"), training.getMessage());
            gate.release.countDown();
            first.get(10, TimeUnit.SECONDS);
            // Released: the model serves this thread now.
            model.predict(images(2, 4), 2);
        } finally {
            gate.release.countDown();
            pool.shutdownNow();
        }
    }

    private static Model residualNet() {
        Graph.Builder g = Graph.input(1, 28, 28);
        Graph.Node stem = g.apply(new Relu(), g.apply(new Conv2d(4, 3).padding(Padding.same()), g.inputNode()));
        Graph.Node branch = g.apply(new Conv2d(4, 3).padding(Padding.same()), g.apply(new BatchNorm(), stem));
        Graph.Node out = g.apply(new Dense(10), g.apply(new GlobalAvgPool(), g.apply(new Add(), branch, stem)));
        return g.build(out, DType.F32, 7);
    }

    private static void threadsPredictingWithInferencesGetTheSingleThreadedResults(Model model) throws Exception {
        // Trained a little, so batch-norm statistics and weights are not their initial values.
        new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01)).fit(RandomImages.of(32, 28, 9), new FitOptions().epochs(1).batchSize(8));
        int threads = 4;
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            inputs.add(images(16, 100 + t));
            expected.add(model.predict(inputs.get(t), 8).floats().clone());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int index = t;
                Inference inference = model.newInference();
                results.add(pool.submit(() -> {
                    start.await();
                    for (int round = 0; round < 8; round++) {
                        assertArrayEquals(expected.get(index), inference.predict(inputs.get(index), 8).floats(), 0f, "thread " + index + " round " + round);
                    }
                    return true;
                }));
            }
            start.countDown();
            for (Future<Boolean> r : results) {
                assertTrue(r.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void inferencesOfASequentialModelPredictConcurrentlyAsTheModelDoesAlone() throws Exception {
        threadsPredictingWithInferencesGetTheSingleThreadedResults(CourseModels.lenet5(true).build(DType.F32, 3));
    }

    @Test
    void inferencesOfAGraphModelPredictConcurrentlyAsTheModelDoesAlone() throws Exception {
        threadsPredictingWithInferencesGetTheSingleThreadedResults(residualNet());
    }

    @Test
    void anInferenceSharesTheModelsWeightsRatherThanCopyingThem() {
        Model model = CourseModels.mlp(16).build(DType.F32, 1);
        Inference inference = model.newInference();
        Tensor x = images(3, 5);
        Tensor before = inference.predict(x, 3);
        model.parameter("dense_1.bias").value().set(2, 5.0);
        Tensor after = inference.predict(x, 3);
        assertEquals(before.get(2) + 5.0, after.get(2), 1e-5, "the bias change is seen through the inference");
        assertArrayEquals(model.predict(x, 3).floats(), after.floats(), 0f);
        assertNotSame(model.forward(x, false), inference.forward(x), "each has its own output buffer");
    }
}
