package io.simdnet.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.simdnet.engine.data.DataSplits;
import io.simdnet.engine.data.Dataset;
import io.simdnet.engine.init.Rng;
import io.simdnet.engine.layer.BatchNorm;
import io.simdnet.engine.layer.Conv2d;
import io.simdnet.engine.layer.Dense;
import io.simdnet.engine.layer.Dropout;
import io.simdnet.engine.layer.Flatten;
import io.simdnet.engine.layer.Layer;
import io.simdnet.engine.layer.MaxPool2d;
import io.simdnet.engine.layer.Padding;
import io.simdnet.engine.layer.Parameter;
import io.simdnet.engine.layer.Relu;
import io.simdnet.engine.loss.SoftmaxCrossEntropy;
import io.simdnet.engine.model.Model;
import io.simdnet.engine.model.Sequential;
import io.simdnet.engine.optim.Adam;
import io.simdnet.engine.optim.LearningRateSchedule;
import io.simdnet.engine.optim.Sgd;
import io.simdnet.engine.tensor.Shape;
import io.simdnet.engine.tensor.Tensor;
import io.simdnet.kernel.DType;
import io.simdnet.kernel.KernelPool;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private final int threadsBefore = KernelPool.threads();

    @AfterEach
    void restoreThreads() {
        KernelPool.setThreads(threadsBefore);
    }

    /** Random 1×12×12 images with random labels out of 10: only memorisation can fit them. */
    static Dataset randomImages(int count, long seed) {
        return RandomImages.of(count, 12, seed);
    }

    static Model smallCnn(long seed) {
        return Sequential.input(1, 12, 12)
                .add(new Conv2d(8, 3).padding(Padding.same()))
                .add(new BatchNorm())
                .add(new Relu())
                .add(new MaxPool2d(2))
                .add(new Dropout(0.1))
                .add(new Flatten())
                .add(new Dense(64))
                .add(new Relu())
                .add(new Dense(10))
                .build(DType.F32, seed);
    }

    @Test
    void evaluationAfterSmallTrainingBatchesRunsInPiecesWithTheResultsOfOnePass() {
        Dataset data = randomImages(70, 21);
        Model model = smallCnn(22);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(1e-3));
        trainer.fit(data, new FitOptions().epochs(1).batchSize(8).seed(3));
        // One pass over all 70 samples, as evaluate(data, 70) ran before it was cut into pieces of 8.
        Tensor whole = model.forward(data.inputs(), false);
        double loss = new SoftmaxCrossEntropy().compute(whole, data.targets(), null) + model.regularizationLoss();
        Evaluation evaluation = trainer.evaluate(data, 70);
        assertEquals(loss, evaluation.loss(), 0, "the same loss to the last bit");
        assertEquals(Accuracy.correct(whole, data.targets()) / 70.0, evaluation.accuracy(), 0);
        assertArrayEquals(model.predict(data.inputs(), 70).floats(), trainer.predict(data, 70).floats());
    }

    @Test
    void smallCnnOverfitsHundredSamplesToFullTrainingAccuracy() {
        Dataset data = randomImages(100, 1);
        Model model = smallCnn(2);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.005));
        History history = trainer.fit(data, new FitOptions().epochs(60).batchSize(20).seed(3));
        assertEquals(60 * 5, history.stepLosses().length);
        Evaluation eval = trainer.evaluate(data, 50);
        assertEquals(1.0, eval.accuracy(), "training accuracy after 60 epochs; last epoch " + history.last());
        assertTrue(eval.loss() < 0.05, "loss " + eval.loss());
    }

    private static List<double[]> trainAndCollectWeights(int threads) {
        KernelPool.setThreads(threads);
        Dataset data = randomImages(64, 5);
        Model model = smallCnn(6);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Adam(0.01));
        trainer.fit(data, new FitOptions().epochs(2).batchSize(16).seed(7));
        List<double[]> weights = new ArrayList<>();
        for (Parameter p : model.namedParameters().values()) {
            weights.add(p.value().toDoubleArray());
        }
        return weights;
    }

    @Test
    void trainingFromOneSeedIsBitIdenticalAcrossRunsAndThreadCounts() {
        List<double[]> first = trainAndCollectWeights(2);
        List<double[]> second = trainAndCollectWeights(2);
        List<double[]> oneThread = trainAndCollectWeights(1);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i), second.get(i), 0, "parameter " + i + ", two runs");
            assertArrayEquals(first.get(i), oneThread.get(i), 0, "parameter " + i + ", 1 vs 2 threads");
        }
    }

    @Test
    void nonFiniteLossStopsTrainingNamingEpochAndStep() {
        Dataset data = randomImages(40, 8);
        data.inputs().set(25 * 144 + 3, Float.NaN);
        Trainer trainer = new Trainer(smallCnn(1), new SoftmaxCrossEntropy(), new Sgd(0.01));
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                () -> trainer.fit(data, new FitOptions().epochs(3).batchSize(10).shuffle(false)));
        assertEquals(0, e.epoch());
        assertEquals(2, e.step());
        assertTrue(e.getMessage().contains("epoch 1, step 3"), e.getMessage());
    }

    /** Passes its input through and notes, by mode, each sample's first value: the sample's number in the test's data. */
    private static final class SampleRecorder extends Layer {
        final List<Integer> trained = new ArrayList<>();
        final List<Integer> evaluated = new ArrayList<>();
        private int sampleSize;

        @Override
        protected Shape onBuild(Shape input, Rng rng) {
            sampleSize = input.size();
            return input;
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            for (int s = 0; s < x.batch(); s++) {
                (training ? trained : evaluated).add((int) x.get(s * sampleSize));
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

    private static List<Integer> numbers(int from, int to, int times) {
        List<Integer> list = new ArrayList<>();
        for (int t = 0; t < times; t++) {
            for (int i = from; i < to; i++) {
                list.add(i);
            }
        }
        return list.stream().sorted().toList();
    }

    @Test
    void validationSplitHoldsOutTheLastSamples() {
        int n = 50;
        // Sample i is the single value i, so what reaches the model names the sample.
        Tensor inputs = Tensor.zeros(DType.F64, n, 1);
        Tensor targets = Tensor.zeros(DType.F64, n);
        for (int i = 0; i < n; i++) {
            inputs.set(i, i);
            targets.set(i, i % 3);
        }
        Dataset data = Dataset.of(inputs, targets);
        SampleRecorder recorder = new SampleRecorder();
        Model model = Sequential.input(1).add(recorder).add(new Dense(3)).build(DType.F64, 1);
        Trainer trainer = new Trainer(model, new SoftmaxCrossEntropy(), new Sgd(1e-3));
        History history = trainer.fit(data, new FitOptions().epochs(2).batchSize(8).validationSplit(0.2).seed(4));
        assertEquals(2 * 5, history.stepLosses().length, "40 training samples in batches of 8, two epochs");
        assertEquals(numbers(0, 40, 2), recorder.trained.stream().sorted().toList(), "training saw the first 40 samples once an epoch");
        assertEquals(numbers(40, 50, 2), recorder.evaluated.stream().sorted().toList(), "validation saw the last 10 once an epoch");
        assertEquals(trainer.evaluate(DataSplits.rows(data, 40, 50), 10).loss(), history.last().validationLoss(), 0,
                "the validation loss is the last 10 samples' loss");
    }

    @Test
    void stepsCountOptimiserStepsAcrossEpochsAndCutTheLastEpochShort() {
        Dataset data = randomImages(50, 9);
        Trainer trainer = new Trainer(smallCnn(1), new SoftmaxCrossEntropy(), new Adam(0.001));
        History history = trainer.fit(data, new FitOptions().epochs(100).batchSize(10).steps(12));
        assertEquals(12, history.stepLosses().length, "12 steps, whatever epochs() says");
        assertEquals(3, history.epochs().size(), "5 batches per epoch: 5 + 5 + 2 steps");
        EpochLogs last = history.last();
        double mean = (history.stepLosses()[10] + history.stepLosses()[11]) / 2;
        assertEquals(mean, last.trainLoss(), 1e-12, "the cut epoch's loss averages over the 20 samples it saw");
    }

    @Test
    void learningRateSchedulerSetsTheRateEachEpoch() {
        Dataset data = randomImages(20, 10);
        Trainer trainer = new Trainer(smallCnn(1), new SoftmaxCrossEntropy(), new Sgd(0.1));
        History history = trainer.fit(data, new FitOptions().epochs(3).batchSize(10)
                .callback(new LearningRateScheduler(new LearningRateSchedule.StepDecay(1, 0.5))));
        assertEquals(0.1, history.epochs().get(0).learningRate(), 1e-15);
        assertEquals(0.05, history.epochs().get(1).learningRate(), 1e-15);
        assertEquals(0.025, history.epochs().get(2).learningRate(), 1e-15);
    }

    @Test
    void earlyStoppingEndsTrainingWhenTheMetricStopsImproving() {
        Dataset train = randomImages(40, 11);
        Dataset validation = randomImages(40, 12);
        EarlyStopping stopping = new EarlyStopping("val_loss", 2, 0, true);
        // Random labels: memorising the training set makes the validation loss rise after a few epochs.
        Trainer trainer = new Trainer(smallCnn(1), new SoftmaxCrossEntropy(), new Adam(0.01));
        History history = trainer.fit(train, new FitOptions().epochs(100).batchSize(10).validation(validation).callback(stopping));
        assertTrue(history.epochs().size() < 100, "stopped after " + history.epochs().size() + " epochs");
        assertEquals(stopping.bestEpoch() + 3, history.epochs().size(), "patience 2 after the best epoch");
        assertEquals(history.epochs().get(stopping.bestEpoch()).validationLoss(), trainer.evaluate(validation, 40).loss(), 1e-5,
                "best weights restored");
    }

    @Test
    void confusionMatrixCountsPrecisionAndRecall() {
        Tensor outputs = Tensor.of(new float[] {0.9f, 0.1f, 0.2f, 0.8f, 0.7f, 0.3f, 0.4f, 0.6f}, 4, 2);
        Tensor labels = Tensor.of(new float[] {0, 1, 1, 1}, 4);
        ConfusionMatrix cm = ConfusionMatrix.of(outputs, labels, List.of("cat", "dog"));
        assertEquals(1, cm.count(0, 0));
        assertEquals(1, cm.count(1, 0));
        assertEquals(2, cm.count(1, 1));
        assertEquals(0.5, cm.precision(0), 1e-12);
        assertEquals(1.0, cm.precision(1), 1e-12);
        assertEquals(2 / 3.0, cm.recall(1), 1e-12);
        assertEquals(0.75, cm.accuracy(), 1e-12);
        assertTrue(cm.toString().contains("dog"), cm.toString());
    }
}
