package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.data.Transforms;
import io.simdnet.engine.data.Uint8Images;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.Add;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.PRelu;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.layer.Regularizer;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Graph;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training steps split into micro-batches: the same results on any number of threads, the whole-batch step's
 * gradients up to float rounding (weight penalties counted once), and whole batches for models whose layers couple
 * samples.
 */
class MicroBatchStepTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    /** A residual convnet with a penalised dense layer and a PReLU: every kind of parameter a replica must share. */
    private static Model convnet(DType dtype) {
        Graph.Builder g = Graph.input(1, 8, 8);
        Graph.Node h = g.apply(new Conv2d(4, 3).padding(Padding.same()).relu(), g.inputNode());
        Graph.Node r = g.apply(new Add(), g.apply(new Conv2d(4, 3).padding(Padding.same()), h), h);
        Graph.Node x = g.apply(new Flatten(), g.apply(new MaxPool2d(2), g.apply(new PRelu().initialSlope(0.1), r)));
        x = g.apply(new Relu(), g.apply(new Dense(12).regularizer(Regularizer.l2(0.01)), x));
        return g.build(g.apply(new Dense(10), x), dtype, 11);
    }

    private static Dataset images(int count, DType dtype) {
        Dataset data = RandomImages.of(count, 8, 5);
        return Dataset.of(data.inputs().to(dtype), data.targets());
    }

    @ParameterizedTest(name = "{0}, {1} micro-batches, batch {2}")
    @CsvSource({"F32, 2, 16", "F32, 3, 29", "F32, 4, 33", "F64, 3, 25"})
    void splitStepsAreBitIdenticalOnOneTwoAndThreeThreads(DType dtype, int micro, int batch) {
        List<double[]> one = train(1, dtype, micro, batch);
        for (int threads = 2; threads <= 3; threads++) {
            List<double[]> other = train(threads, dtype, micro, batch);
            for (int k = 0; k < one.size(); k++) {
                assertArrayEquals(one.get(k), other.get(k), 0, (k == 0 ? "losses" : "parameter " + k) + ": 1 vs " + threads + " threads");
            }
        }
    }

    /** The losses of 3 Adam steps, then every parameter. */
    private static List<double[]> train(int threads, DType dtype, int micro, int batch) {
        KernelPool.setThreads(threads);
        Model model = convnet(dtype);
        Dataset data = images(batch, dtype);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(3e-3)).microBatches(micro);
        assertEquals(micro, trainer.microBatchesFor(batch), "the step splits");
        return lossesThenParameters(trainer, data, 3);
    }

    /** The losses of {@code steps} training steps on {@code data}, then every parameter of the trainer's model. */
    private static List<double[]> lossesThenParameters(Trainer trainer, Dataset data, int steps) {
        double[] losses = new double[steps];
        for (int step = 0; step < steps; step++) {
            losses[step] = trainer.trainStep(data.inputs(), data.targets());
        }
        return withParameters(losses, trainer);
    }

    /** {@code losses}, then every parameter of the trainer's model. */
    private static List<double[]> withParameters(double[] losses, Trainer trainer) {
        List<double[]> results = new ArrayList<>();
        results.add(losses);
        for (Parameter p : trainer.model().namedParameters().values()) {
            results.add(p.value().toDoubleArray());
        }
        return results;
    }

    @ParameterizedTest(name = "{0}, {1} threads")
    @CsvSource({"F32, 1", "F32, 2", "F64, 2"})
    void microBatchesGatheringTheirOwnSamplesTrainAsTheBatchGatheredWhole(DType dtype, int threads) {
        KernelPool.setThreads(threads);
        Rng rng = new Rng(9);
        byte[] pixels = new byte[70 * 64];
        Tensor labels = Tensor.zeros(DType.F32, 70);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < 70; i++) {
            labels.set(i, rng.nextInt(10));
        }
        Dataset data = Transforms.scaled(Dataset.of(Uint8Images.of(pixels, 70, 1, 8, 8), labels), 1 / 255.0);
        List<double[]> gatheredWhole = trainOnBatches(data, dtype, false);
        List<double[]> gatheredPerMicroBatch = trainOnBatches(data, dtype, true);
        for (int k = 0; k < gatheredWhole.size(); k++) {
            assertArrayEquals(gatheredWhole.get(k), gatheredPerMicroBatch.get(k), 0, k == 0 ? "losses" : "parameter " + k);
        }
    }

    @Test
    void aStepOnMiniBatchesWithNoBatchLeftSaysToStartAnEpoch() {
        Trainer trainer = new Trainer(convnet(DType.F32), new SoftmaxCrossEntropy(), new Adam(3e-3));
        MiniBatches batches = new MiniBatches(images(20, DType.F32), 16, true, 4, DType.F32);
        IllegalStateException fresh = assertThrows(IllegalStateException.class, () -> trainer.trainStep(batches));
        assertEquals("trainStep: the mini-batches have no batch left in this epoch; call startEpoch() first", fresh.getMessage());
        batches.startEpoch();
        trainer.trainStep(batches);
        batches.advance();
        trainer.trainStep(batches);
        batches.advance();
        assertThrows(IllegalStateException.class, () -> trainer.trainStep(batches));
    }

    /** The losses of 4 steps over shuffled batches of 29 (3 micro-batches), then every parameter. */
    private static List<double[]> trainOnBatches(Dataset data, DType dtype, boolean perMicroBatch) {
        Trainer trainer = new Trainer(convnet(dtype), new SoftmaxCrossEntropy(), new Adam(3e-3)).microBatches(3);
        MiniBatches batches = new MiniBatches(data, 29, true, 4, dtype);
        batches.startEpoch();
        double[] losses = new double[4];
        for (int step = 0; step < losses.length; step++) {
            if (!batches.hasNext()) {
                batches.startEpoch();
            }
            losses[step] = perMicroBatch ? trainer.trainStep(batches) : trainer.trainStep(batches.inputs(), batches.targets());
            batches.advance();
        }
        return withParameters(losses, trainer);
    }

    @ParameterizedTest(name = "{0}, {1} micro-batches")
    @CsvSource({"F64, 2", "F64, 3", "F32, 3"})
    void splitStepHasTheWholeBatchLossAndGradients(DType dtype, int micro) {
        KernelPool.setThreads(2);
        Dataset data = images(19, dtype);
        Model whole = convnet(dtype);
        Model split = convnet(dtype);
        Trainer wholeTrainer = new Trainer(whole, new SoftmaxCrossEntropy(), new Adam(1e-3)).microBatches(1);
        Trainer splitTrainer = new Trainer(split, new SoftmaxCrossEntropy(), new Adam(1e-3)).microBatches(micro);
        double wholeLoss = wholeTrainer.trainStep(data.inputs(), data.targets());
        double splitLoss = splitTrainer.trainStep(data.inputs(), data.targets());
        double tolerance = dtype == DType.F64 ? 1e-12 : 2e-5;
        assertEquals(wholeLoss, splitLoss, tolerance * Math.abs(wholeLoss), "loss (the penalty included once)");
        List<Parameter> expected = whole.trainableParameters();
        List<Parameter> actual = split.trainableParameters();
        for (int i = 0; i < expected.size(); i++) {
            double[] e = expected.get(i).gradient().toDoubleArray();
            double[] a = actual.get(i).gradient().toDoubleArray();
            double scale = 0;
            for (double v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, expected.get(i).name() + ": a gradient to compare");
            assertArrayEquals(e, a, tolerance * scale, expected.get(i).name() + " gradient (the weight penalty's added once)");
        }
        // Evaluation sees the same model either way: the replicas share the weights the optimiser updated.
        Tensor wholeOut = whole.predict(data.inputs(), 7);
        Tensor splitOut = split.predict(data.inputs(), 7);
        assertArrayEquals(wholeOut.toDoubleArray(), splitOut.toDoubleArray(), dtype == DType.F64 ? 1e-10 : 1e-4);
    }

    @Test
    void dropoutMasksOfSplitStepsAreTheSameOnAnyThreadCount() {
        List<double[]> one = trainWithDropout(1, dropoutMlp(), 3);
        for (int threads = 2; threads <= 3; threads++) {
            List<double[]> other = trainWithDropout(threads, dropoutMlp(), 3);
            for (int k = 0; k < one.size(); k++) {
                assertArrayEquals(one.get(k), other.get(k), 0, (k == 0 ? "losses" : "parameter " + k) + ": 1 vs " + threads + " threads");
            }
        }
        assertTrue(one.get(0)[0] != one.get(0)[1], "new masks every step");
    }

    @Test
    void aSplitStepsDropoutResumesFromTheModelsOwnStream() {
        KernelPool.setThreads(2);
        Model straight = dropoutMlp();
        List<double[]> expected = trainWithDropout(2, straight, 3);
        Model first = dropoutMlp();
        trainWithDropout(2, first, 1);
        // What a checkpoint keeps: the weights and the model's streams; the replicas' streams are not saved.
        Model resumed = dropoutMlp();
        for (var entry : first.namedParameters().entrySet()) {
            resumed.parameter(entry.getKey()).value().copyFrom(entry.getValue().value());
        }
        resumed.randomStreams().get("dropout").restore(first.randomStreams().get("dropout").state());
        List<double[]> actual = trainWithDropout(2, resumed, 2);
        assertArrayEquals(new double[] {expected.get(0)[1], expected.get(0)[2]}, actual.get(0), 0, "losses of steps 2 and 3");
        for (int k = 1; k < expected.size(); k++) {
            assertArrayEquals(expected.get(k), actual.get(k), 0, "parameter " + k);
        }
    }

    private static Model dropoutMlp() {
        return Sequential.input(1, 8, 8).add(new Flatten()).add(new Dense(32)).add(new Relu()).add(new Dropout(0.5)).add(new Dense(10))
                .build(DType.F32, 3);
    }

    /** The losses of {@code steps} plain-SGD steps on 30 images split in 3, then every parameter. */
    private static List<double[]> trainWithDropout(int threads, Model model, int steps) {
        KernelPool.setThreads(threads);
        Dataset data = images(30, DType.F32);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new io.simdnet.engine.optim.Sgd(0.1)).microBatches(3);
        assertEquals(3, trainer.microBatchesFor(30));
        return lossesThenParameters(trainer, data, steps);
    }

    @Test
    void batchesTooSmallForTwoMicroBatchesRunWhole() {
        Trainer trainer = new Trainer(convnet(DType.F32), new SoftmaxCrossEntropy(), new Adam(1e-3)).microBatches(4);
        assertEquals(1, trainer.microBatchesFor(Trainer.MIN_MICRO_BATCH * 2 - 1));
        assertEquals(2, trainer.microBatchesFor(Trainer.MIN_MICRO_BATCH * 2));
        assertEquals(4, trainer.microBatchesFor(1000));
        Dataset data = images(5, DType.F32);
        double loss = trainer.trainStep(data.inputs(), data.targets());
        assertTrue(Double.isFinite(loss));
    }

    @Test
    void modelsWhoseLayersCoupleSamplesTrainOnWholeBatchesAndDropoutSplits() {
        Model batchNorm = Sequential.input(1, 8, 8).add(new Conv2d(4, 3)).add(new BatchNorm()).add(new Flatten()).add(new Dense(10))
                .build(DType.F32, 1);
        Model dropout = Sequential.input(1, 8, 8).add(new Flatten()).add(new Dropout(0.5)).add(new Dense(10)).build(DType.F32, 1);
        assertEquals(1, new Trainer(batchNorm, new SoftmaxCrossEntropy(), new Adam(1e-3)).microBatches(4).microBatchesFor(64));
        assertEquals(4, new Trainer(dropout, new SoftmaxCrossEntropy(), new Adam(1e-3)).microBatches(4).microBatchesFor(64));
        IllegalStateException e = assertThrows(IllegalStateException.class, batchNorm::microBatchReplica);
        assertTrue(e.getMessage().contains("\"batch_norm\" (BatchNorm) couples the samples"), e.getMessage());
    }

    @Test
    void microBatchCountsBelowOneAreRefused() {
        Trainer trainer = new Trainer(convnet(DType.F32), new SoftmaxCrossEntropy(), new Adam(1e-3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.microBatches(0));
        assertEquals("Micro-batches: 0, expected 1 or more (1: train on whole batches)", e.getMessage());
        assertEquals(Trainer.DEFAULT_MICRO_BATCHES, trainer.microBatches());
    }

    @Test
    void replicasShareParameterValuesButNotGradients() {
        Model model = convnet(DType.F32);
        Model replica = model.microBatchReplica();
        for (var entry : model.namedParameters().entrySet()) {
            Parameter theirs = replica.namedParameters().get(entry.getKey());
            assertTrue(theirs.value() == entry.getValue().value(), entry.getKey() + ": value shared");
            assertTrue(theirs.gradient() != entry.getValue().gradient(), entry.getKey() + ": gradient its own");
        }
    }

    @Test
    void inferenceReplicasPredictWithTheModelsPReluSlopes() {
        Model model = convnet(DType.F32);
        model.setParameter("p_relu.weight", Tensor.of(new float[] {0.7f}, 1));
        Tensor x = images(3, DType.F32).inputs();
        assertArrayEquals(model.predict(x, 3).toDoubleArray(), model.newInference().predict(x, 3).toDoubleArray(), 0);
    }
}
